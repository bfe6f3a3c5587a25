#!/usr/bin/env bash
# A fleet against a fresh local server: the fleet simulator (benchmarks/target/convoy-fleet.jar)
# with the given options, the server's peak RSS and CPU sampled from /proc, and its stage metrics at the end.
# Usage: benchmarks/fleet.sh [fleet options...]   e.g. benchmarks/fleet.sh --cams 500 --network lossy --duration 5m
# SERVER_OPTS adds `convoy serve` options (e.g. "--transcode-workers 2").
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -pl benchmarks -am package -DskipTests
DATA=$(mktemp -d "${TMPDIR:-/tmp}/convoy-fleet.XXXXXX")
# The server and the fleet run from copies, so that rebuilding the project meanwhile cannot disturb them.
cp ingest/target/convoy.jar "$DATA/convoy.jar"
cp benchmarks/target/convoy-fleet.jar "$DATA/convoy-fleet.jar"
PORT=$((20000 + RANDOM % 20000))
MPORT=$((PORT + 1))
trap 'kill $SERVER $SAMPLER 2>/dev/null || true; rm -rf "$DATA"' EXIT
# shellcheck disable=SC2086
java -jar "$DATA/convoy.jar" serve --host 127.0.0.1 --port "$PORT" --management-port "$MPORT" --data-dir "$DATA/server" \
  --max-uploads-per-device 100000 ${SERVER_OPTS:-} > "$DATA/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$MPORT/health/live" >/dev/null && break; sleep 0.2; done
echo "== server: pid $SERVER, idle RSS $(awk '/VmRSS/{printf "%.0f MiB", $2/1024}' /proc/$SERVER/status) ${SERVER_OPTS:-}"
( peak=0; while kill -0 $SERVER 2>/dev/null; do
    rss=$(awk '/VmRSS/{print $2}' /proc/$SERVER/status 2>/dev/null || echo 0)
    [ "${rss:-0}" -gt "$peak" ] && peak=$rss && echo "$peak" > "$DATA/peak-rss"
    sleep 1; done ) &
SAMPLER=$!
TICKS0=$(awk '{print $14 + $15}' "/proc/$SERVER/stat")
set +e
mkdir -p benchmarks/target/fleet-clips
java -Xmx2g -jar "$DATA/convoy-fleet.jar" --url "http://127.0.0.1:$PORT" --metrics-url "http://127.0.0.1:$MPORT" --data-dir "$DATA/server" --clip-cache "$PWD/benchmarks/target/fleet-clips" "$@"
STATUS=$?
set -e
TICKS=$(( $(awk '{print $14 + $15}' "/proc/$SERVER/stat") - TICKS0 ))
echo "== server: peak RSS $(awk '{printf "%.0f MiB", $1/1024}' "$DATA/peak-rss"), CPU $(awk -v t=$TICKS -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.0f s", t/hz}') (server process only; transcode workers are separate processes)"
echo "== server stage metrics at the end"
curl -s "http://127.0.0.1:$MPORT/metrics" | grep -E '^convoy_(transcode_seconds|commit_seconds)_(count|sum)|^convoy_uploads_completed_total|^convoy_transcode_queue_depth|^convoy_transcode_failures_total|^convoy_commit_retries_total' || true
exit $STATUS
