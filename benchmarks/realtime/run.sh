#!/usr/bin/env bash
# Realtime fan-out benchmark (targets.md): 1,000 websocket clients (socket.io-client 4.8) on one
# channel and a publisher stepping its rate up until messages are lost or p99 publish->receive
# exceeds 100 ms. The highest rate held, in deliveries/s, is the capacity. The same clients run
# against a plain Node.js socket.io 4.8 server (no database) and against Anvil (every message
# persisted in realtime.messages and fanned in through NOTIFY), alternating, for several rounds.
# Medians are compared; the ratio is printed last.
# Usage: ./anvil bench realtime [rounds] [clients] [seconds per step]   (defaults 3, 1000, 4)
# Environment: RATES (the ladder, msg/s), ANVIL_JAVA_OPTS (e.g. GC logging), ONLY=anvil (skip the reference).
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${JAVA_HOME:?run through ./anvil bench realtime}"
ROUNDS="${1:-3}"
CLIENTS="${2:-1000}"
SECONDS_PER_STEP="${3:-4}"
RATES="${RATES:-10,25,50,75,100,150,200,300,400,600,800,1000,1500,2000}"
BENCH=benchmarks/realtime

mvn -B -ntp -q -DskipTests -pl server -am package
(cd "$BENCH" && npm install --no-audit --no-fund --loglevel=error >/dev/null)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
API_KEY="ik_$(openssl rand -hex 32)"
ANON_KEY="anon_$(openssl rand -hex 32)"
WORK="$(mktemp -d)"
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

# Anvil on its own embedded Postgres; the rate limit is lifted for the publisher.
ANVIL_PORT="$(free_port)"
PORT="$ANVIL_PORT" ANVIL_HOST=127.0.0.1 ANVIL_DATA_DIR="$WORK/anvil" ANVIL_ACCESS_LOG=false \
  ACCESS_API_KEY="$API_KEY" ACCESS_ANON_KEY="$ANON_KEY" ANVIL_REALTIME_RATE_LIMIT=1000000 \
  "$JAVA_HOME/bin/java" ${ANVIL_JAVA_OPTS:-} -jar server/target/anvil-server.jar >"$WORK/anvil.log" 2>&1 &
ANVIL_PID=$!
PIDS+=($ANVIL_PID)
REF_PORT="$(free_port)"
node "$BENCH/reference-server.mjs" "$REF_PORT" >"$WORK/reference.log" 2>&1 &
REF_PID=$!
PIDS+=($REF_PID)

for _ in $(seq 1 600); do
  curl -sf "http://127.0.0.1:$ANVIL_PORT/api/health" >/dev/null && break
  sleep 0.1
done
curl -sf "http://127.0.0.1:$ANVIL_PORT/api/health" >/dev/null || { echo "Anvil did not start:"; cat "$WORK/anvil.log"; exit 1; }
# CPU is counted for Anvil's JVM plus its Postgres (the postmaster's children are the backends).
PG_PID=$(head -1 "$WORK/anvil/postgres/postmaster.pid")
curl -sf -X POST "http://127.0.0.1:$ANVIL_PORT/api/realtime/channels" -H "x-api-key: $API_KEY" \
  -H 'Content-Type: application/json' -d '{"pattern":"bench:%"}' >/dev/null

echo "realtime fan-out: $CLIENTS clients, ${SECONDS_PER_STEP}s per step, rates $RATES msg/s, $ROUNDS rounds"
echo "machine: $(nproc) cores; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
run_target() { # name url token server-pids -> "capacity p99 cpu-µs-per-delivery"
  echo "[$1]" >&2
  SERVER_PIDS="$4" node "$BENCH/load.mjs" "$2" "$3" "$CLIENTS" "$SECONDS_PER_STEP" "$RATES" | tail -1 > "$WORK/result.json"
  node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1])); console.log(r.capacity + " " + r.p99AtCapacity + " " + r.cpuMicrosPerDelivery)' "$WORK/result.json"
}
REF_CAPS=(); ANVIL_CAPS=(); REF_CPUS=(); ANVIL_CPUS=()
for round in $(seq 1 "$ROUNDS"); do
  echo "round $round"
  if [[ "${ONLY:-}" == anvil ]]; then ref=0; ref_p99=-; else
  read -r ref ref_p99 ref_cpu < <(run_target "reference node socket.io" "http://127.0.0.1:$REF_PORT" "unused" "$REF_PID"); fi
  read -r anvil anvil_p99 anvil_cpu < <(run_target "anvil" "http://127.0.0.1:$ANVIL_PORT" "$ANON_KEY" "$ANVIL_PID,$PG_PID")
  echo "  round $round: reference $ref deliveries/s (p99 $ref_p99 ms, $ref_cpu µs CPU/delivery), anvil $anvil deliveries/s (p99 $anvil_p99 ms, $anvil_cpu µs CPU/delivery incl. Postgres)"
  REF_CAPS+=("$ref"); ANVIL_CAPS+=("$anvil"); REF_CPUS+=("$ref_cpu"); ANVIL_CPUS+=("$anvil_cpu")
done
STORED=$(curl -sf "http://127.0.0.1:$ANVIL_PORT/api/realtime/messages/stats" -H "x-api-key: $API_KEY")
echo "anvil stored messages: $STORED"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
REF_MEDIAN=$(median "${REF_CAPS[@]}")
ANVIL_MEDIAN=$(median "${ANVIL_CAPS[@]}")
REF_CPU=$(median "${REF_CPUS[@]}"); ANVIL_CPU=$(median "${ANVIL_CPUS[@]}")
echo "median server CPU per delivery: reference $REF_CPU µs, anvil $ANVIL_CPU µs (JVM + Postgres)"
awk -v a="$ANVIL_CPU" -v r="$REF_CPU" 'BEGIN { if (a + 0 > 0) printf "efficiency ratio (reference CPU / anvil CPU per delivery): %.2fx\n", r / a }'
echo "median capacity: reference $REF_MEDIAN deliveries/s, anvil $ANVIL_MEDIAN deliveries/s"
awk -v a="$ANVIL_MEDIAN" -v r="$REF_MEDIAN" 'BEGIN { if (r == 0) print "ratio: n/a (reference held no step)"; else printf "ratio (anvil / reference capacity): %.2fx\n", a / r }'
