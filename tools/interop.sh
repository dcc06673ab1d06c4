#!/usr/bin/env bash
# Real-Keras interop check for KerasPort's writers.
#
#   tools/interop.sh [--strict] [--keep] [-- extra swift test flags, e.g. --scratch-path .build-x]
#
# 1. `swift test --filter 'WriterInteropExport|EditTests'` with KERASPORT_INTEROP_DIR set: the Swift tests convert
#    every fixture (Fixtures/models/*) into every format that can express it (legacy .h5 in the Keras 2 and Keras 3
#    dialects, .weights.h5 + architecture JSON, .keras) and write interop.json, the list check_interop.py takes; pairs
#    a format cannot express are refused by the writer and listed in refused.txt. EditTests adds the models it edited
#    without changing their outputs (edits/*.entry.json), merged into the same list.
# 2. tools/check_interop.py loads each file with real Keras 3 (and tf_keras for Keras 2 dialect .h5), runs the
#    fixture's inputs and compares with the outputs Keras computed when it made the fixture
#    (|ours - keras| <= 1e-5 + 1e-4*|keras|).
#
# Prints check_interop's per-file lines and its `N passed, M failed` line. Exits 1 when a file fails for a reason
# not in KNOWN_FAILURES below (each one is a limit of Keras itself, explained there), or with --strict on any
# failure; 2 when the tools are missing. The files are kept in the printed folder with --keep.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Files (as written by WriterInteropExport) and loaders expected to fail, with the reason. Nothing else may fail.
KNOWN_FAILURES=(
  "activations_k2.keras2.h5 keras3: Keras 3 reads Keras 2's hard_sigmoid name as its own function relu6(x+3)/6, not clip(0.2x+0.5,0,1); no spelling means the Keras 2 function in both"
  "rnn_timedistributed_k2.keras2.h5 keras3: the same hard_sigmoid, as an LSTM's recurrent_activation"
  "special_k2.keras2.h5 keras3: Keras 3 refuses LeakyReLU(alpha=-0.5), which tf_keras accepts"
  "batchnorm_k3.keras2.h5 keras3: Keras 3's legacy .h5 loader drops a multi-axis LayerNormalization axis ([1,2,3]) and builds gamma for the last axis only"
  "nested_k2.keras2.h5 keras3: a Functional model nested in a Functional model: tf_keras numbers its calls from 1, Keras 3's legacy loader from 0; no numbering loads in both"
  "special_leaky_relu_k3.keras2.h5 tf_keras: tf_keras computes LeakyReLU(alpha=0) as relu, which maps NaN to 0; Keras 3 (which made the expected output) keeps NaN"
  "syn_keras1_weights.keras2.h5 keras3: Keras 1 'th' model: channels_first Conv2D, which TensorFlow cannot run on the CPU (NCHW)"
  "syn_keras1_weights.keras2.h5 tf_keras: same channels_first Conv2D on the CPU"
  "syn_keras1_weights.keras3.h5 keras3: same channels_first Conv2D on the CPU"
  "syn_keras1_weights.weights.h5 keras3: same channels_first Conv2D on the CPU"
  "syn_keras1_weights.keras keras3: same channels_first Conv2D on the CPU"
  "activations_by_name_k2.keras2.h5 keras3: Keras 3 reads Keras 2's hard_sigmoid name as its own function relu6(x+3)/6"
  "applications_layers_k2.keras2.h5 keras3: keras.applications' LayerScale/CustomScaleLayer/StochasticDepth load from a legacy .h5 only with custom_objects (as the file tf_keras saves); .keras names their module"
  "applications_layers_k2.keras2.h5 tf_keras: same, tf_keras needs custom_objects for them"
  "applications_layers_k2.keras3.h5 keras3: same, Keras 3's legacy .h5 loader needs custom_objects for them"
  "applications_layers_k3.keras2.h5 keras3: same, custom_objects needed"
  "applications_layers_k3.keras2.h5 tf_keras: same, custom_objects needed"
  "applications_layers_k3.keras3.h5 keras3: same, custom_objects needed"
  "identities_k2.keras2.h5 keras3: Keras 3 cannot load tf_keras' augmentation layers (RandomFlip's rng_type; RandomHeight/RandomWidth do not exist in Keras 3)"
  "preprocessing_k2.keras2.h5 keras3: Keras 3's legacy .h5 loader builds Normalization(axis=(1, 3)) over one axis and rejects its weights"
  "preprocessing_k3.keras2.h5 keras3: same multi-axis Normalization in Keras 3's legacy .h5 loader"
  "espcn_k2.keras2.h5 keras3: TFOpLambda (a raw TensorFlow call recorded by tf_keras) does not exist in Keras 3"
  "ops_k2.keras2.h5 keras3: TFOpLambda / SlicingOpLambda do not exist in Keras 3"
  "ops_tf_only_k2.keras2.h5 keras3: TFOpLambda does not exist in Keras 3"
  "attention_k2.keras2.h5 keras3: Keras 3.15's legacy .h5 loader turns Attention's score_mode \"dot\" into the function keras.ops.dot and refuses it (it cannot load its own .h5 of Attention either)"
  "attention_k2.keras3.h5 keras3: Keras 3.15's legacy .h5 loader turns Attention's score_mode \"dot\" into the function keras.ops.dot and refuses it (it cannot load its own .h5 of Attention either)"
  "attention_k3.keras2.h5 keras3: Keras 3.15's legacy .h5 loader turns Attention's score_mode \"dot\" into the function keras.ops.dot and refuses it (it cannot load its own .h5 of Attention either)"
  "attention_k3.keras3.h5 keras3: Keras 3.15's legacy .h5 loader turns Attention's score_mode \"dot\" into the function keras.ops.dot and refuses it (it cannot load its own .h5 of Attention either)"
  "mha_k2.keras2.h5 keras3: Keras 3 refuses the MultiHeadAttention config keys query_shape/key_shape/value_shape/softmax_robust_masking that tf_keras' from_config requires: no MultiHeadAttention config loads in both"
  "mha_masks_k2.keras2.h5 keras3: Keras 3 refuses the MultiHeadAttention config keys query_shape/key_shape/value_shape/softmax_robust_masking that tf_keras' from_config requires: no MultiHeadAttention config loads in both"
  "mha_masks_k3.keras2.h5 keras3: Keras 3 refuses the MultiHeadAttention config keys query_shape/key_shape/value_shape/softmax_robust_masking that tf_keras' from_config requires: no MultiHeadAttention config loads in both"
  "transformer_k2.keras2.h5 keras3: Keras 3 refuses the MultiHeadAttention config keys query_shape/key_shape/value_shape/softmax_robust_masking that tf_keras' from_config requires: no MultiHeadAttention config loads in both"
  "transformer_k3.keras2.h5 keras3: Keras 3 refuses the MultiHeadAttention config keys query_shape/key_shape/value_shape/softmax_robust_masking that tf_keras' from_config requires: no MultiHeadAttention config loads in both"
  "mha_masks_k2.keras3.h5 keras3: this fixture's fractional (0.5) mask values and fully masked rows are where tf_keras (which made the expected outputs) and Keras 3 compute attention masks differently (Keras 3 casts the mask to bool)"
  "mha_masks_k2.weights.h5 keras3: this fixture's fractional (0.5) mask values and fully masked rows are where tf_keras (which made the expected outputs) and Keras 3 compute attention masks differently (Keras 3 casts the mask to bool)"
  "mha_masks_k2.keras keras3: this fixture's fractional (0.5) mask values and fully masked rows are where tf_keras (which made the expected outputs) and Keras 3 compute attention masks differently (Keras 3 casts the mask to bool)"
  "mha_masks_k3.keras2.h5 tf_keras: the same mask difference the other way (Keras 3 made the expected outputs; tf_keras adds (1 - mask)·(-1e9))"
  "norms_k2.keras2.h5 keras3: Keras 3's legacy .h5 loader drops a multi-axis LayerNormalization axis ([1,2]) and builds gamma for the last axis only"
  "attention_keras_masks_k2.keras2.h5 keras3: Keras 3 refuses the MultiHeadAttention config keys query_shape/key_shape/value_shape/softmax_robust_masking that tf_keras' from_config requires: no MultiHeadAttention config loads in both"
  "attention_keras_masks_k2.keras3.h5 keras3: Keras 3.15's legacy .h5 loader turns Attention's score_mode \"dot\" into the function keras.ops.dot and refuses it (it cannot load its own .h5 of Attention either)"
  "attention_keras_masks_k2.weights.h5 keras3: tf_keras made the expected outputs, and Keras 3 propagates Keras masks differently (its MultiHeadAttention drops the masks of the tensors it reads, its merge layers combine masks with or): the fixture is declared for tf_keras only (README: Keras masks in attention)"
  "attention_keras_masks_k2.keras keras3: tf_keras made the expected outputs, and Keras 3 propagates Keras masks differently (its MultiHeadAttention drops the masks of the tensors it reads, its merge layers combine masks with or): the fixture is declared for tf_keras only (README: Keras masks in attention)"
  "attention_keras_masks_k3.keras2.h5 keras3: Keras 3 refuses the MultiHeadAttention config keys query_shape/key_shape/value_shape/softmax_robust_masking that tf_keras' from_config requires: no MultiHeadAttention config loads in both"
  "attention_keras_masks_k3.keras2.h5 tf_keras: the same mask difference the other way (Keras 3 made the expected outputs; tf_keras keeps the masks Keras 3 drops after a MultiHeadAttention, and rebuilds MultiHeadAttention without weights when the shapes are not in the config)"
  "attention_keras_masks_k3.keras3.h5 keras3: Keras 3.15's legacy .h5 loader turns Attention's score_mode \"dot\" into the function keras.ops.dot and refuses it (it cannot load its own .h5 of Attention either)"
  "conv_breadth_k2.keras2.h5 keras3: Keras 3 refuses SeparableConv1D(padding=\"causal\"), which tf_keras runs"
  "breadth3_image_k2.keras2.h5 keras3: Keras 3 loads tf_keras' RandomCrop but passes images through at inference, where tf_keras (which made the expected outputs) resizes them with smart_resize"
  "breadth3_image_k2.keras2.h5 tf_keras: tf_keras 2.21 cannot load SpectralNormalization from a legacy .h5 (unknown layer), not even the file it saved itself"
  "breadth3_local_k2.keras2.h5 keras3: Keras 3 has no LocallyConnected1D/LocallyConnected2D"
  "conv_lstm_k2.keras2.h5 keras3: Keras 3 reads Keras 2's hard_sigmoid name (tf_keras' ConvLSTM2D default recurrent_activation) as its own function relu6(x+3)/6"
  "lookup_k3.keras2.h5 tf_keras: tf_keras' CategoryEncoding refuses one_hot outputs of rank 3 (ids of shape (n, 4)), which Keras 3 computes"
)

