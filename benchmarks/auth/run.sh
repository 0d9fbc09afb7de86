#!/usr/bin/env bash
# Auth benchmark (targets.md): password sign-in (POST /api/auth/sessions) req/s against raw bcrypt
# verifications/s measured in the same run on the same cores — target >= 0.9x — and
# GET /api/auth/sessions/current req/s. Server, Postgres, wrk and the reference share the machine's
# cores; wrk runs one thread and sign-in is bcrypt-bound, so the load generator costs little.
# Usage: ./anvil bench auth [seconds-per-phase]   (default 20)
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${JAVA_HOME:?run through ./anvil bench auth}"
SECONDS_PER_PHASE="${1:-20}"
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

export BENCH_EMAIL="bench-$RANDOM@example.com" BENCH_PASSWORD="correct-horse-7"
curl -fs -X POST "$BASE/api/auth/users" -H "Authorization: Bearer $ANON_KEY" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$BENCH_EMAIL\",\"password\":\"$BENCH_PASSWORD\"}" >/dev/null
BENCH_TOKEN="$(curl -fs -X POST "$BASE/api/auth/sessions?client_type=mobile" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$BENCH_EMAIL\",\"password\":\"$BENCH_PASSWORD\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["accessToken"])')"
export BENCH_TOKEN

rate() { grep -o 'Requests/sec: *[0-9.]*' | awk '{print $2}'; }

# Warm the server's JIT on both routes before measuring.
wrk -t1 -c2 -d5s -s "$BENCH_DIR/login.lua" "$BASE/api/auth/sessions" >/dev/null
wrk -t1 -c8 -d5s -s "$BENCH_DIR/current.lua" "$BASE/api/auth/sessions/current" >/dev/null

echo "--- reference: raw bcrypt verifications/s (before) ---"
REF1="$("$JAVA_HOME/bin/java" -cp "$LIBS" "$BENCH_DIR/BcryptBench.java" "$SECONDS_PER_PHASE" | tee /dev/stderr | awk '{print $2}')"

echo "--- POST /api/auth/sessions (wrk -t1 -c4) ---"
LOGIN_OUT="$(wrk -t1 -c4 -d"${SECONDS_PER_PHASE}s" --latency -s "$BENCH_DIR/login.lua" "$BASE/api/auth/sessions")"
echo "$LOGIN_OUT" | grep -E 'Latency|50%|99%|Requests/sec|login_non_2xx'
LOGIN="$(echo "$LOGIN_OUT" | rate)"

echo "--- reference: raw bcrypt verifications/s (after) ---"
REF2="$("$JAVA_HOME/bin/java" -cp "$LIBS" "$BENCH_DIR/BcryptBench.java" "$SECONDS_PER_PHASE" | tee /dev/stderr | awk '{print $2}')"

echo "--- GET /api/auth/sessions/current (wrk -t1 -c16) ---"
CURRENT_OUT="$(wrk -t1 -c16 -d"${SECONDS_PER_PHASE}s" --latency -s "$BENCH_DIR/current.lua" "$BASE/api/auth/sessions/current")"
echo "$CURRENT_OUT" | grep -E 'Latency|50%|99%|Requests/sec|current_non_2xx'
CURRENT="$(echo "$CURRENT_OUT" | rate)"

echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$LOGIN" "$REF1" "$REF2" "$CURRENT" <<'PY'
import sys
login, ref1, ref2, current = map(float, sys.argv[1:])
ref = (ref1 + ref2) / 2
print(f"sessions/current: {current:.0f} req/s")
print(f"login: {login:.2f} req/s; bcrypt reference: {ref:.2f} verifications/s (mean of {ref1:.2f} and {ref2:.2f})")
print(f"ratio login/bcrypt = {login / ref:.2f}x (target >= 0.90x)")
PY
