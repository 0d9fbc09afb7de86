#!/usr/bin/env bash
# Upload benchmark (targets.md): a 1 GiB file uploaded through the API (PUT multipart, local
# provider, fsync + rename as in production) vs writing the same bytes to the same disk with dd
# (conv=fsync), alternating in the same run; the ratio is the median of the per-round ratios (each
# round's upload and dd run back to back, so they share the machine's load of that moment). Also reports the server's heap: the
# live heap (after a forced GC) half-way through an upload, minus the live heap before it.
# Usage: ./anvil bench storage [size MiB, default 1024] [rounds, default 5]
# The work directory (source file, dd target, STORAGE_DIR) is ANVIL_BENCH_DIR or a temp dir:
# it holds about three times the file size while it runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${JAVA_HOME:?run through ./anvil bench storage}"
SIZE_MB="${1:-1024}"
ROUNDS="${2:-5}"
API_KEY="ik_$(printf 'b%.0s' {1..64})"

mvn -B -ntp -q -DskipTests -pl server -am package

work="$(mktemp -d "${ANVIL_BENCH_DIR:-${TMPDIR:-/tmp}}/anvil-storage-bench.XXXXXX")"
server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "work directory: $work ($(df -h "$work" | awk 'NR==2 {print $4 " free on " $1}'))"
echo "machine load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "generating a ${SIZE_MB} MiB random source file..."
head -c "$((SIZE_MB * 1024 * 1024))" /dev/urandom > "$work/source.bin"

echo "starting the server (embedded Postgres, local storage in the work directory)..."
ANVIL_DATA_DIR="$work/data" STORAGE_DIR="$work/storage" PORT=0 ANVIL_HOST=127.0.0.1 ANVIL_ACCESS_LOG=false \
  ACCESS_API_KEY="$API_KEY" ANVIL_STORAGE_MAX_UPLOAD_MB="$((SIZE_MB + 16))" \
  "$JAVA_HOME/bin/java" -jar server/target/anvil-server.jar > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 600); do
  url="$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$work/server.log" | head -1)"
  [[ -n "$url" ]] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.1
done
[[ -n "$url" ]] || { echo "server did not start"; cat "$work/server.log"; exit 1; }
url="${url/localhost/127.0.0.1}"
curl -sf -X POST -H "Authorization: Bearer $API_KEY" -H 'Content-Type: application/json' \
  -d '{"bucketName":"bench"}' "$url/api/storage/buckets" > /dev/null

live_heap_kb() { # live objects, in KiB: the class histogram runs a full GC and sums what survives it
  "$JAVA_HOME/bin/jcmd" "$server_pid" GC.class_histogram | awk '/^Total/ {print int($3 / 1024)}'
}

committed_heap_kb() {
  "$JAVA_HOME/bin/jcmd" "$server_pid" GC.heap_info | sed -n 's/.*committed \([0-9]*\)K.*/\1/p' | head -1
}

upload() { # $1 = object key; prints seconds
  curl -sS -o "$work/upload.json" -w '%{http_code} %{time_total}\n' -X PUT -H 'Expect:' \
    -H "Authorization: Bearer $API_KEY" -F "file=@$work/source.bin;type=application/octet-stream" \
    "$url/api/storage/buckets/bench/objects/$1" > "$work/upload.out"
  read -r code seconds < "$work/upload.out"
  [[ "$code" == "200" ]] || { echo "upload failed: HTTP $code $(cat "$work/upload.json")" >&2; exit 1; }
  echo "$seconds"
}

# Every timed write starts from the same state: the other side's file deleted and written back, the
# page cache emptied of it (when this user may drop caches), and the source file read into the cache
# again. Without this each side ran into the other's writeback, and the per-round ratio swung with
# the order (0.2-2.8).
settle() {
  sync
  if [[ -w /proc/sys/vm/drop_caches ]]; then
    echo 1 > /proc/sys/vm/drop_caches
  fi
  cat "$work/source.bin" > /dev/null
}

