#!/usr/bin/env bash
# What forwarding between nodes costs: two nodes (benchmarks/cluster.sh), the same tus load sent
# straight to the node that holds the uploads, and sent to the other node, which forwards every
# PATCH (the Vert.x HTTP client piped both ways, with backpressure). Alternates ROUNDS times and
# prints throughput and the CPU per MiB of each node for both.
# Usage: benchmarks/forward-bench.sh [uploads=50] [size-mib=20] [chunk-mib=1] [rounds=2]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-50}; SIZE=${2:-20}; CHUNK=${3:-1}; ROUNDS=${4:-2}
./mvnw -q -B -pl benchmarks -am package -DskipTests
DIR=$(mktemp -d "${TMPDIR:-/tmp}/convoy-forward.XXXXXX")
trap 'benchmarks/cluster.sh stop "$DIR" >/dev/null 2>&1 || true; rm -rf "$DIR"' EXIT
CONVOY_TRANSCODE_WORKERS=0 CONVOY_MAX_UPLOADS_PER_DEVICE=100000 CONVOY_TRANSCODE_QUEUE_LIMIT=1000000 \
  benchmarks/cluster.sh start 2 "$DIR" > "$DIR/start.txt"
URL1=$(sed -n 's/^node 1: n1 url=\([^ ]*\).*/\1/p' "$DIR/start.txt")
URL2=$(sed -n 's/^node 2: n2 url=\([^ ]*\).*/\1/p' "$DIR/start.txt")
PID1=$(cat "$DIR/node-1.pid"); PID2=$(cat "$DIR/node-2.pid")
TOKEN=$(benchmarks/cluster.sh token "$DIR" --owner load --device fleet)
HZ=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
load() { # [VIA]
  java -Xmx1g -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
    dev.convoy.benchmarks.UploadLoad "$URL1" "$TOKEN" "$N" "$SIZE" "$CHUNK" "$PID1" "$@" | tail -1
}
echo "== warm-up, both ways (not reported)"; load > /dev/null; load "$URL2" > /dev/null
for r in $(seq 1 "$ROUNDS"); do
  for way in direct forwarded; do
    a=$(ticks "$PID1"); b=$(ticks "$PID2")
    if [ $way = direct ]; then out=$(load); else out=$(load "$URL2"); fi
    c=$(ticks "$PID1"); d=$(ticks "$PID2")
    awk -v w=$way -v o="$out" -v h1=$((c - a)) -v h2=$((d - b)) -v hz="$HZ" -v mib=$((N * SIZE)) 'BEGIN{
      match(o, /throughput_mib_s=[0-9.]+/); tp=substr(o, RSTART+17, RLENGTH-17)
      match(o, /patch_p99_ms=[0-9.]+/); p99=substr(o, RSTART+13, RLENGTH-13)
      printf "%-9s %7.1f MiB/s  PATCH p99 %7.1f ms  holder %.2f ms CPU/MiB  forwarder %.2f ms CPU/MiB\n", w, tp, p99, 1000*h1/hz/mib, 1000*h2/hz/mib}'
  done
done
