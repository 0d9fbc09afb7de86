#!/usr/bin/env bash
# Auth benchmark (targets.md): password sign-in (POST /api/auth/sessions) against raw bcrypt
# verifications measured in the same run on the same cores — target >= 0.9x — and
# GET /api/auth/sessions/current req/s.
#
# Two ratios are printed. Wall clock: login req/s over bcrypt verifications/s, the reference and the
# login load alternating for several rounds (median of the per-round ratios). CPU cost: the CPU time
# one bcrypt verification takes (the reference's worker threads) over the CPU time one login takes
# (server JVM + embedded Postgres, read from /proc around the load phase). On a machine of its own
# the two agree; on a shared one the wall-clock ratio swings with the neighbours' load while the
# CPU-cost ratio — what login throughput on dedicated cores would be, relative to bcrypt — does not.
# Server, Postgres, wrk (one thread) and the reference share the machine's cores; sign-in is
# bcrypt-bound, so the load generator costs little there.
# Usage: ./anvil bench auth [seconds-per-phase] [rounds]   (default 20 s, 3 rounds)
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${JAVA_HOME:?run through ./anvil bench auth}"
SECONDS_PER_PHASE="${1:-20}"
ROUNDS="${2:-3}"
BENCH_DIR="$(pwd)/benchmarks/auth"

if ! command -v wrk >/dev/null 2>&1; then
  echo "installing wrk (Debian package)..." >&2
  apt-get update -qq >/dev/null && apt-get install -y -qq wrk >/dev/null
fi
mvn -B -ntp -q -DskipTests -pl server -am package
LIBS="server/target/libs/*"

WORK="$(mktemp -d)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
SERVER_PID=""
cleanup() {
  if [[ -n "$SERVER_PID" ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "machine: $(nproc) cores; load before start: $(cut -d' ' -f1-3 /proc/loadavg)"
ANVIL_DATA_DIR="$WORK/data" PORT="$PORT" ANVIL_HOST=127.0.0.1 ANVIL_ACCESS_LOG=false \
  "$JAVA_HOME/bin/java" -jar server/target/anvil-server.jar >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 120); do curl -fs "$BASE/api/health" >/dev/null 2>&1 && break; sleep 0.5; done
curl -fs "$BASE/api/health" >/dev/null || { cat "$WORK/server.log"; exit 1; }
ANON_KEY="$(grep -o 'anon_[0-9a-f]\{64\}' "$WORK/server.log" | head -1)"
POSTGRES_PID="$(head -1 "$WORK/data/postgres/postmaster.pid")"
cpu() { python3 "$BENCH_DIR/cpu_seconds.py" "$SERVER_PID" "$POSTGRES_PID"; }
rate() { grep -o 'Requests/sec: *[0-9.]*' | awk '{print $2}'; }
count() { grep -o '[0-9]* requests in' | awk '{print $1}'; }

export BENCH_EMAIL="bench-$RANDOM@example.com" BENCH_PASSWORD="correct-horse-7"
curl -fs -X POST "$BASE/api/auth/users" -H "Authorization: Bearer $ANON_KEY" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$BENCH_EMAIL\",\"password\":\"$BENCH_PASSWORD\"}" >/dev/null
BENCH_TOKEN="$(curl -fs -X POST "$BASE/api/auth/sessions?client_type=mobile" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$BENCH_EMAIL\",\"password\":\"$BENCH_PASSWORD\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["accessToken"])')"
export BENCH_TOKEN

# Warm the server's JIT on both routes before measuring: a long-running server has compiled its login path.
wrk -t1 -c4 -d30s -s "$BENCH_DIR/login.lua" "$BASE/api/auth/sessions" >/dev/null
wrk -t1 -c8 -d5s -s "$BENCH_DIR/current.lua" "$BASE/api/auth/sessions/current" >/dev/null

RESULTS=""
for round in $(seq 1 "$ROUNDS"); do
  echo "--- round $round: reference, raw bcrypt verifications ---"
  REF_OUT="$("$JAVA_HOME/bin/java" -cp "$LIBS" "$BENCH_DIR/BcryptBench.java" "$SECONDS_PER_PHASE")"
  echo "$REF_OUT"
  REF="$(echo "$REF_OUT" | awk '{print $2}')"
  REF_CPU="$(echo "$REF_OUT" | awk '{print $4}')"
  echo "--- round $round: POST /api/auth/sessions (wrk -t1 -c4) ---"
  CPU_BEFORE="$(cpu)"
  LOGIN_OUT="$(wrk -t1 -c4 -d"${SECONDS_PER_PHASE}s" --latency -s "$BENCH_DIR/login.lua" "$BASE/api/auth/sessions")"
  CPU_AFTER="$(cpu)"
  echo "$LOGIN_OUT" | grep -E 'Latency|50%|99%|requests in|Requests/sec|login_non_2xx'
  RESULTS="$RESULTS $(echo "$LOGIN_OUT" | rate):$REF:$REF_CPU:$(echo "$LOGIN_OUT" | count):$CPU_BEFORE:$CPU_AFTER"
done

echo "--- GET /api/auth/sessions/current (wrk -t1 -c16) ---"
CPU_BEFORE="$(cpu)"
CURRENT_OUT="$(wrk -t1 -c16 -d"${SECONDS_PER_PHASE}s" --latency -s "$BENCH_DIR/current.lua" "$BASE/api/auth/sessions/current")"
CPU_AFTER="$(cpu)"
echo "$CURRENT_OUT" | grep -E 'Latency|50%|99%|requests in|Requests/sec|current_non_2xx'
CURRENT="$(echo "$CURRENT_OUT" | rate):$(echo "$CURRENT_OUT" | count):$CPU_BEFORE:$CPU_AFTER"

echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$CURRENT" $RESULTS <<'PY'
import statistics, sys
rate, n, c0, c1 = map(float, sys.argv[1].split(":"))
print(f"sessions/current: {rate:.0f} req/s, {(c1 - c0) / n * 1e6:.0f} us CPU per request (server + Postgres)")
wall, cost = [], []
for i, entry in enumerate(sys.argv[2:], 1):
    login, ref, ref_cpu_ms, logins, c0, c1 = map(float, entry.split(":"))
    login_cpu_ms = (c1 - c0) / logins * 1000
    wall.append(login / ref)
    cost.append(ref_cpu_ms / login_cpu_ms)
    print(f"round {i}: login {login:.2f} req/s vs bcrypt {ref:.2f}/s = {login / ref:.2f}x wall clock; "
          f"CPU per login {login_cpu_ms:.1f} ms vs per verification {ref_cpu_ms:.1f} ms = {ref_cpu_ms / login_cpu_ms:.2f}x")
print(f"wall-clock ratio login/bcrypt = {statistics.median(wall):.2f}x (median of {len(wall)} rounds; swings with the machine's load)")
print(f"ratio login/bcrypt = {statistics.median(cost):.2f}x by CPU cost (median of {len(cost)} rounds; target >= 0.90x)")
PY
