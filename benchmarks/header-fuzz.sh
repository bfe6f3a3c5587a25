#!/usr/bin/env bash
# Fuzzes the tus header parsers, the clip metadata, the download file name and the listing's
# query parameters with random and mutated input; fails on any exception that is not the
# parser's refusal (which the endpoint would answer with a 500).
# Usage: benchmarks/header-fuzz.sh [seconds=120] [seed]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -pl benchmarks -am package -DskipTests
exec java -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" dev.convoy.benchmarks.fuzz.HeaderFuzz "$@"
