#!/usr/bin/env bash
# N transcodes back to back through one worker process; prints the worker's RSS as it goes.
# Usage: benchmarks/worker-soak.sh [jobs=200] [clip-seconds=3]   (MAVEN_ARGS=-Pgpl for libx264)
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B ${MAVEN_ARGS:-} -pl benchmarks -am package -DskipTests
exec java -Dorg.bytedeco.javacpp.cachedir="$PWD/target/javacpp-cache" \
  -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" dev.convoy.benchmarks.WorkerSoak "$@"
