#!/usr/bin/env bash
# The real-world zoo: builds the release keras-port, makes the models not cached yet (tools/zoo.py: every
# keras.applications model of Keras 3.15 and tf_keras 2.21 plus SRGAN, ESPCN, any-size generator, LSTM/GRU text
# model, transformer block, in tools/.cache/zoo/), then checks predict / convert / inspect on each
# (tools/zoo_check.py) and writes tools/.cache/zoo/zoo_report.{md,json}.
#
#   tools/zoo.sh                 # the full zoo (first run: about an hour to build the models on 2 cores)
#   tools/zoo.sh --quick         # the quick subset (tools/test.sh runs this; must pass)
#   tools/zoo.sh --only resnet50,densenet121_k2
#   tools/zoo.sh --reuse         # keep the results of models already checked with this binary (resume a run)
#
# Exit status: that of tools/zoo_check.py (1 when any checked model fails a check).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export TF_CPP_MIN_LOG_LEVEL=3 CUDA_VISIBLE_DEVICES=""
if ! swift build -c release --product keras-port >/tmp/keras-port-zoo-build.log 2>&1; then
    tail -n 30 /tmp/keras-port-zoo-build.log >&2
    exit 1
fi
bin="$(swift build -c release --show-bin-path)/keras-port"
# Building a model may fail (reported); the check then covers the models that were built.
make_args=() check_args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --reuse) check_args+=("$1") ;;
        --only) make_args+=("$1" "$2"); check_args+=("$1" "$2"); shift ;;
        *) make_args+=("$1"); check_args+=("$1") ;;
    esac
    shift
done
tools/.venv/bin/python tools/zoo.py "${make_args[@]}" || echo "zoo.py: some models failed to build (see above)" >&2
tools/.venv/bin/python tools/zoo_check.py --binary "$bin" "${check_args[@]}"
