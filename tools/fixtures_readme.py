"""Writes Fixtures/README.md from the manifests."""
from __future__ import annotations

import json

import fixtures_common as C

HEADER = """# Fixtures

Made by `tools/make_fixtures.py` with REAL Keras (never by KerasPort), deterministically (fixed seeds, CPU,
`TF_ENABLE_ONEDNN_OPTS=0`, op determinism on). Regenerate with:

    tools/setup_venv.sh && tools/.venv/bin/python tools/make_fixtures.py

`Fixtures/hdf5/` is made by `tools/fixtures_hdf5.py` (a separate tool) and is not described here.

Versions: {versions}.

## Layout of `Fixtures/models/<name>/`

- model file(s): `model.h5` (legacy full model, Keras 2 or 3), `model.keras`, `model.weights.h5` + `model.json`
  (Keras 3 or tf_keras `save_weights`), `model_weights.h5` + `model.json` (Keras 2 legacy `save_weights`),
  `model.weights.json` + `model_0000N.weights.h5` (Keras 3 sharded). `model.json` is `model.to_json()` verbatim.
- `input_0.npy`, `input_1.npy`, … — one per model input, in model input order (float32, except int32 token ids
  for Embedding fixtures; see `inputs[i].npy_dtype`).
- `expected_0.npy`, … — one per model output, computed by that Keras with `model(x, training=False)` (eager).
- `manifest.json` — what Keras reported (schema below).
- `layer_outputs/<layer>.npy` — per-layer outputs (only where listed below).

Comparisons: `compare: "tolerance"` → |ours − keras| ≤ 1e-5 + 1e-4·|keras|; `compare: "bitwise"` → identical
float32 bits, except that NaN compares as NaN (TensorFlow itself gives +NaN in eager mode and −NaN through
`predict_on_batch` for PReLU alpha 0 on NaN). TensorFlow flushes denormals to zero, so expected outputs for denormal
inputs are ±0.

## manifest.json schema

{schema}

## Fixtures
"""

SCHEMA = """```
name                 str    folder name
description          str
covers               [str]  layer class names, "activation:<fn>", "format:<fmt>", topology tags
keras_version        str    version of the Keras that made the files ("2.21.0" tf_keras or "3.15.1")
keras_package        str    "tf_keras" | "keras"
backend              str    "tensorflow"
tensorflow_version, h5py_version, numpy_version   str
model_class          str    "Functional" | "Sequential"
model_name           str
files                [obj]  one per model file:
    note             str    (.keras) how the save was made reproducible
    format           str    keras2_h5 | keras2_weights_legacy_h5 | keras2_weights_h5 | keras3_h5 | keras |
                            keras3_weights_h5 | keras3_sharded | keras1_weights_h5
    file             str    file name in the folder
    config           str    (weights-only formats) architecture JSON file name
    shards           [str]  (keras3_sharded) shard file names; max_shard_size_gb float
    description      str
    loaders          [str]  real loaders check_interop.py --self-check uses: "keras3", "tf_keras"
    rewritten_from   str    (synthetic) source file, "rule": str how it was rewritten
    real_keras_load  {loader: {status: "ok"|"mismatch"|"error", max_abs_diff: float|null, message: str,
                     warnings: [str]}}  what happened when real Keras loaded this file (probe)
inputs               [obj]  name, shape ([int|null], batch first), dtype, file, npy_dtype, array_shape
outputs              [obj]  name, shape, file, array_shape
expected_computed_by str
predict_on_batch_bitwise_equal  bool  whether predict_on_batch gave the same bits as model(x)
compare              str    "tolerance" | "bitwise"
tolerance            {atol, rtol} | null
seed                 int
layers               [obj]  every layer of model.layers, nested models' layers follow with "outer/inner" names:
    name             str    path ("inner/in_dense" for nested)
    class_name       str
    output_shape     [int|null]      first call's first output
    output_shapes    [[[int|null]]]  per call (inbound node), per output
    inbound_layers   [[str]]         per call, the layers feeding it (names as Keras has them)
    weights          [{name (short: kernel), path (Keras 3 w.path / tf_keras w.name without :0),
                       shape [int], dtype str, trainable bool}]
    param_count      int
    optional config echoes: activation, negative_slope (Keras 3), alpha (Keras 2 LeakyReLU), max_value,
                     threshold, theta, axis, shared_axes, data_format, padding, strides, dilation_rate, groups,
                     depth_multiplier, interpolation, keepdims, rate, stddev, center, scale, epsilon
    PReLU only:      shared_axes (null|[int]), alpha_shape [int], alpha_values [float] (flattened, C order)
notes                [str]
input_notes          obj    (optional) how inputs were made (special values: labels and bit patterns)
layer_outputs        {layer name: "layer_outputs/<name>.npy"}   (optional)
source_fixture, claimed_keras_version   (synthetic fixtures)
keras1_conversion, layers_note          (syn_keras1_weights)
```"""