strict=0
keep=0
swift_flags=()
while [ $# -gt 0 ]; do
  case "$1" in
    --strict) strict=1 ;;
    --keep) keep=1 ;;
    --) shift; swift_flags=("$@"); break ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "interop.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

PY=tools/.venv/bin/python
if [ ! -x "$PY" ]; then
  echo "interop.sh: no Python venv at tools/.venv (run tools/setup_venv.sh)" >&2
  exit 2
fi

OUT="$(mktemp -d "${TMPDIR:-/tmp}/keras-port-interop.XXXXXX")"
if [ "$keep" -eq 0 ]; then trap 'rm -rf "$OUT"' EXIT; fi

echo "=== writing every fixture in every format, and the edited models (swift test) into $OUT"
if ! KERASPORT_INTEROP_DIR="$OUT" swift test "${swift_flags[@]}" --filter 'WriterInteropExport|EditTests' >"$OUT/swift-test.log" 2>&1; then
  tail -n 40 "$OUT/swift-test.log" >&2
  echo "interop.sh: the Swift export failed (log above)" >&2
  exit 1
fi
if [ ! -s "$OUT/interop.json" ]; then
  tail -n 20 "$OUT/swift-test.log" >&2
  echo "interop.sh: the Swift tests wrote no $OUT/interop.json" >&2
  exit 1
