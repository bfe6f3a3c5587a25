#!/usr/bin/env bash
# The fleet simulator through a local cluster (benchmarks/cluster.sh, nginx round-robin in front), first
# with 1 node, then with 3 nodes of which node 2 is drained (its open uploads parked and adopted by the
# others) and node 3 restarted while the fleet uploads. Every clip must arrive whole and become ready
# once. Prints each run's summary and a table of the two side by side. On one machine 3 nodes share its
# cores, so expect no speed-up: the point is that nothing is lost.
# Usage: benchmarks/cluster-fleet.sh [seconds before the drain=20] [seconds before the restart=40] [fleet options...]
set -euo pipefail
cd "$(dirname "$0")/.."
DRAIN_AT=${1:-20}; shift || true
RESTART_AT=${1:-40}; shift || true
FLEET_ARGS=("$@")
[ ${#FLEET_ARGS[@]} -gt 0 ] || FLEET_ARGS=(--cams 20 --network 4g --duration 60s --clip-every 20s --ready-timeout 15m)
./mvnw -q -B -pl benchmarks -am package -DskipTests
WORK=$(mktemp -d "${TMPDIR:-/tmp}/convoy-cluster-fleet.XXXXXX")
OUT=benchmarks/target/cluster-fleet; mkdir -p "$OUT" benchmarks/target/fleet-clips
cleanup() { for d in "$WORK"/c1 "$WORK"/c3; do [ -f "$d/cluster.env" ] && benchmarks/cluster.sh stop "$d" >/dev/null 2>&1; done; rm -rf "$WORK"; }
trap cleanup EXIT
export CONVOY_TRANSCODE_WORKERS=${CONVOY_TRANSCODE_WORKERS:-1} CONVOY_MAX_UPLOADS_PER_DEVICE=100000

run() { # NODES DIR
  local n=$1 dir=$2 url mgmt
  benchmarks/cluster.sh start "$n" "$dir" > "$OUT/start-$n.txt"
  url=$(sed -n 's/^url=//p' "$OUT/start-$n.txt")
  mgmt=$(sed -n 's/^node 1: .*management=\([^ ]*\).*/\1/p' "$OUT/start-$n.txt")
  echo "== $n node(s) behind $url: fleet ${FLEET_ARGS[*]}"
  java -Xmx2g -jar benchmarks/target/convoy-fleet.jar --url "$url" --metrics-url "$mgmt" --data-dir "$dir" \
    --clip-cache "$PWD/benchmarks/target/fleet-clips" --json "$OUT/fleet-$n.json" "${FLEET_ARGS[@]}" > "$OUT/fleet-$n.txt" 2>&1 &
  local fleet=$!
  if [ "$n" -ge 3 ]; then
    sleep "$DRAIN_AT"; echo "-- at ${DRAIN_AT} s: drain node 2"; benchmarks/cluster.sh drain "$dir" 2
    sleep $((RESTART_AT > DRAIN_AT ? RESTART_AT - DRAIN_AT : 0)); echo "-- at ${RESTART_AT} s (and the drain): restart node 3"
    benchmarks/cluster.sh restart "$dir" 3
  fi
  local status=0; wait "$fleet" || status=$?
  tail -n 14 "$OUT/fleet-$n.txt"
  echo "-- hand-offs and forwarding:"
  cat "$dir"/node-*/server.log | grep -oE "event=(upload_parked|upload_adopted|forward_unreachable|forward_failed|parking_finished)" | sort | uniq -c || true
  for k in $(seq 1 "$n"); do
    curl -sf "$(sed -n "s/^node $k: .*management=\([^ ]*\).*/\1/p" "$OUT/start-$n.txt")/metrics" 2>/dev/null \
      | grep -E '^convoy_forwarded_requests_total\{outcome="(relayed|relayed_twice)"' | sed "s/^/   node $k: /" || true
  done
  benchmarks/cluster.sh stop "$dir" > /dev/null
  # Ready exactly once: no clip committed twice, by one node or by two.
  local twice
  twice=$(cat "$dir"/node-*/server.log | grep -oE "event=clip_committed upload=[0-9a-f]{32}" | sort | uniq -d | wc -l)
  echo "-- clips committed: $(cat "$dir"/node-*/server.log | grep -cE "event=clip_committed upload=") lines, committed more than once: $twice"
  [ "$twice" -eq 0 ] || status=1
  return $status
}

set +e
run 1 "$WORK/c1"; S1=$?
run 3 "$WORK/c3"; S3=$?
set -e
field() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$1" "$2" 2>/dev/null || echo "?"; }
echo
echo "| fleet ${FLEET_ARGS[*]} | 1 node | 3 nodes, node 2 drained at ${DRAIN_AT} s, node 3 restarted at ${RESTART_AT} s |"
echo "|---|---|---|"
for row in "clips recorded / ready / lost|'%s / %s / %s' % (d['clipsRecorded'], d['ready'], d['mismatched'] + d['uploadsFailed'])" \
           "MiB/s acknowledged, aggregate|d['mibPerSecond']" \
           "last byte to ready p50 / p95, s|'%.1f / %.1f' % (d['readyMs']['p50']/1000, d['readyMs']['p95']/1000)" \
           "chunk acknowledged p95, ms|d['chunkAckMs']['p95']" \
           "resumes|d['resumes']"; do
  echo "| ${row%%|*} | $(field "$OUT/fleet-1.json" "${row#*|}") | $(field "$OUT/fleet-3.json" "${row#*|}") |"
done
echo "exit: 1 node $S1, 3 nodes $S3 (0: no byte lost, every clip ready)"
[ $S1 -eq 0 ] && [ $S3 -eq 0 ]
