#!/usr/bin/env bash
# The concurrency tests under ThreadSanitizer: KerasModel/CompiledModel predicting from 8 tasks at once (results
# equal to serial ones) and the thread pool's tests. Builds into .build-tsan (a separate build folder).
#   tools/tsan.sh [--filter REGEX]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
filter="KerasModelTests|Parallel loops"
[ "${1:-}" = "--filter" ] && filter="$2"
log=/tmp/keras-port-tsan.log
swift build --scratch-path .build-tsan --build-tests --sanitize=thread >"$log" 2>&1 || { tail -30 "$log"; exit 1; }
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
    swift test --scratch-path .build-tsan --skip-build --sanitize=thread --filter "$filter" >>"$log" 2>&1 || {
    grep -E "WARNING: ThreadSanitizer|SUMMARY|✘" "$log" | head -20
    echo "tsan: failed; full log: $log" >&2
    exit 1
}
if grep -q "WARNING: ThreadSanitizer" "$log"; then
    grep -A12 "WARNING: ThreadSanitizer" "$log" | head -40
    echo "tsan: data race reported; full log: $log" >&2
    exit 1
fi
grep -E "Test run with" "$log" | tail -1
echo "tsan: no data race reported"
