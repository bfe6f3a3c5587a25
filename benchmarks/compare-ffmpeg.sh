#!/usr/bin/env bash
# Convoy's single pass against the FFmpeg command line, side by side on one clip, in one run.
#   (a) Convoy (gpl build, libx264): poster + thumbnails (JPEG, WebP) + storyboard + preview, one decode
#   (b) FFmpeg CLI: the preview alone, same x264 settings
#   (c) FFmpeg CLI: the same renditions as separate commands (preview, poster, thumbnails, storyboard)
# Prints wall and CPU seconds (median of RUNS) and the ratios a/b and a/c.
# Usage: benchmarks/compare-ffmpeg.sh [runs=3] [threads=cores]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}; THREADS=${2:-$(nproc)}
if ! command -v ffmpeg >/dev/null; then
  echo "== installing the FFmpeg CLI (apt-get install ffmpeg)"
  { apt-get update -qq && apt-get install -y -qq ffmpeg; } >/dev/null || sudo apt-get install -y -qq ffmpeg >/dev/null
fi
echo "== $(ffmpeg -version | head -1)"

# (a) builds the gpl jar, generates the clip once (cached in target/test-clips) and times the pass.
A_OUT=$(MAVEN_ARGS=-Pgpl benchmarks/transcode-once.sh "$RUNS" "$THREADS")
echo "$A_OUT" | sed 's/^/   convoy: /'
CLIP=target/test-clips/$(echo "$A_OUT" | sed -n 's/^clip=\([^ ]*\) .*/\1/p')
A_WALL=$(echo "$A_OUT" | sed -n 's/^median wall_ms=\([0-9]*\) cpu_ms=\([0-9]*\).*/\1/p' | awk '{printf "%.2f", $1/1000}')
A_CPU=$(echo "$A_OUT" | sed -n 's/^median wall_ms=\([0-9]*\) cpu_ms=\([0-9]*\).*/\2/p' | awk '{printf "%.2f", $1/1000}')

OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
FF=(ffmpeg -hide_banner -loglevel error -y -threads "$THREADS")
X264=(-c:v libx264 -preset veryfast -profile:v main -crf 28 -maxrate 750k -bufsize 1500k -g 60 -threads "$THREADS")
preview() { "${FF[@]}" -i "$CLIP" -vf scale=640:360:flags=bilinear -r 30 "${X264[@]}" -c:a aac -ac 1 -b:a 64k -movflags +faststart "$OUT/preview.mp4"; }
poster() { "${FF[@]}" -ss 5 -i "$CLIP" -frames:v 1 -vf scale=1280:-2 -q:v 3 "$OUT/poster.jpg"; }
thumb() { "${FF[@]}" -ss 5 -i "$CLIP" -frames:v 1 -vf scale=320:-2 -q:v 3 "$OUT/thumb.jpg"; }
thumb_webp() { "${FF[@]}" -ss 5 -i "$CLIP" -frames:v 1 -vf scale=320:-2 -c:v libwebp -quality 75 "$OUT/thumb.webp"; }
storyboard() { "${FF[@]}" -i "$CLIP" -an -vf fps=1,scale=160:-2,tile=10x1 -frames:v 1 -q:v 5 "$OUT/sprite.jpg"; }

# Wall and CPU (user + sys of the children) of a shell function, in seconds.
measure() {
  local t0 c0 t1 c1 me=$BASHPID
  t0=$(date +%s.%N); c0=$(awk '{print $16 + $17}' "/proc/$me/stat")
  "$@"
  t1=$(date +%s.%N); c1=$(awk '{print $16 + $17}' "/proc/$me/stat")
  awk -v a="$t0" -v b="$t1" -v c="$c0" -v d="$c1" -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.2f %.2f\n", b-a, (d-c)/hz}'
}
separate() { preview; poster; thumb; thumb_webp; storyboard; }
median() { sort -n | awk '{v[NR]=$1} END{print v[int((NR+1)/2)]}'; }

B=(); C=()
for _ in $(seq 1 "$RUNS"); do B+=("$(measure preview)"); C+=("$(measure separate)"); done
B_WALL=$(printf '%s\n' "${B[@]}" | awk '{print $1}' | median); B_CPU=$(printf '%s\n' "${B[@]}" | awk '{print $2}' | median)
C_WALL=$(printf '%s\n' "${C[@]}" | awk '{print $1}' | median); C_CPU=$(printf '%s\n' "${C[@]}" | awk '{print $2}' | median)

echo
printf '%-62s %8s %8s\n' "median of $RUNS, $THREADS threads, $(basename "$CLIP")" "wall s" "CPU s"
printf '%-62s %8s %8s\n' "(a) convoy single pass: poster+thumbs+storyboard+preview" "$A_WALL" "$A_CPU"
printf '%-62s %8s %8s\n' "(b) ffmpeg CLI: preview only" "$B_WALL" "$B_CPU"
printf '%-62s %8s %8s\n' "(c) ffmpeg CLI: same renditions, separate commands" "$C_WALL" "$C_CPU"
echo "preview bytes: convoy $(echo "$A_OUT" | sed -n 's/^run=1 .*preview_bytes=\([0-9]*\).*/\1/p'), ffmpeg CLI $(stat -c %s "$OUT/preview.mp4")"
awk -v aw="$A_WALL" -v ac="$A_CPU" -v bw="$B_WALL" -v bc="$B_CPU" -v cw="$C_WALL" -v cc="$C_CPU" 'BEGIN{
  printf "a/b: wall %.2f, CPU %.2f (target <= 1.0)\n", aw/bw, ac/bc;
  printf "a/c: wall %.2f, CPU %.2f (target <= 0.6)\n", aw/cw, ac/cc }'
