#!/usr/bin/env bash
# A clip's original downloaded through Convoy's /media/ relay (the embedded store's default) against the same
# file downloaded straight from the store with a presigned URL (a server given the same kind of store, S3Proxy on
# its file system, started apart with `convoy object-store`): MiB/s of whole downloads and the time to the first
# byte of a 1 MiB range in the middle (a video seek), each the median of RUNS, side by side in one run.
# The clip is the 60 s 1080p incident benchmarks/arriving.sh makes (run it once first, or any file as FILE).
# Usage: benchmarks/media.sh [runs (default 5)]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
FILE=${FILE:-benchmarks/target/arriving-clips/incident.mp4}
[ -s "$FILE" ] || { echo "no $FILE: run benchmarks/arriving.sh 1 mp4 first, or set FILE" >&2; exit 2; }
./mvnw -q -B -pl ingest -am package -DskipTests
DATA=$(mktemp -d "${TMPDIR:-/tmp}/convoy-media.XXXXXX")
cp ingest/target/convoy.jar "$DATA/convoy.jar"
BASE=$((20000 + RANDOM % 20000))
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null || true; rm -rf "$DATA"' EXIT
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench-secret-key
java -jar "$DATA/convoy.jar" object-store --dir "$DATA/store" --port $((BASE + 9)) > "$DATA/store.log" 2>&1 &
PIDS+=($!)

serve() { # name port [options] → starts a server
  local name=$1 port=$2
  shift 2
  java -jar "$DATA/convoy.jar" serve --host 127.0.0.1 --port "$port" --management-port $((port + 1)) \
    --data-dir "$DATA/$name" "$@" > "$DATA/$name.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$((port + 1))/health/ready" >/dev/null && return; sleep 0.2; done
  echo "$name did not start; see $DATA/$name.log" >&2; exit 1
}

original() { # name port → the original's link, after uploading FILE and waiting for the clip
  local name=$1 port=$2 url="http://127.0.0.1:$2" device owner id size clip
  device=$(java -jar "$DATA/convoy.jar" token --owner bench --device cam --data-dir "$DATA/$name" 2>/dev/null | tail -1)
  owner=$(java -jar "$DATA/convoy.jar" token --owner bench --data-dir "$DATA/$name" 2>/dev/null | tail -1)
  size=$(stat -c %s "$FILE")
  id=$(curl -sS -D - -o /dev/null -X POST "$url/files/" -H "Tus-Resumable: 1.0.0" -H "Authorization: Bearer $device" \
        -H "Upload-Length: $size" -H "Upload-Metadata: kind $(printf drive | base64)" \
        | tr -d '\r' | awk 'tolower($1)=="location:"{print $2}' | sed 's#.*/##')
  curl -sS -f -o /dev/null -X PATCH "$url/files/$id" -H "Tus-Resumable: 1.0.0" -H "Authorization: Bearer $device" \
    -H "Content-Type: application/offset+octet-stream" -H "Upload-Offset: 0" --data-binary @"$FILE"
  for _ in $(seq 1 600); do
    clip=$(curl -sS "$url/api/clips/$id" -H "Authorization: Bearer $owner")
    case "$clip" in *'"status" : "ready"'*|*'"status" : "failed"'*) break ;; esac
    sleep 0.5
  done
  link=$(printf '%s' "$clip" | tr -d '\n' | sed 's/.*"original" : "\([^"]*\)".*/\1/')
  case "$link" in /*) link="$url$link" ;; esac
  printf '%s' "$link"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

measure() { # label link → one line of medians
  local label=$1 link=$2 size=$(stat -c %s "$FILE") middle speeds=() firsts=()
  middle=$((size / 2))
  curl -sS -f -o /dev/null "$link"   # warm: the file system cache holds the object for both
  for _ in $(seq 1 "$RUNS"); do
    speeds+=("$(curl -sS -f -o /dev/null -w '%{speed_download}' "$link")")
    firsts+=("$(curl -sS -f -o /dev/null -r "$middle-$((middle + 1048575))" -w '%{time_starttransfer}' "$link")")
  done
  printf '%-34s %8.1f MiB/s   1 MiB range: first byte %6.1f ms\n' "$label" \
    "$(printf '%s\n' "${speeds[@]}" | median | awk '{print $1 / 1048576}')" \
    "$(printf '%s\n' "${firsts[@]}" | median | awk '{print $1 * 1000}')"
}

serve relay $BASE
serve direct $((BASE + 3)) --s3-endpoint "http://127.0.0.1:$((BASE + 9))" --s3-bucket media
RELAY=$(original relay $BASE)
DIRECT=$(original direct $((BASE + 3)))
echo "== $(basename "$FILE") ($(stat -c %s "$FILE") bytes), median of $RUNS; $(nproc) cores"
measure "through Convoy (/media/, embedded)" "$RELAY"
measure "straight from the store (presigned)" "$DIRECT"
