#!/usr/bin/env bash
# Functions benchmark (targets.md), reference measured in the same run:
#   warm invoke: POST to the echo function on Anvil's direct listener (and, informational, through
#                /functions/echo on the server) vs the same handler on a bare Deno.serve (wrk);
#   cold start:  deploy + first invocation vs a bare `deno run` of the same handler to its first answer.
# Usage: ./anvil bench functions [rounds] [seconds per wrk run]   (defaults 3 and 10)
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${JAVA_HOME:?run through ./anvil bench functions}"
if ! command -v wrk >/dev/null 2>&1; then
  echo "Installing wrk (Debian package)..." >&2
  apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi
mvn -B -ntp -q -DskipTests -pl server -am package
exec node benchmarks/functions/bench.mjs "$@"
