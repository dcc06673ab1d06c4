#!/usr/bin/env bash
# The whole KerasPort test suite: installs what is missing (Debian packages, the Python venv with
# real Keras), builds, runs the Swift tests, then the interop checks that load files KerasPort wrote
# in real Keras, then a short fuzz run. Idempotent; run from anywhere.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n=== %s\n' "$*"; }

step "dependencies"
tools/install_deps.sh
tools/setup_venv.sh

step "build"
swift build 2>&1 | grep -v "^\[" || true
swift build >/dev/null

step "swift test"
swift test 2>&1 | tee /tmp/keras-port-swift-test.log | grep -E "^(􀟈|✔|✘|Test run|Test Suite|Executed|.*error:)|passed after|failed after|with [0-9]+ (test|issue)" | tail -n 40
status=${PIPESTATUS[0]}
if [ "$status" -ne 0 ]; then
    echo "swift test failed (exit $status); full log: /tmp/keras-port-swift-test.log" >&2
    tail -n 60 /tmp/keras-port-swift-test.log >&2
    exit "$status"
fi
