#!/usr/bin/env bash
# The concurrency tests under ThreadSanitizer: the worker pool, concurrent encode calls on one encoder, the async API
# (64 tasks sharing forward passes, mixed options, cancellation), the rerankers' and sparse encoders' concurrent
# calls, the BPE word cache shared between threads. A data race reported by TSan aborts the run (halt_on_error), so
# the script fails. Debug build with -sanitize=thread into .build-tsan/ (about two minutes on 2 cores, plus ~1 minute
# of tests). .ci/run calls it after the release test runs.
#   Scripts/sanitize_concurrency.sh
set -euo pipefail
cd "$(dirname "$0")/.."
filter='ComputeContextTests|EncodePropertyTests|AsyncEncodingTests|CrossEncoderGoldenTests/testConcurrent'
filter+='|SparseEncoderGoldenTests/testConcurrent|SparseEncoderGoldenTests/testEmptyInputWrongFoldersAndThreads'
filter+='|BPEModelTests|HubDownloadTests'
swift build --build-tests --sanitize=thread --scratch-path .build-tsan
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
    swift test --skip-build --sanitize=thread --scratch-path .build-tsan --filter "$filter"
