#!/usr/bin/env bash
# Listing an owner's clips when there are many: a real server on its embedded S3 store,
# CLIPS clips written as commits write them, each kind of GET /api/clips timed REPEATS times.
# Usage: benchmarks/listing-bench.sh [clips=10000] [repeats=30]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -pl benchmarks -am package -DskipTests
java -Xmx1g --enable-native-access=ALL-UNNAMED -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
  dev.convoy.benchmarks.ListingBench "${1:-10000}" "${2:-30}"
