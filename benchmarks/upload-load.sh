#!/usr/bin/env bash
# Upload load test: N concurrent tus uploads of SIZE MiB in CHUNK-MiB PATCHes against a
# Convoy server process on loopback, beside the disk's own fsynced write bandwidth.
# Usage: benchmarks/upload-load.sh [uploads=200] [size-mib=20] [chunk-mib=1] [max-heap=default]
# SERVER_JAVA_OPTS adds JVM options for the server (e.g. -XX:MaxDirectMemorySize=1g).
set -euo pipefail
cd "$(dirname "$0")/.."
UPLOADS=${1:-200}; SIZE=${2:-20}; CHUNK=${3:-1}; HEAP=${4:-default}
HEAP_FLAG=(); [ "$HEAP" = default ] || HEAP_FLAG=(-Xmx"$HEAP")
./mvnw -q -B -pl benchmarks -am package -DskipTests
DATA=$(mktemp -d "${TMPDIR:-/tmp}/convoy-load.XXXXXX")
PORT=$((20000 + RANDOM % 20000))
MPORT=$((PORT + 1))
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$DATA"' EXIT

echo "== disk: 1 GiB sequential write with fsync (dd conv=fsync) under $DATA"
DD=$(dd if=/dev/zero of="$DATA/dd.test" bs=1M count=1024 conv=fsync 2>&1 | tail -1)
rm -f "$DATA/dd.test"
echo "$DD"
DD_SECONDS=$(echo "$DD" | awk -F, '{print $(NF-1)}' | awk '{print $1}')
DD_MIB_S=$(awk -v t="$DD_SECONDS" 'BEGIN{printf "%.1f", 1024/t}')

# Clips queue without transcoding so that the disk serves uploads only.
# shellcheck disable=SC2086
java "${HEAP_FLAG[@]}" ${SERVER_JAVA_OPTS:-} -jar ingest/target/convoy.jar serve --host 127.0.0.1 --port "$PORT" --management-port "$MPORT" --data-dir "$DATA" \
  --transcode-workers 0 --transcode-queue-limit 1000000 --max-uploads-per-device 100000 > "$DATA/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$MPORT/health/live" >/dev/null && break; sleep 0.2; done
TOKEN=$(java -jar ingest/target/convoy.jar token --owner load --device fleet --data-dir "$DATA")
echo "== server: pid $SERVER, heap limit $HEAP, idle RSS $(awk '/VmRSS/{printf "%.0f MiB", $2/1024}' /proc/$SERVER/status)"

load() {
  java -Xmx1g --enable-native-access=ALL-UNNAMED -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
    dev.convoy.benchmarks.UploadLoad "http://127.0.0.1:$PORT" "$TOKEN" "$UPLOADS" "$SIZE" "$CHUNK" "$SERVER"
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }
# A first pass of the same load compiles the server's hot paths; only the second is reported.
echo "== warm-up: $UPLOADS concurrent uploads x $SIZE MiB in $CHUNK MiB PATCHes (not reported)"
load | tail -1
echo "== load: $UPLOADS concurrent uploads x $SIZE MiB in $CHUNK MiB PATCHes"
TICKS=$(cpu_ticks)
OUT=$(load)
echo "$OUT"
awk -v t=$(( $(cpu_ticks) - TICKS )) -v n="$UPLOADS" -v size="$SIZE" -v hz="$(getconf CLK_TCK)" \
  'BEGIN{mib = n * size; printf "server CPU: %.1f s for %.0f MiB = %.2f ms per MiB\n", t/hz, mib, 1000*t/hz/mib}'
HEAP_USED=$(curl -s "http://127.0.0.1:$MPORT/metrics" | grep '^jvm_memory_used_bytes{area="heap"' | awk '{s+=$NF} END{printf "%.0f", s/1048576}')
echo "server heap used after the run: ${HEAP_USED} MiB; RSS now $(awk '/VmRSS/{printf "%.0f MiB", $2/1024}' /proc/$SERVER/status)"
TP=$(echo "$OUT" | sed -n 's/.*throughput_mib_s=\([0-9.]*\).*/\1/p')
awk -v tp="$TP" -v dd="$DD_MIB_S" 'BEGIN{printf "ratio: upload throughput %.1f MiB/s / dd fsync %.1f MiB/s = %.2f\n", tp, dd, tp/dd}'
