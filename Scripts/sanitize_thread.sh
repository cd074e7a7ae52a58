#!/usr/bin/env bash
# The whole test suite under ThreadSanitizer: a data race anywhere (the worker pool, the shared forward passes, the
# async API's 64-task hammer test, concurrent rerank and sparse calls, the BPE word cache, the Hub client's
# downloads and file locks) aborts the run (halt_on_error), so the script fails. A release build (-O; the SIMD code
# is too slow at -Onone under TSan) with -sanitize=thread into .build-tsan-full/; the CLI tests run the instrumented
# bert-embed too. .ci/run calls it when its time allows (see there), else Scripts/sanitize_concurrency.sh, the
# concurrency tests alone.
#   Scripts/sanitize_thread.sh [swift test flags, e.g. --filter AsyncEncodingTests]
set -euo pipefail
cd "$(dirname "$0")/.."
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1${TSAN_OPTIONS:+ $TSAN_OPTIONS}" \
    swift test -c release --sanitize=thread --scratch-path .build-tsan-full "$@"
