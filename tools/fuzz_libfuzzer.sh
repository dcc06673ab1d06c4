#!/usr/bin/env bash
# libFuzzer targets for KerasPort (Fuzz/ package, built with -sanitize=fuzzer against the main package's sources):
#   FuzzModelConfig  model config JSON → ModelConfigParser → GraphAnalysis → ModelConfigEncoder, with a structured
#                    (JSON-tree) custom mutator; seeded with every architecture JSON / config.json of the fixtures
#   FuzzNPY          .npy bytes → readNPY(data:); seeded with the fixtures' .npy files
# Each target runs for a fixed time budget and must end with no crash, leak-free timeout or OOM report.
#
#   tools/fuzz_libfuzzer.sh               # both targets, 300 s each
#   tools/fuzz_libfuzzer.sh 60 FuzzNPY    # one target, 60 s
# Environment: FUZZ_JOBS (default 1), FUZZ_RSS_MB (default 2048), FUZZ_TIMEOUT (per input, default 10 s),
# FUZZ_SOURCE (the KerasPort checkout to fuzz, default this repository; a frozen copy avoids rebuilds while
# others edit), FUZZ_SCRATCH (build folder, default Fuzz/.build), FUZZ_BUILD_JOBS (parallel build jobs).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
BUDGET=${1:-300}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(FuzzModelConfig FuzzNPY)
SCRATCH=${FUZZ_SCRATCH:-$ROOT/Fuzz/.build}

# The Fuzz package depends on the main package through .deps/KerasPort (a link to this repository), so the
# dependency's identity is `KerasPort` wherever the repository is checked out.
mkdir -p Fuzz/.deps
if [ -n "${FUZZ_SOURCE:-}" ]; then ln -sfn "$(cd "$FUZZ_SOURCE" && pwd)" Fuzz/.deps/KerasPort; else ln -sfn ../.. Fuzz/.deps/KerasPort; fi

echo "=== building ${TARGETS[*]} (release, -sanitize=fuzzer)"
for t in "${TARGETS[@]}"; do
    swift build --package-path Fuzz --scratch-path "$SCRATCH" -c release --sanitize=fuzzer --product "$t" \
        ${FUZZ_BUILD_JOBS:+--jobs "$FUZZ_BUILD_JOBS"} 2>&1 \
        | grep -E "error|warning: .*Sources/(KerasFormat|KerasGraph|NumPyFormat|HDF5|TensorModule|KerasInference|KerasPort)|Compiling|Build complete" \
        | grep -v "^\[" || true
done
BIN=$(swift build --package-path Fuzz --scratch-path "$SCRATCH" -c release --sanitize=fuzzer --show-bin-path)

# Seed corpora (copied, so libFuzzer's additions stay out of Fixtures/).
CORPUS=$ROOT/Fuzz/corpus
mkdir -p "$CORPUS/FuzzModelConfig" "$CORPUS/FuzzNPY" "$ROOT/Fuzz/crashes"
python3 - "$(cd Fuzz/.deps/KerasPort && pwd -P)/Fixtures" "$CORPUS" <<'PY'
import hashlib, pathlib, sys, zipfile
fixtures, corpus = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
def put(target, data):
    (corpus / target / hashlib.sha1(data).hexdigest()).write_bytes(data)
for p in fixtures.glob("models/*/*.json"):
    if p.name not in ("manifest.json",) and not p.name.endswith(".weights.json"):
        put("FuzzModelConfig", p.read_bytes())
for p in fixtures.glob("models/*/*.keras"):
    with zipfile.ZipFile(p) as z:
        put("FuzzModelConfig", z.read("config.json"))
for p in list(fixtures.glob("models/*/*.npy"))[:60] + list(fixtures.glob("activations/*/*.npy"))[:20]:
    if p.stat().st_size < 65536:
        put("FuzzNPY", p.read_bytes())
PY

DICT=$ROOT/Fuzz/keras.dict
status=0
for t in "${TARGETS[@]}"; do
    echo "=== $t: ${BUDGET}s"
    log=$ROOT/Fuzz/$t.log
    extra=()
    [ "$t" = FuzzModelConfig ] && extra=(-dict="$DICT")
    # One job runs in this process (its report goes to $log); with -jobs, libFuzzer writes each job's report to
    # fuzz-N.log in the working folder, gathered into $log afterwards.
    jobs=${FUZZ_JOBS:-1}
    parallel=()
    [ "$jobs" -gt 1 ] && parallel=(-jobs="$jobs" -workers="$jobs")
    rm -f "$ROOT"/Fuzz/fuzz-*.log
    set +e
    (cd "$ROOT/Fuzz" && "$BIN/$t" "$CORPUS/$t" -max_total_time="$BUDGET" -rss_limit_mb="${FUZZ_RSS_MB:-2048}" \
        -timeout="${FUZZ_TIMEOUT:-10}" -max_len=262144 "${parallel[@]}" \
        -artifact_prefix="$ROOT/Fuzz/crashes/$t-" -print_final_stats=1 "${extra[@]}") >"$log" 2>&1
    rc=$?
    set -e
    for f in "$ROOT"/Fuzz/fuzz-*.log; do
        [ -f "$f" ] && { echo "=== $(basename "$f")"; cat "$f"; } >>"$log" && rm -f "$f"
    done
    grep -E "^#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb|Done [0-9]+ runs" "$log" | tail -n 3 || true
    if [ $rc -ne 0 ] || grep -qE "ERROR: libFuzzer|deadly signal|SUMMARY: " "$log"; then
        echo "$t FAILED (exit $rc); see $log and Fuzz/crashes/"
        grep -E "Fatal error|ERROR|SUMMARY|Test unit written" "$log" | head -n 10
        status=1
    else
        echo "$t clean"
    fi
done
exit $status
