#!/usr/bin/env bash
# Times Convoy's single-pass transcode of the generated 10 s 1080p30 clip.
# Usage: benchmarks/transcode-once.sh [runs] [threads] [small: a 5 s 640x360 clip instead]   (add -Pgpl to MAVEN_ARGS for libx264)
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B ${MAVEN_ARGS:-} -pl benchmarks -am package -DskipTests
exec java --enable-native-access=ALL-UNNAMED -Dorg.bytedeco.javacpp.cachedir="$PWD/target/javacpp-cache" \
  -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
  dev.convoy.benchmarks.TranscodeOnce "$@"
