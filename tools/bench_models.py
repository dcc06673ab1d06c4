#!/usr/bin/env python3
"""Generates the benchmark reference models into tools/.cache/bench/ (git-ignored, never committed).

Real Keras 3 (TensorFlow backend), fixed seeds, non-trivial PReLU alphas, biases and BatchNormalization
statistics. For every model it writes:

    <name>.keras       Keras 3 zip format (what bench_keras.py and, by default, `keras-port bench` load)
    <name>.h5          legacy HDF5 format (same weights)
    <name>.onnx        ONNX export for ONNX Runtime (Keras' own `model.export(format="onnx")`, with
                       fallbacks, see export_onnx()); not for the load-time model
    <name>.ref_b1.npy  Keras' output for the batch-1 input the engines use (a parity check for the others)
    <name>.meta.json   what the other tools need: input shape, rows (batch, iterations), parameter count,
                       GEMM shapes (for the "sgemm alone" proxy), which ONNX exporter worked

plus the ~100M-parameter Dense model `big_dense.h5` (legacy .h5 only) for load-time measurement.

Idempotent: a model whose files and meta (with the current SPEC_VERSION) exist is skipped unless --force.
Usage: tools/.venv/bin/python tools/bench_models.py [--force] [--only mlp,cnn] [--out DIR]
Prints one JSON object: {"out": DIR, "models": {name: "built" | "cached" | "failed: ..."}}.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "tools" / ".cache" / "bench"

# Bump when an architecture, seed or weight recipe changes: cached models with another version are rebuilt.
SPEC_VERSION = 1

# (batch, default iterations) per model. Iterations are chosen so that the whole bench_compare run stays well
# under 10 minutes on 2 cores (each engine times K iterations after warm-up; Keras times two call styles).
ROWS = {
    "mlp": [(1, 200), (256, 30)],
    "cnn": [(1, 50), (32, 10)],
    "srresnet": [(1, 10)],
    "dcgan_disc": [(64, 10)],
    "eltwise": [(16, 20)],
}
SEEDS = {"mlp": 101, "cnn": 202, "srresnet": 303, "dcgan_disc": 404, "big_dense": 505, "eltwise": 606}


def configure_environment() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ["CUDA_VISIBLE_DEVICES"] = "-1"


# ----------------------------------------------------------------------------------------------- architectures

def build_mlp(keras):
    L = keras.layers
    inp = keras.Input((784,), name="input")
    x = L.Dense(1024, name="dense_1")(inp)
    x = L.PReLU(name="prelu_1")(x)
    x = L.Dense(1024, name="dense_2")(x)
    x = L.LeakyReLU(negative_slope=0.2, name="leaky_2")(x)
    x = L.Dense(1024, name="dense_3")(x)
    x = L.PReLU(name="prelu_3")(x)
    out = L.Dense(10, name="logits")(x)
    return keras.Model(inp, out, name="bench_mlp")


def build_cnn(keras):
    L = keras.layers
    inp = keras.Input((64, 64, 3), name="input")
    x = inp
    for i, filters in enumerate((32, 64, 128), start=1):
        x = L.Conv2D(filters, 3, padding="same", name=f"conv{i}a")(x)
        x = L.PReLU(shared_axes=[1, 2], name=f"prelu{i}")(x)
        x = L.Conv2D(filters, 3, padding="same", name=f"conv{i}b")(x)
        x = L.LeakyReLU(negative_slope=0.1, name=f"leaky{i}")(x)
        x = L.MaxPooling2D(name=f"pool{i}")(x)
    x = L.GlobalAveragePooling2D(name="gap")(x)
    out = L.Dense(10, name="logits")(x)
    return keras.Model(inp, out, name="bench_cnn")


def build_srresnet(keras):
    L = keras.layers
    inp = keras.Input((64, 64, 3), name="input")
    x = L.Conv2D(64, 9, padding="same", name="conv_in")(inp)
    x = L.PReLU(shared_axes=[1, 2], name="prelu_in")(x)
    skip = x
    for b in range(1, 5):
        y = L.Conv2D(64, 3, padding="same", name=f"res{b}_conv1")(x)
        y = L.BatchNormalization(name=f"res{b}_bn1")(y)
        y = L.PReLU(shared_axes=[1, 2], name=f"res{b}_prelu")(y)
        y = L.Conv2D(64, 3, padding="same", name=f"res{b}_conv2")(y)
        y = L.BatchNormalization(name=f"res{b}_bn2")(y)
        x = L.Add(name=f"res{b}_add")([x, y])
    y = L.Conv2D(64, 3, padding="same", name="conv_mid")(x)
    y = L.BatchNormalization(name="bn_mid")(y)
    x = L.Add(name="add_mid")([skip, y])
    x = L.UpSampling2D(2, name="up")(x)
    x = L.Conv2D(64, 3, padding="same", name="conv_up")(x)
    x = L.PReLU(shared_axes=[1, 2], name="prelu_up")(x)
    out = L.Conv2D(3, 9, padding="same", activation="tanh", name="conv_out")(x)
    return keras.Model(inp, out, name="bench_srresnet")


def build_dcgan_disc(keras):
    L = keras.layers
    inp = keras.Input((64, 64, 3), name="input")
    x = inp
    for i, filters in enumerate((64, 128, 256), start=1):
        x = L.Conv2D(filters, 4, strides=2, padding="same", name=f"conv{i}")(x)
        x = L.LeakyReLU(negative_slope=0.2, name=f"leaky{i}")(x)
        x = L.BatchNormalization(name=f"bn{i}")(x)
    x = L.Flatten(name="flatten")(x)
    out = L.Dense(1, activation="sigmoid", name="prob")(x)
    return keras.Model(inp, out, name="bench_dcgan_disc")


def build_eltwise(keras):
    # Memory-bound layers alone (nothing to fuse them into): at batch 16 every tensor is 16 MiB.
    L = keras.layers
    inp = keras.Input((64, 64, 64), name="input")
    x = L.LeakyReLU(negative_slope=0.2, name="leaky")(inp)
    x = L.PReLU(shared_axes=[1, 2], name="prelu")(x)
    x = L.BatchNormalization(name="bn")(x)
    out = L.Add(name="add")([x, inp])
    return keras.Model(inp, out, name="bench_eltwise")


def build_big_dense(keras):
    # 4096*8192 + 8192 + 8192*8192 + 8192 + 8192*10 + 10 = 100,761,610 parameters (~403 MB float32).
    L = keras.layers
    inp = keras.Input((4096,), name="input")
    x = L.Dense(8192, activation="relu", name="dense_1")(inp)
    x = L.Dense(8192, activation="relu", name="dense_2")(x)
    out = L.Dense(10, name="logits")(x)
    return keras.Model(inp, out, name="bench_big_dense")


BUILDERS = {
    "mlp": build_mlp,
    "cnn": build_cnn,
    "srresnet": build_srresnet,
    "dcgan_disc": build_dcgan_disc,
    "big_dense": build_big_dense,
    "eltwise": build_eltwise,
}


# ----------------------------------------------------------------------------------------------- weights

def randomize_non_kernel_weights(model, rng) -> None:
    """Kernels keep Keras' seeded initialisers; everything that defaults to 0/1 gets non-trivial values."""
    import numpy as np

    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "PReLU":
            (alpha,) = layer.get_weights()
            layer.set_weights([rng.uniform(0.05, 0.4, alpha.shape).astype(np.float32)])
        elif kind == "BatchNormalization":
            gamma, beta, mean, var = layer.get_weights()
            layer.set_weights([
                rng.uniform(0.8, 1.2, gamma.shape).astype(np.float32),
                rng.normal(0.0, 0.1, beta.shape).astype(np.float32),
                rng.normal(0.0, 0.1, mean.shape).astype(np.float32),
                rng.uniform(0.5, 1.5, var.shape).astype(np.float32),
            ])
        elif kind in ("Dense", "Conv2D") and layer.use_bias:
            kernel, bias = layer.get_weights()
            layer.set_weights([kernel, rng.normal(0.0, 0.05, bias.shape).astype(np.float32)])