def write_readme():
    mans = [json.loads(p.read_text()) for p in sorted(C.MODELS.glob("*/manifest.json"))]
    vers = sorted({f"{m['keras_package']} {m['keras_version']}" for m in mans})
    v0 = mans[0]
    versions = ", ".join(vers) + f", TensorFlow {v0['tensorflow_version']} (CPU), h5py {v0['h5py_version']}, " \
                                 f"numpy {v0['numpy_version']}"
    lines = [HEADER.replace("{versions}", versions).replace("{schema}", SCHEMA)]
    lines.append("| fixture | Keras | files (format) | real loaders | what it covers |")
    lines.append("|---|---|---|---|---|")
    for m in mans:
        files = "<br>".join(f"`{f['file']}` ({f['format']})" for f in m["files"])
        loaders = "<br>".join(", ".join(f.get("loaders") or ["—"]) for f in m["files"])
        extra = " Per-layer outputs in `layer_outputs/`." if m.get("layer_outputs") else ""
        if m.get("compare") == "bitwise":
            extra += " **Bitwise.**"
        for f in m["files"]:
            if f.get("rewritten_from"):
                extra += f" Rewritten from `{f['rewritten_from']}` by: {f['rule']}"
                break
        lines.append(f"| `{m['name']}` | {m['keras_package']} {m['keras_version']} | {files} | {loaders} | "
                     f"{m['description']}.{extra} |")
    real = [json.loads(p.read_text()) for p in sorted((C.MODELS / "realworld").glob("*/manifest.json"))]
    if real:
        lines.append("")
        lines.append("## Real-world representatives (`Fixtures/models/realworld/<name>/`)")
        lines.append("")
        lines.append("Tiny versions of the real-world zoo's custom models (`tools/zoo.sh`, `tools/zoo_models.py`), "
                     "made by `tools/zoo.py --fixtures` in the layout above (same bound); "
                     "`Tests/KerasInferenceTests/RealWorldFixtureTests.swift` runs each one whose layers this build "
                     "runs and skips the others naming the missing layer.")
        lines.append("")
        lines.append("| fixture | Keras | files (format) | classes | what it is |")
        lines.append("|---|---|---|---|---|")
        for m in real:
            files = "<br>".join(f"`{f['file']}` ({f['format']})" for f in m["files"])
            lines.append(f"| `{m['name']}` | {m['keras_package']} {m['keras_version']} | {files} | "
                         f"{', '.join(m['covers'])} | {m['description']}. |")
    lines.append("")
    lines.append("## What real Keras did with each file (probe run by make_fixtures.py)")
    lines.append("")
    lines.append("Every file was loaded by Keras 3 (and by tf_keras for Keras 1/2 files); results are in each "
                 "manifest under `files[i].real_keras_load`. Everything not listed here loaded and matched. "
                 "`check_interop.py --self-check` re-checks the `loaders` column above.")
    lines.append("")
    lines.append("| file | loader | result |")
    lines.append("|---|---|---|")
    for m in mans:
        for f in m["files"]:
            for ld, r in (f.get("real_keras_load") or {}).items():
                if r["status"] != "ok":
                    msg = r["message"].replace("|", "\\|")
                    lines.append(f"| `{m['name']}/{f['file']}` | {ld} | {r['status']}: {msg} |")
    lines.append("")
    lines.append("## Scripts")
    lines.append("")
    lines.append("- `tools/setup_venv.sh` — creates/updates `tools/.venv` from `tools/requirements.txt` (silent when "
                 "already installed).")
    lines.append("- `tools/.venv/bin/python tools/make_fixtures.py [--only NAME ...] [--skip-probe]` — regenerates "
                 "this folder (about 2 minutes on 2 cores).")
    lines.append("- `tools/.venv/bin/python tools/check_interop.py LIST.json` — loads files KerasPort wrote with real "
                 "Keras and compares with a fixture; `--self-check` runs it on the fixture files themselves.")
    lines.append("")
    lines.append("`Fixtures/activations/` holds function-level references (no model files): see its README.md.")
    lines.append("")
    (C.FIXTURES / "README.md").write_text("\n".join(lines) + "\n")
    act = C.FIXTURES / "activations"
    if act.exists():
        (act / "README.md").write_text(ACT_README)


ACT_README = """# Activation function references

Function-level outputs (no model file), made by `tools/make_fixtures.py` with real Keras, for kernels that a saved
config cannot select (e.g. `gelu(x, approximate=True)`) and to show where Keras 2 and 3 differ (`hard_sigmoid`:
Keras 3 `relu6(x+3)/6`, Keras 2 `clip(0.2x+0.5, 0, 1)`).

- `keras3/` — `keras.activations.<fn>(x)` (Keras 3.15.1, TensorFlow backend)
- `tf_keras/` — `tf_keras.activations.<fn>(x)` (Keras 2, tf_keras 2.21.0)

Each folder: `x.npy` (shape (1, 78): `linspace(-8, 8, 65)` then -inf, inf, nan, -0, 0, -1e30, 1e30, -3, 3, -2.5,
2.5, 1e-3, -1e-3), one `<fn>.npy` per function (same shape), and `manifest.json` listing them. Compare with
|ours - keras| <= 1e-5 + 1e-4*|keras|, NaN where Keras gives NaN.
"""
