#!/usr/bin/env bash
# The README's first command: builds keras-port (installing libhdf5/OpenBLAS when missing) and runs it on
# the bundled example model, a Keras 2 .h5 with Conv2D + PReLU + LeakyReLU + Dense made by real Keras.
# Idempotent; run from anywhere.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
tools/install_deps.sh
echo "building keras-port …" >&2
swift build --product keras-port 2>&1 | grep -E "error|warning: .*Sources/" >&2 || true
swift build --product keras-port >/dev/null
bin="$(swift build --show-bin-path)/keras-port"
model=Fixtures/models/example/model.h5
out="${TMPDIR:-/tmp}/keras-port-example"
mkdir -p "$out"

echo "\$ keras-port inspect $model"
"$bin" inspect "$model"
echo
echo "\$ keras-port predict $model --input Fixtures/models/example/input.npy --output $out/prediction.npy --summary"
"$bin" predict "$model" --input Fixtures/models/example/input.npy --output "$out/prediction.npy" --summary
echo
echo "\$ keras-port convert $model $out/model.keras --force"
"$bin" convert "$model" "$out/model.keras" --force
echo
echo "\$ keras-port predict $out/model.keras --input Fixtures/models/example/input.npy"
"$bin" predict "$out/model.keras" --input Fixtures/models/example/input.npy
