#!/usr/bin/env bash
# The whole KerasPort test suite (the README's test command; CI runs it through .ci/run):
#   1. installs what is missing: Debian packages (libhdf5-dev, libopenblas-dev, hdf5-tools) and the Python venv
#      with real Keras (tools/.venv, pinned in tools/requirements.txt);
#   2. builds, and runs the Swift tests (parity with Keras on every fixture, readers, writers, CLI, hostile input);
#   3. tools/interop.sh: every fixture converted to every format, each file loaded in real Keras 3 (and tf_keras
#      for Keras 2 dialect .h5) and compared with the outputs Keras computed;
#   4. a short fuzz run of the CLI on mutated fixtures (tools/fuzz.py --short);
#   5. the real-world zoo's quick subset (tools/zoo.sh --quick: models built by real Keras into tools/.cache/zoo,
#      keras-port predict / convert / inspect checked against Keras, converted files loaded in real Keras 3).
# Idempotent; run from anywhere. Exits non-zero on the first failing stage.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n=== %s\n' "$*"; }
start=$SECONDS

step "dependencies"
tools/install_deps.sh
tools/setup_venv.sh

step "build"
if ! swift build --build-tests >/tmp/keras-port-build.log 2>&1; then
    grep -E "error:" /tmp/keras-port-build.log | head -n 40 >&2 || tail -n 40 /tmp/keras-port-build.log >&2
    echo "build failed; full log: /tmp/keras-port-build.log" >&2
    exit 1
fi
grep -E "warning:" /tmp/keras-port-build.log | grep "/Sources/\|/Tests/" | grep -v "/\.build/" | sort -u || true

step "swift test"
set +e
swift test --skip-build >/tmp/keras-port-swift-test.log 2>&1
status=$?
set -e
grep -E "^✘|^\s*✘" /tmp/keras-port-swift-test.log | head -n 60 || true
grep -E "Test run with|Executed [0-9]+ tests" /tmp/keras-port-swift-test.log | tail -n 2
if [ "$status" -ne 0 ]; then
    echo "swift test failed (exit $status); full log: /tmp/keras-port-swift-test.log" >&2
    exit "$status"
fi

swift_passed=$(grep -oE "Test run with [0-9]+ tests" /tmp/keras-port-swift-test.log | tail -n 1 | grep -oE "[0-9]+" || echo 0)

step "interop with real Keras (tools/interop.sh)"
tools/interop.sh | tee /tmp/keras-port-interop.log
interop_passed=$(grep -oE "^=== [0-9]+ passed" /tmp/keras-port-interop.log | grep -oE "[0-9]+" | tail -n 1 || echo 0)

step "short fuzz run (tools/fuzz.py --short)"
swift build -c release --product keras-port >/tmp/keras-port-release-build.log 2>&1 || { tail -n 30 /tmp/keras-port-release-build.log >&2; exit 1; }
tools/.venv/bin/python tools/fuzz.py --short --binary "$(swift build -c release --show-bin-path)/keras-port" | tee /tmp/keras-port-fuzz.log
fuzz_passed=$(grep -oE "^[0-9]+ passed, [0-9]+ failed$" /tmp/keras-port-fuzz.log | tail -n 1 | grep -oE "^[0-9]+" || echo 0)

step "real-world zoo, quick subset (tools/zoo.sh --quick)"
tools/zoo.sh --quick | tee /tmp/keras-port-zoo.log
zoo_passed=$(grep -oE "^=== zoo: [0-9]+ passed" /tmp/keras-port-zoo.log | grep -oE "[0-9]+" | tail -n 1 || echo 0)

printf '\nall stages passed in %d s (swift tests %s, interop files %s, fuzz runs %s, zoo models %s)\n' \
    "$((SECONDS - start))" "$swift_passed" "$interop_passed" "$fuzz_passed" "$zoo_passed"
echo "total: $((swift_passed + interop_passed + fuzz_passed + zoo_passed)) passed, 0 failed"
