#!/usr/bin/env bash
# Builds bert-embed twice (default target, and -target-cpu native in .build-native) and runs the hidden
# `bench-kernels` subcommand of each: every micro-kernel's GFLOP/s alone, GEMM GFLOP/s on MiniLM / BERT-base
# shapes for 1 and all threads, attention and LayerNorm timings. Extra arguments go to bench-kernels
# (e.g. --threads 1,2 --shapes 256x1536x384 --activation identity). Measure on a quiet machine:
# the script prints `uptime` before each run.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product bert-embed
swift build -c release --product bert-embed -Xswiftc -target-cpu -Xswiftc native --scratch-path .build-native
for build in .build .build-native; do
    echo "== $build ($(uptime))"
    "$build/release/bert-embed" bench-kernels "$@"
done
