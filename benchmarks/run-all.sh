#!/usr/bin/env bash
# The short version of every benchmark, one after another, and one table of their key figures.
# Each step's whole output is kept under benchmarks/target/run-all/. About 25 minutes on 2 cores.
# Usage: benchmarks/run-all.sh          (MAVEN_ARGS=-Pgpl for the libx264 build)
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=benchmarks/target/run-all
mkdir -p "$OUT"
# Builds the server's convoy.jar, the fleet's convoy-fleet.jar and the benchmark classes the steps run.
./mvnw -q -B ${MAVEN_ARGS:-} -pl benchmarks -am package -DskipTests || exit 1
ROWS=()
row() { ROWS+=("| $1 | $2 | \`$3\` |"); }
step() {  # step NAME COMMAND... : runs it, keeps its output, prints its tail
  local name=$1; shift
  echo "== $name: $*"
  "$@" > "$OUT/$name.txt" 2>&1
  local status=$?
  tail -4 "$OUT/$name.txt"
  [ $status -eq 0 ] || echo "   ($name exited $status)"
  return 0
}
pick() { sed -n "$2" "$OUT/$1.txt" | tail -1; }
jmh() { awk -v b="$2" '$1 == b {print $(NF-3), $(NF-2), $(NF-1), $NF}' "$OUT/$1.txt" | tail -1; }  # score ± error unit

step transcode-once benchmarks/transcode-once.sh 3 2
row "single-pass transcode, 10 s 1080p30" "$(pick transcode-once 's/^median \(.*\)/\1/p')" "benchmarks/transcode-once.sh 3 2"

step compare-ffmpeg benchmarks/compare-ffmpeg.sh 1 2
row "Convoy vs FFmpeg CLI (preview only / separate commands)" \
  "$(pick compare-ffmpeg 's/^a\/b: \(.*\) (target.*/a\/b \1/p'); $(pick compare-ffmpeg 's/^a\/c: \(.*\) (target.*/a\/c \1/p')" "benchmarks/compare-ffmpeg.sh 1 2"

step transcode-jmh benchmarks/transcode-bench.sh -wi 1 -i 3
row "JMH single pass, 10 s 1080p30" "$(jmh transcode-jmh TranscodeBenchmark.singlePass)" "benchmarks/transcode-bench.sh -wi 1 -i 3"

step ingest-jmh benchmarks/ingest-bench.sh 'PatchBenchmark|CommitBenchmark' -wi 1 -i 3 -w 3s -r 3s
row "JMH PATCH of 1 MiB into the spool" "$(jmh ingest-jmh PatchBenchmark.patch)" "benchmarks/ingest-bench.sh PatchBenchmark"
row "JMH commit of a 45 MiB clip to S3Proxy" "$(jmh ingest-jmh CommitBenchmark.commit)" "benchmarks/ingest-bench.sh CommitBenchmark"

step upload-load benchmarks/upload-load.sh 50 8 1 512m
row "50 concurrent uploads × 8 MiB" "$(pick upload-load 's/^ratio: \(.*\)/\1/p')" "benchmarks/upload-load.sh 50 8 1 512m"

step listing benchmarks/listing-bench.sh 2000 5
row "listing, 2,000 clips, first page" "$(pick listing 's/^first page, limit 50 *\(.*\)/\1/p' | tr -s ' ')" "benchmarks/listing-bench.sh 2000 5"

step history benchmarks/history-bench.sh 10000 200
row "POST /files/ with 10,000 committed uploads kept / forgotten" "$(pick history 's/^| POST \/files\/ mean, ms | \(.*\) | \(.*\) | \(.*\) |$/\1 \/ \2 ms/p')" "benchmarks/history-bench.sh 10000 200"

step worker-soak benchmarks/worker-soak.sh 20 3
row "worker RSS over 20 transcodes" "$(pick worker-soak 's/^jobs=.*worker_rss_mib \(.*\)/\1/p')" "benchmarks/worker-soak.sh 20 3"

step fleet benchmarks/fleet.sh --cams 20 --network 4g --duration 60s --clip-every 60s --ready-timeout 10m
row "fleet, 20 cameras on 4g for 60 s" "$(pick fleet 's/^| clips recorded \/ uploaded \/ failed | \(.*\) |$/\1 clips/p'), $(pick fleet 's/^fleet: \(OK\|FAILED\).*/\1/p'), $(pick fleet 's/^== server: \(peak RSS [0-9]* MiB\).*/\1/p')" "benchmarks/fleet.sh --cams 20 --network 4g --duration 60s --clip-every 60s --ready-timeout 10m"

echo
echo "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1), $(date -u +%Y-%m-%d)"
echo "| benchmark | figure | command |"
echo "|---|---|---|"
printf '%s\n' "${ROWS[@]}"