fi
if [ -s "$OUT/refused.txt" ]; then
  echo "--- refused by the writer (the format cannot express the model):"
  sed 's/^/    /' "$OUT/refused.txt"
fi

# One list: the converted fixtures, then every edited model.
"$PY" - "$OUT" <<'PYEOF'
import json, pathlib, sys
out = pathlib.Path(sys.argv[1])
items = json.loads((out / "interop.json").read_text())
items += [json.loads(p.read_text()) for p in sorted((out / "edits").glob("*.entry.json"))] if (out / "edits").is_dir() else []
(out / "all.json").write_text(json.dumps(items, indent=1))
PYEOF

echo "=== loading each file in real Keras (tools/check_interop.py)"
set +e
"$PY" tools/check_interop.py "$OUT/all.json" | tee "$OUT/report.txt"
set -e

summary="$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$OUT/report.txt" | tail -n 1 || true)"
if [ -z "$summary" ]; then
  echo "interop.sh: check_interop.py did not finish (no summary line)" >&2
  exit 1
fi

# Each FAIL line: which loaders failed for which file.
unexpected=0
known=0
while IFS= read -r line; do
  file="$(basename "$(printf '%s' "$line" | awk '{print $2}')")"
  for loader in keras3 tf_keras; do
    if printf '%s' "$line" | grep -qE "(\[|; )$loader: (ERROR|MISMATCH)"; then
      reason=""
      for k in "${KNOWN_FAILURES[@]}"; do
        case "$k" in "$file $loader: "*) reason="${k#"$file $loader: "}" ;; esac
      done
      if [ -n "$reason" ]; then
        known=$((known + 1))
        echo "known: $file ($loader): $reason"
      else
        unexpected=$((unexpected + 1))
        echo "UNEXPECTED: $file ($loader)"
      fi
    fi
  done
done < <(grep '^FAIL ' "$OUT/report.txt" || true)

echo "=== $summary ($known known Keras limits, $unexpected unexpected)"
if [ "$unexpected" -gt 0 ] || { [ "$strict" -eq 1 ] && [ "$known" -gt 0 ]; }; then
  exit 1
fi
