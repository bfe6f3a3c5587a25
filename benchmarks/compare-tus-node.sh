#!/usr/bin/env bash
# Convoy's upload endpoint against @tus/server 2.4.5 (Node, file store), side by side under the same
# tus-js-client load: N uploads at once, each SIZE MB in CHUNK-MiB PATCHes, over loopback, servers
# taking turns ROUNDS times. For each run: throughput, the server's CPU per MiB (utime+stime from
# /proc) and its peak RSS (VmRSS sampled every 100 ms). Convoy runs with transcoding off and the JVM
# options in CONVOY_JAVA_OPTS (default: those of the container image's 512 MiB profile).
# Usage: benchmarks/compare-tus-node.sh [uploads=50] [size-mb=20] [chunk-mib=5] [rounds=2]
# WARMUPS (default 1) passes run before the measured one, for JIT compilers to finish.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-50}; SIZE_MB=${2:-20}; CHUNK_MIB=${3:-5}; ROUNDS=${4:-2}
SIZE=$((SIZE_MB * 1000 * 1000)); CHUNK=$((CHUNK_MIB * 1024 * 1024))
JAVA_OPTS=${CONVOY_JAVA_OPTS:-"-Xmx160m -XX:MaxDirectMemorySize=96m -XX:+UseSerialGC -Xss512k -XX:ReservedCodeCacheSize=48m -XX:MaxMetaspaceSize=96m"}
[ -f ingest/target/convoy.jar ] || ./mvnw -q -B -pl ingest -am package -DskipTests
NODE_DIR=benchmarks/target/tus-node
if [ ! -d "$NODE_DIR/node_modules/@tus/server" ]; then
  mkdir -p "$NODE_DIR"; cp benchmarks/tus-node/package.json benchmarks/tus-node/package-lock.json "$NODE_DIR/"
  (cd "$NODE_DIR" && npm ci --silent)
fi
cp benchmarks/tus-node/*.mjs "$NODE_DIR/"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/convoy-vs-tus.XXXXXX")
SERVER=; SAMPLER=
trap 'kill $SERVER $SAMPLER 2>/dev/null || true; rm -rf "$WORK"' EXIT
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
sample_rss() { # PID FILE: peak VmRSS in KiB, every 100 ms
  local peak=0 v
  while kill -0 "$1" 2>/dev/null; do
    v=$(awk '/VmRSS/{print $2}' "/proc/$1/status" 2>/dev/null || echo 0); [ "${v:-0}" -gt "$peak" ] && peak=$v && echo "$peak" > "$2"
    sleep 0.1
  done
}
wait_port() { for _ in $(seq 1 300); do curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0; sleep 0.1; done; echo "server on $1 did not start" >&2; exit 1; }
HZ=$(getconf CLK_TCK)
ROWS=()
run() { # NAME
  local name=$1 port=$((20000 + RANDOM % 20000)) token= dir="$WORK/$1-$RANDOM"
  mkdir -p "$dir"
  if [ "$name" = convoy ]; then
    java $JAVA_OPTS -jar ingest/target/convoy.jar serve --host 127.0.0.1 --port "$port" --management-port 0 \
      --data-dir "$dir" --transcode-workers 0 --transcode-queue-limit 1000000 --max-uploads-per-device 100000 --min-free-spool-bytes 0 > "$dir.log" 2>&1 &
    SERVER=$!; wait_port "$port"
    token=$(java -jar ingest/target/convoy.jar token --data-dir "$dir" --owner bench --device load)
  else
    node "$NODE_DIR/server.mjs" "$port" "$dir" > "$dir.log" 2>&1 &
    SERVER=$!; wait_port "$port"
  fi
  # Warm-up (JIT, caches), not reported.
  for _ in $(seq 1 "${WARMUPS:-1}"); do
    node "$NODE_DIR/load.mjs" "http://127.0.0.1:$port" "$N" "$SIZE" "$CHUNK" $token > /dev/null
  done
  echo 0 > "$dir.rss"; sample_rss "$SERVER" "$dir.rss" & SAMPLER=$!
  local before; before=$(cpu_ticks "$SERVER")
  local result; result=$(node "$NODE_DIR/load.mjs" "http://127.0.0.1:$port" "$N" "$SIZE" "$CHUNK" $token)
  local after; after=$(cpu_ticks "$SERVER")
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; wait "$SAMPLER" 2>/dev/null || true
  local mibs; mibs=$(echo "$result" | sed 's/.*"mibPerSecond":\([0-9.]*\).*/\1/')
  local mib; mib=$(awk -v b="$N" -v s="$SIZE" 'BEGIN{print b*s/1048576}')
  local cpu; cpu=$(awk -v t=$((after - before)) -v hz="$HZ" -v m="$mib" 'BEGIN{printf "%.2f", t*1000/hz/m}')
  local rss; rss=$(awk '{printf "%d", $1/1024}' "$dir.rss")
  printf '%-7s %7.1f MiB/s  %6s ms CPU/MiB  peak RSS %5s MiB\n' "$name" "$mibs" "$cpu" "$rss"
  ROWS+=("$name $mibs $cpu $rss")
}
echo "$N uploads × $SIZE_MB MB, $CHUNK_MIB MiB PATCHes (tus-js-client), $ROUNDS rounds after ${WARMUPS:-1} warm-up passes; Convoy: $JAVA_OPTS"
for r in $(seq 1 "$ROUNDS"); do run convoy; run tus-node; done
printf '%s\n' "${ROWS[@]}" | awk '
  {n[$1]++; t[$1]+=$2; c[$1]+=$3; if ($4 > r[$1]) r[$1]=$4}
  END {
    printf "\n| server | MiB/s (mean) | CPU ms per MiB (mean) | peak RSS MiB (max) |\n|---|---|---|---|\n"
    for (s in n) printf "| %s | %.1f | %.2f | %d |\n", s, t[s]/n[s], c[s]/n[s], r[s]
    printf "\nratios Convoy / @tus/server: CPU per MiB %.2f (target <= 0.7), throughput %.2f, peak RSS %.2f\n",
      (c["convoy"]/n["convoy"])/(c["tus-node"]/n["tus-node"]), (t["convoy"]/n["convoy"])/(t["tus-node"]/n["tus-node"]), r["convoy"]/r["tus-node"]
  }'
