#!/usr/bin/env bash
# Time from the last byte to ready of one camera's 60 s 1080p30 12 Mbit/s incident clips, each sent as tus PATCHes
# of 1 MiB at RATE (curl --limit-rate, 2 MiB/s by default), one clip at a time to one warm server, by container:
# MPEG-TS, fragmented MP4 and MP4 with its index at the end. Reports the server's own timeToReadyMs (last byte
# written to manifest), what the camera saw (its last PATCH answered to the first poll, every 100 ms, that
# finds the clip ready), and the time from the upload's creation to its first picture stored (the server's
# convoy_time_to_poster_seconds, for clips transcoded while they arrive). Clips are made once with the FFmpeg CLI (apt-get install ffmpeg) into
# benchmarks/target/arriving-clips: the same H.264 High / AAC streams in each container.
# Usage: benchmarks/arriving.sh [runs per container (default 5)] [containers (default ts,fmp4,mp4)] [rate (default 2M)]
# SERVER_OPTS adds `convoy serve` options, e.g. "--transcode-arriving-wait 0" to transcode only after the last byte.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
CONTAINERS=${2:-ts,fmp4,mp4}
RATE=${3:-2M}
./mvnw -q -B -pl ingest -am package -DskipTests
CLIPS=benchmarks/target/arriving-clips
mkdir -p "$CLIPS"
if [ ! -s "$CLIPS/incident.mp4" ]; then
  echo "== making the 60 s 1080p30 12 Mbit/s clip (once)"
  # Film-grain noise keeps the encoder at its bitrate, as real footage does; a keyframe a second, as dash cams write.
  ffmpeg -y -v error -f lavfi -i "testsrc2=size=1920x1080:rate=30" -f lavfi -i "sine=frequency=440:sample_rate=48000" \
    -filter_complex "[0:v]noise=alls=12:allf=t+u[v]" -map "[v]" -map 1:a -t 60 \
    -c:v libx264 -preset veryfast -profile:v high -b:v 12M -maxrate 12M -bufsize 12M -g 30 -c:a aac -b:a 96k \
    -f mpegts "$CLIPS/incident.ts.tmp" && mv "$CLIPS/incident.ts.tmp" "$CLIPS/incident.ts"
  ffmpeg -y -v error -i "$CLIPS/incident.ts" -c copy -bsf:a aac_adtstoasc -movflags +frag_keyframe+empty_moov+default_base_moof -f mp4 "$CLIPS/incident.fmp4"
  ffmpeg -y -v error -i "$CLIPS/incident.ts" -c copy -bsf:a aac_adtstoasc -f mp4 "$CLIPS/incident.mp4"
fi
DATA=$(mktemp -d "${TMPDIR:-/tmp}/convoy-arriving.XXXXXX")
cp ingest/target/convoy.jar "$DATA/convoy.jar"
PORT=$((20000 + RANDOM % 20000))
MPORT=$((PORT + 1))
URL="http://127.0.0.1:$PORT"
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$DATA"' EXIT
# shellcheck disable=SC2086
java -jar "$DATA/convoy.jar" serve --host 127.0.0.1 --port "$PORT" --management-port "$MPORT" --data-dir "$DATA/server" \
  ${SERVER_OPTS:-} > "$DATA/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$MPORT/health/live" >/dev/null && break; sleep 0.2; done
TOKEN=$(java -jar "$DATA/convoy.jar" token --owner bench --device cam-1 --data-dir "$DATA/server" 2>/dev/null | tail -1)
echo "== server pid $SERVER ${SERVER_OPTS:-}; $RUNS clips per container at $RATE/s"
MIB=$((1 << 20))
now_ms() { date +%s%3N; }

send() { # file kind → clip id; prints the time of the last PATCH's answer in ms to $DATA/last
  local file=$1 size id offset
  size=$(stat -c %s "$file")
  id=$(curl -sS -D - -o /dev/null -X POST "$URL/files/" -H "Tus-Resumable: 1.0.0" -H "Authorization: Bearer $TOKEN" \
        -H "Upload-Length: $size" -H "Upload-Metadata: kind $(printf incident | base64),filename $(basename "$file" | base64 -w0)" \
        | tr -d '\r' | awk 'tolower($1)=="location:"{print $2}' | sed 's#.*/##')
  offset=0
  while [ "$offset" -lt "$size" ]; do
    dd if="$file" bs=$MIB skip=$((offset / MIB)) count=1 status=none \
      | curl -sS -f -o /dev/null --limit-rate "$RATE" -X PATCH "$URL/files/$id" -H "Tus-Resumable: 1.0.0" \
          -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/offset+octet-stream" -H "Upload-Offset: $offset" \
          --data-binary @-
    offset=$((offset + MIB < size ? offset + MIB : size))
  done
  now_ms > "$DATA/last"
  echo "$id"
}

ready() { # id → "timeToReadyMs seenMs wallMs" once ready
  local id=$1 body status
  while true; do
    body=$(curl -sS "$URL/api/clips/$id" -H "Authorization: Bearer $TOKEN")
    status=$(printf '%s' "$body" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
    if [ "$status" = ready ] || [ "$status" = failed ]; then
      local seen=$(( $(now_ms) - $(cat "$DATA/last") ))
      printf '%s' "$body" | python3 -c 'import json,sys; c=json.load(sys.stdin); print(c["status"], c.get("timeToReadyMs"), '"$seen"', c.get("transcode",{}).get("wallMs"))'
      return
    fi
    sleep 0.1
  done
}

poster_sum() { curl -s "http://127.0.0.1:$MPORT/metrics" | awk '/^convoy_time_to_poster_seconds_sum\{kind="incident"/{print $2}'; }
printf '%-6s %4s  %-40s %-40s %s\n' container runs "server timeToReadyMs (each; p50)" "camera saw ms (each; p50)" "first picture ms (each)"
IFS=, read -ra KINDS <<< "$CONTAINERS"
for c in "${KINDS[@]}"; do
  file="$CLIPS/incident.$c"
  server=()
  seen=()
  poster=()
  for _ in $(seq 1 "$RUNS"); do
    before=$(poster_sum)
    id=$(send "$file")
    read -r status ttr s _ <<< "$(ready "$id")"
    [ "$status" = ready ] || echo "clip $id ended $status" >&2
    server+=("$ttr")
    seen+=("$s")
    poster+=("$(awk -v a="${before:-0}" -v b="$(poster_sum)" 'BEGIN{d=(b-a)*1000; if (d>0) printf "%.0f", d; else printf "-"}')")
  done
  p50() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
  printf '%-6s %4s  %-40s %-40s %s\n' "$c" "$RUNS" "${server[*]}; $(p50 "${server[@]}")" "${seen[*]}; $(p50 "${seen[@]}")" "${poster[*]}"
done
echo "== early starts: $(curl -s "http://127.0.0.1:$MPORT/metrics" | awk '/^convoy_transcode_early_starts_total/{print $2}')," \
  "yields: $(curl -s "http://127.0.0.1:$MPORT/metrics" | grep '^convoy_transcode_early_yields_total' | tr '\n' ' ')"
