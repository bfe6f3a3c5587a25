#!/usr/bin/env bash
# A fleet uploads while its server is stopped with SIGTERM (it drains) and started again on the same
# data dir and port, as a rolling update does to a pod with its volume: nothing may be lost, every
# clip must become ready once. Prints the drain's log lines, the downtime and the fleet's summary.
# Usage: benchmarks/drain-restart.sh [seconds before the SIGTERM=30] [fleet options...]
set -euo pipefail
cd "$(dirname "$0")/.."
AFTER=${1:-30}
shift || true
./mvnw -q -B -pl benchmarks -am package -DskipTests
DATA=$(mktemp -d "${TMPDIR:-/tmp}/convoy-drain.XXXXXX")
cp ingest/target/convoy.jar "$DATA/convoy.jar"
cp benchmarks/target/convoy-fleet.jar "$DATA/convoy-fleet.jar"
PORT=$((20000 + RANDOM % 20000))
MPORT=$((PORT + 1))
SERVER=
trap 'kill $SERVER $FLEET 2>/dev/null || true; rm -rf "$DATA"' EXIT
serve() {
  java -jar "$DATA/convoy.jar" serve --host 127.0.0.1 --port "$PORT" --management-port "$MPORT" \
    --data-dir "$DATA/server" --max-uploads-per-device 100000 --drain-grace 30 >> "$DATA/server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$MPORT/health/live" >/dev/null && return; sleep 0.2; done
  echo "the server did not start" >&2; exit 1
}
serve
mkdir -p benchmarks/target/fleet-clips
java -Xmx2g -jar "$DATA/convoy-fleet.jar" --url "http://127.0.0.1:$PORT" --metrics-url "http://127.0.0.1:$MPORT" \
  --data-dir "$DATA/server" --clip-cache "$PWD/benchmarks/target/fleet-clips" "$@" > "$DATA/fleet.log" 2>&1 &
FLEET=$!
sleep "$AFTER"
echo "== SIGTERM to the server after ${AFTER} s"
STOP=$(date +%s.%N)
kill -TERM "$SERVER"
wait "$SERVER" || true
STOPPED=$(date +%s.%N)
serve
STARTED=$(date +%s.%N)
awk -v a="$STOP" -v b="$STOPPED" -v c="$STARTED" 'BEGIN{printf "drained and stopped in %.1f s; serving again %.1f s after the SIGTERM\n", b-a, c-a}'
grep -E "event=(drain_started|drain_finished|commit_resumed)" "$DATA/server.log" | sed 's/^[^ ]* //' || true
set +e
wait "$FLEET"
STATUS=$?
set -e
echo "== fleet (exit $STATUS)"
tail -n 30 "$DATA/fleet.log"
exit $STATUS