def gemm_shapes(model) -> list[dict]:
    """The GEMMs an im2col engine performs per sample: Dense (1, in)x(in, out); Conv2D (Ho*Wo, kh*kw*cin)x(.., f)."""
    shapes = []
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "Dense":
            k, n = layer.kernel.shape
            shapes.append({"layer": layer.name, "m_per_sample": 1, "k": int(k), "n": int(n)})
        elif kind == "Conv2D":
            kh, kw, cin, f = layer.kernel.shape
            _, ho, wo, _ = layer.output.shape
            shapes.append({"layer": layer.name, "m_per_sample": int(ho) * int(wo),
                           "k": int(kh) * int(kw) * int(cin), "n": int(f)})
    return shapes


# ----------------------------------------------------------------------------------------------- ONNX

def export_onnx(model, path: Path) -> tuple[str | None, str | None]:
    """Returns (exporter used, error). Tries Keras' own export first, then tf2onnx directly."""
    import contextlib
    import io

    errors = []
    attempts = [
        ("keras model.export(format='onnx')", lambda: model.export(str(path), format="onnx", verbose=False)),
        ("tf2onnx.convert.from_keras", lambda: _tf2onnx_from_keras(model, path)),
        ("tf2onnx.convert.from_function", lambda: _tf2onnx_from_function(model, path)),
    ]
    for name, attempt in attempts:
        try:
            path.unlink(missing_ok=True)
            with contextlib.redirect_stdout(io.StringIO()):
                attempt()
            if not path.exists() or path.stat().st_size == 0:
                raise RuntimeError("no file written")
            return name, ("; ".join(errors) or None)
        except Exception as exc:  # noqa: BLE001 - any exporter failure moves on to the next one
            errors.append(f"{name}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
    return None, "; ".join(errors)


def _signature(model):
    import tensorflow as tf

    return [tf.TensorSpec((None, *model.input_shape[1:]), tf.float32, name="input")]


def _tf2onnx_from_keras(model, path: Path) -> None:
    import tf2onnx

    tf2onnx.convert.from_keras(model, input_signature=_signature(model), opset=17, output_path=str(path))


def _tf2onnx_from_function(model, path: Path) -> None:
    import tensorflow as tf
    import tf2onnx

    spec = _signature(model)
    fn = tf.function(lambda x: model(x, training=False), input_signature=spec)
    tf2onnx.convert.from_function(fn, input_signature=spec, opset=17, output_path=str(path))


# ----------------------------------------------------------------------------------------------- main

def files_for(name: str, out: Path) -> dict[str, Path]:
    if name == "big_dense":
        return {"h5": out / f"{name}.h5"}
    return {"keras": out / f"{name}.keras", "h5": out / f"{name}.h5", "onnx": out / f"{name}.onnx",
            "ref_output_b1": out / f"{name}.ref_b1.npy"}


def is_cached(name: str, out: Path) -> bool:
    meta = out / f"{name}.meta.json"
    if not meta.exists():
        return False
    try:
        info = json.loads(meta.read_text())
    except ValueError:
        return False
    if info.get("spec_version") != SPEC_VERSION:
        return False
    needed = [p for kind, p in files_for(name, out).items() if kind != "onnx" or info.get("onnx_exporter")]
    return all(p.exists() and p.stat().st_size > 0 for p in needed)


def build_one(name: str, out: Path, keras) -> dict:
    import numpy as np

    seed = SEEDS[name]
    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    model = BUILDERS[name](keras)
    randomize_non_kernel_weights(model, rng)
    files = files_for(name, out)
    input_shape = [int(d) for d in model.input_shape[1:]]
    # One call so that the model counts as "called" (Keras' ONNX export requires it).
    model.predict_on_batch(np.zeros((1, *input_shape), np.float32))

    t0 = time.perf_counter()
    model.save(str(files["h5"]))  # legacy HDF5 (Keras 3 warns about the legacy format; that is the point)
    if "keras" in files:
        model.save(str(files["keras"]))
    onnx_exporter, onnx_error = (None, None)
    if "onnx" in files:
        onnx_exporter, onnx_error = export_onnx(model, files["onnx"])
    if "ref_output_b1" in files:
        # Keras' output for the batch-1 input every engine uses (bench_keras.model_input: default_rng(0)
        # standard normal), so that other engines can show they compute the same thing they are timed on.
        x = np.random.default_rng(0).standard_normal((1, *input_shape)).astype(np.float32)
        np.save(files["ref_output_b1"], np.asarray(model.predict_on_batch(x), np.float32))
    meta = {
        "name": name,
        "spec_version": SPEC_VERSION,
        "seed": seed,
        "keras_version": keras.__version__,
        "input_shape": input_shape,
        "output_shape": [d for d in model.output_shape[1:]],
        "params": int(model.count_params()),
        "files": {kind: p.name for kind, p in files.items() if kind != "onnx" or onnx_exporter},
        "onnx_exporter": onnx_exporter,
        "onnx_error": onnx_error,
        "rows": [{"batch": b, "iterations": k} for b, k in ROWS.get(name, [])],
        "gemms": gemm_shapes(model),
        "save_seconds": round(time.perf_counter() - t0, 3),
    }
    (out / f"{name}.meta.json").write_text(json.dumps(meta, indent=1) + "\n")
    del model
    keras.backend.clear_session()
    return meta


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--force", action="store_true", help="rebuild even if cached")
    parser.add_argument("--only", default="", help="comma-separated subset of: " + ",".join(BUILDERS))
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()

    names = [n for n in args.only.split(",") if n] or list(BUILDERS)
    unknown = [n for n in names if n not in BUILDERS]
    if unknown:
        parser.error(f"unknown model(s): {', '.join(unknown)}; known: {', '.join(BUILDERS)}")
    args.out.mkdir(parents=True, exist_ok=True)

    todo = [n for n in names if args.force or not is_cached(n, args.out)]
    status = {n: "cached" for n in names if n not in todo}
    if todo:
        configure_environment()
        import logging
        import warnings

        warnings.filterwarnings("ignore")
        import tensorflow as tf

        tf.get_logger().setLevel(logging.ERROR)
        import keras

        for name in todo:
            try:
                meta = build_one(name, args.out, keras)
                status[name] = "built" + ("" if meta["onnx_exporter"] or name == "big_dense"
                                          else f" (no ONNX: {meta['onnx_error']})")
                onnx = "" if name == "big_dense" else f", ONNX via {meta['onnx_exporter']}"
                print(f"bench_models: {name}: {meta['params']:,} params{onnx}", file=sys.stderr)
            except Exception as exc:  # noqa: BLE001 - report and go on with the other models
                traceback.print_exc(file=sys.stderr)
                status[name] = f"failed: {type(exc).__name__}: {exc}"
    print(json.dumps({"out": str(args.out), "models": {n: status[n] for n in names}}))
    return 0 if all(not s.startswith("failed") for s in status.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
