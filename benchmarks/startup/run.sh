#!/usr/bin/env bash
# Startup benchmark (targets.md): `java -jar` to first 200 on the health route, anvil-server.jar on
# an existing embedded data directory vs a hello-world Helidon SE jar, same run. Ratio printed last.
# Usage: ./anvil bench startup [rounds]   (default 7; medians are compared)
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${JAVA_HOME:?run through ./anvil bench startup}"
mvn -B -ntp -q -DskipTests -pl server -am package
mvn -B -ntp -q -DskipTests -f benchmarks/startup/hello/pom.xml package
exec "$JAVA_HOME/bin/java" benchmarks/startup/StartupBench.java "$@"
