#!/usr/bin/env bash
# The whole Swift test suite under AddressSanitizer (heap/stack/global buffer overflows, use after free, double
# free, use of freed stack memory in our Swift code and in the C shims; libhdf5 and OpenBLAS are not instrumented
# but their reads and writes into our buffers are checked at the interceptors).
#
#   tools/asan.sh                 # all tests
#   tools/asan.sh HostileInput    # a --filter
#
# Uses its own build folder (.build-asan, or ASAN_SCRATCH); ASAN_BUILD_JOBS limits the build's parallel jobs.
# Leak detection is on; suppressions for one-time allocations of
# libhdf5 (whose exit-time clean-up is turned off, see HDF5Library) and OpenBLAS live in tools/asan.supp.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SCRATCH=${ASAN_SCRATCH:-.build-asan}
export ASAN_OPTIONS=${ASAN_OPTIONS:-"detect_leaks=1:abort_on_error=0:halt_on_error=1:detect_stack_use_after_return=0:strict_string_checks=1:check_initialization_order=1"}
export LSAN_OPTIONS=${LSAN_OPTIONS:-"suppressions=$PWD/tools/asan.supp:print_suppressions=0"}
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
args=(--sanitize=address --scratch-path "$SCRATCH")
[ -n "${ASAN_BUILD_JOBS:-}" ] && args+=(--jobs "$ASAN_BUILD_JOBS")
[ $# -gt 0 ] && args+=(--filter "$1")
log=${ASAN_LOG:-/tmp/keras-port-asan.log}
echo "=== swift test --sanitize=address ${1:+--filter $1} (log: $log)"
set +e
swift test "${args[@]}" >"$log" 2>&1
status=$?
set -e
grep -E "Test run with|Executed [0-9]+ tests|passed after|failed after" "$log" | tail -n 5
if grep -qE "ERROR: AddressSanitizer|ERROR: LeakSanitizer|SUMMARY: AddressSanitizer" "$log"; then
    echo "AddressSanitizer reported errors:"
    grep -E -A 30 "ERROR: (Address|Leak)Sanitizer" "$log" | head -n 80
    exit 1
fi
if [ $status -ne 0 ]; then
    echo "swift test failed under AddressSanitizer (exit $status); see $log"
    tail -n 40 "$log"
    exit $status
fi
echo "AddressSanitizer: clean"
