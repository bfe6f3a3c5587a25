#!/usr/bin/env bash
# What a node's history costs it: SETTLED committed clips' upload states in the spool, on a server
# that keeps them and on one that forgets them; start time, heap, state files and POST /files/ time.
# Usage: benchmarks/history-bench.sh [settled=50000] [creations=500]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -pl benchmarks -am package -DskipTests
java -Xmx2g --enable-native-access=ALL-UNNAMED -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
  dev.convoy.benchmarks.HistoryBench "${1:-50000}" "${2:-500}"
