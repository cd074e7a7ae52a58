#!/usr/bin/env bash
# The whole test suite under AddressSanitizer (heap and stack overflows, use after free, double free: any report
# aborts the run, so the script fails). A release build (-O; the SIMD code is too slow at -Onone) with
# -sanitize=address into .build-asan/; the CLI tests run the instrumented bert-embed too. Leak detection is off:
# under it the leaks reported at exit are libcurl's (URLSession's global state), XCTest's harness and Swift enum
# payloads whose tagged pointers LeakSanitizer cannot follow (see Scripts/fuzz/lsan.supp), none of them ours to fix.
# About 2 minutes of build and 8 of tests on 2 cores (17 on a slow Zen 3 VM, 9 of them RealModelGoldenTests). .ci/run
# calls it. Arguments go to `swift test` (.ci/run passes --skip RealModelGoldenTests, and on the slowest VMs the
# tokenizer golden suites too, when its clock is short).
#   Scripts/sanitize_address.sh [SWIFT TEST OPTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
export ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1"
swift test -c release --sanitize=address --scratch-path .build-asan "$@"
