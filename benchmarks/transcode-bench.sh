#!/usr/bin/env bash
# JMH: the single-pass transcode of the generated 1080p30 12 Mbit/s clip.
# Usage: benchmarks/transcode-bench.sh [jmh options]   (MAVEN_ARGS=-Pgpl for the libx264 build)
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B ${MAVEN_ARGS:-} -pl benchmarks -am package -DskipTests
exec java -Dorg.bytedeco.javacpp.cachedir="$PWD/target/javacpp-cache" \
  -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
  org.openjdk.jmh.Main TranscodeBenchmark -jvmArgsAppend "-Dorg.bytedeco.javacpp.cachedir=$PWD/target/javacpp-cache" "$@"