write_with_dd() { # prints seconds
  local start end
  start=$EPOCHREALTIME
  dd if="$work/source.bin" of="$work/dd-target.bin" bs=1M conv=fsync status=none
  end=$EPOCHREALTIME
  rm -f "$work/dd-target.bin"
  sync
  echo "$end - $start" | bc -l
}

committed_before_kb="$(committed_heap_kb)"
echo "warm-up upload..."
upload warmup.bin > /dev/null
curl -sf -X DELETE -H "Authorization: Bearer $API_KEY" "$url/api/storage/buckets/bench/objects/warmup.bin" > /dev/null

dd_rates=()
upload_rates=()
ratios=()
for round in $(seq 1 "$ROUNDS"); do
  # Alternate which goes first; each starts settled (see settle), with the other side's file gone.
  if (( round % 2 == 1 )); then
    settle; dd_s="$(write_with_dd)"
    settle; up_s="$(upload "round-$round.bin")"
    curl -sf -X DELETE -H "Authorization: Bearer $API_KEY" "$url/api/storage/buckets/bench/objects/round-$round.bin" > /dev/null
  else
    settle; up_s="$(upload "round-$round.bin")"
    curl -sf -X DELETE -H "Authorization: Bearer $API_KEY" "$url/api/storage/buckets/bench/objects/round-$round.bin" > /dev/null
    settle; dd_s="$(write_with_dd)"
  fi
  dd_rate="$(echo "$SIZE_MB / $dd_s" | bc -l)"
  up_rate="$(echo "$SIZE_MB / $up_s" | bc -l)"
  dd_rates+=("$dd_rate")
  upload_rates+=("$up_rate")
  ratios+=("$(echo "$up_rate / $dd_rate" | bc -l)")
  printf 'round %d: dd %.0f MiB/s (%.2f s), upload %.0f MiB/s (%.2f s), ratio %.2f\n' "$round" "$dd_rate" "$dd_s" "$up_rate" "$up_s" \
    "$(echo "$up_rate / $dd_rate" | bc -l)"
done

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
dd_median="$(median "${dd_rates[@]}")"
upload_median="$(median "${upload_rates[@]}")"

echo "measuring the server's live heap during an upload..."
before_kb="$(live_heap_kb)"
upload heap-probe.bin > /dev/null &
probe_pid=$!
half=$((SIZE_MB * 1024 * 1024 / 2))
during_kb=""
for _ in $(seq 1 6000); do
  staged="$(find "$work/storage/.staging" -name '*.part' -printf '%s\n' 2>/dev/null | sort -n | tail -1 || true)"
  if [[ -n "$staged" && "$staged" -ge "$half" ]]; then during_kb="$(live_heap_kb)"; break; fi
  kill -0 "$probe_pid" 2>/dev/null || break
  sleep 0.05
done
wait "$probe_pid"
after_kb="$(live_heap_kb)"
committed_after_kb="$(committed_heap_kb)"
[[ -n "$during_kb" ]] || { echo "could not sample the heap mid-upload" >&2; exit 1; }
printf 'live heap: before %d KiB, half-way through the upload %d KiB, after %d KiB\n' "$before_kb" "$during_kb" "$after_kb"
printf 'committed heap (no -Xmx given, the JVM sizes it): at start %d MiB, after all uploads %d MiB\n' \
  "$((committed_before_kb / 1024))" "$((committed_after_kb / 1024))"
printf 'heap growth during a %d MiB upload: %.1f MiB (target < 64 MiB)\n' "$SIZE_MB" "$(echo "($during_kb - $before_kb) / 1024" | bc -l)"
echo "machine load after: $(cut -d' ' -f1-3 /proc/loadavg)"
printf 'median: dd %.0f MiB/s, upload %.0f MiB/s\n' "$dd_median" "$upload_median"
printf 'upload ratio (upload / dd to the same disk, median of %d rounds, target >= 0.8): %.2f\n' "$ROUNDS" "$(median "${ratios[@]}")"
