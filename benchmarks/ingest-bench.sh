#!/usr/bin/env bash
# JMH: the ingest hot paths — one tus PATCH into the spool (PatchBenchmark) and the commit of a
# clip to S3Proxy (CommitBenchmark). Usage: benchmarks/ingest-bench.sh [Benchmark regex] [jmh options]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -pl benchmarks -am package -DskipTests
exec java -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" org.openjdk.jmh.Main "${1:-PatchBenchmark|CommitBenchmark}" "${@:2}"
