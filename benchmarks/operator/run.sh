#!/usr/bin/env bash
# Operator scale: N Projects (default 500) created at once against fabric8's mock API server with a
# real embedded Postgres; time until all are Ready and the operator's heap. Reference in the same run:
# the same N databases and login roles created through the same SQL. Prints the ratio last.
#   ./anvil bench operator [projects]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
projects="${1:-500}"
mvn -B -ntp -q -pl operator test-compile >/dev/null
mvn -B -ntp -pl operator surefire:test -Dtest=OperatorScaleBench -Dsurefire.failIfNoSpecifiedTests=false \
    -Dbench.projects="$projects" 2>&1 \
  | grep -E '^(operator-scale|reference|created all|heap|operator heap|ratio)|Tests run|FAIL|ERROR\]' || true
