#!/usr/bin/env python3
"""Makes the real-architecture benchmark models (issue 14) into tools/.cache/bench/real/ (git-ignored), on demand.

Keras 3 (TensorFlow backend), random weights drawn like the real-world zoo's (tools/zoo_models.randomize: He-scaled
kernels, non-trivial biases, BatchNormalization statistics calibrated on a batch and then perturbed), at each
architecture's standard input size:

    resnet50, mobilenetv2, efficientnetb0, convnexttiny, densenet121   keras.applications, 224×224×3
    xception                                                          keras.applications, 299×299×3
    srgan_generator                                                   16 residual blocks, PReLU(shared_axes=[1, 2]),
                                                                      two ×2 depth_to_space heads, 96×96 → 384×384
    dcgan_generator                                                   latent 100 → Dense → four Conv2DTranspose
                                                                      (4×4, stride 2; BN, ReLU; tanh) → 64×64×3

For every model it writes, in the format tools/bench_keras.py reads (the same as tools/bench_models.py's):

    <name>.keras, <name>.h5      the model (the .h5 also for the load rows)
    <name>.onnx                  Keras' own `model.export(format="onnx")`, only when ONNX Runtime loads it, it takes
                                 one input, and it computes what Keras computes (max |ORT - Keras| ≤ 1e-3 · max|Keras|
                                 + 1e-4 on the batch-1 input); otherwise no file and the reason in the meta
    <name>.ref_b1.npy            Keras' output on the batch-1 input every engine uses (bench_keras.model_input)
    <name>.meta.json             input shape, rows (batch, iterations), parameters, which ONNX export worked

`--ours-onnx BIN`: for models whose Keras export is unusable, export with `BIN export --format onnx` instead (written
to <name>.onnx, validated the same way, the meta then names "keras-port export"). tools/bench_compare --real passes
its freshly built binary.

Idempotent (SPEC_VERSION). Usage: tools/.venv/bin/python tools/bench_real_models.py [--only resnet50,...] [--force]
[--ours-onnx .build/release/keras-port]. Prints one JSON object: {"out": DIR, "models": {name: status}}.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import traceback
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
REPO = TOOLS.parent
DEFAULT_OUT = TOOLS / ".cache" / "bench" / "real"
sys.path.insert(0, str(TOOLS))

SPEC_VERSION = 1

# name → (keras.applications constructor or None for the custom generator, input size, [(batch, iterations)])
# Iterations keep each timed measurement at about 1–3 s on 2 cores (a whole --real run ~15 min).
MODELS = {
    "resnet50": ("ResNet50", 224, [(1, 15), (8, 4)]),
    "mobilenetv2": ("MobileNetV2", 224, [(1, 40), (8, 10)]),
    "efficientnetb0": ("EfficientNetB0", 224, [(1, 30), (8, 6)]),
    "convnexttiny": ("ConvNeXtTiny", 224, [(1, 10), (8, 3)]),
    "densenet121": ("DenseNet121", 224, [(1, 15), (8, 4)]),
    "xception": ("Xception", 299, [(1, 8), (8, 3)]),
    "srgan_generator": (None, 96, [(1, 4), (8, 2)]),
    "dcgan_generator": (None, 64, [(1, 100), (8, 30)]),
}


def files_for(name: str, out: Path) -> dict[str, Path]:
    return {"keras": out / f"{name}.keras", "h5": out / f"{name}.h5", "onnx": out / f"{name}.onnx",
            "ref_output_b1": out / f"{name}.ref_b1.npy"}


def read_meta(name: str, out: Path) -> dict | None:
    try:
        meta = json.loads((out / f"{name}.meta.json").read_text())
    except (OSError, ValueError):
        return None
    if meta.get("spec_version") != SPEC_VERSION:
        return None
    needed = [p for kind, p in files_for(name, out).items() if kind != "onnx"]
    return meta if all(p.exists() and p.stat().st_size > 0 for p in needed) else None


def model_input(shape, batch: int):
    import numpy as np

    return np.random.default_rng(0).standard_normal((batch, *shape)).astype(np.float32)


def check_onnx(path: Path, meta: dict, out: Path) -> str | None:
    """Why ONNX Runtime cannot stand in for Keras on this file, or None when it can."""
    import numpy as np
    import onnxruntime as ort

    ort.set_default_logger_severity(3)
    try:
        s = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    except Exception as exc:  # noqa: BLE001
        return f"ONNX Runtime refuses it: {str(exc).splitlines()[0][:200]}"
    if len(s.get_inputs()) != 1:
        return f"it has {len(s.get_inputs())} inputs ({', '.join(i.name for i in s.get_inputs())}), the model 1"
    expected = np.load(out / meta["files"]["ref_output_b1"])
    try:
        got = s.run(None, {s.get_inputs()[0].name: model_input(meta["input_shape"], 1)})[0]
    except Exception as exc:  # noqa: BLE001
        return f"ONNX Runtime fails to run it: {str(exc).splitlines()[0][:200]}"
    if got.shape != expected.shape:
        return f"output shape {got.shape}, Keras {expected.shape}"
    diff = float(np.abs(got - expected).max())
    bound = 1e-3 * float(np.abs(expected).max()) + 1e-4
    if not diff <= bound:
        return f"max |ORT - Keras| {diff:.2e} above {bound:.2e}"
    meta["onnx_max_abs_diff_vs_keras_b1"] = diff
    return None


def build_one(name: str, out: Path) -> dict:
    import numpy as np

    import fixtures_common as C
    import zoo_models as Z
    import keras

    app, size, rows = MODELS[name]
    keras.utils.set_random_seed(Z.seed(name))
    rng = np.random.default_rng(Z.seed(name))
    if app:
        model = getattr(keras.applications, app)(weights=None, input_shape=(size, size, 3))
    elif name == "srgan_generator":
        model = Z.srgan_generator(size=(size, size))
    else:
        model = Z.dcgan_generator(size=size)
    input_shape = [int(d) for d in model.input_shape[1:]]
    calibration = [rng.uniform(-1.0, 1.0, size=[2] + input_shape).astype(np.float32)]
    Z.randomize(model, rng, calibration)
    files = files_for(name, out)
    t0 = time.perf_counter()
    model.save(str(files["h5"]))
    model.save(str(files["keras"]))
    x = model_input(input_shape, 1)
    np.save(files["ref_output_b1"], np.asarray(model.predict_on_batch(x), np.float32))
    meta = {
        "name": name, "spec_version": SPEC_VERSION, "keras_version": keras.__version__,
        "description": f"keras.applications.{app}(weights=None, input_shape=({size}, {size}, 3))" if app
        else f"SRGAN generator (tools/zoo_models.srgan_generator), {size}×{size} input" if name == "srgan_generator"
        else f"DCGAN generator (tools/zoo_models.dcgan_generator), latent 100 → {size}×{size}×3",
        "input_shape": input_shape, "output_shape": [d for d in model.output_shape[1:]],
        "params": int(model.count_params()),
        "files": {k: p.name for k, p in files.items() if k != "onnx"},
        "rows": [{"batch": b, "iterations": k} for b, k in rows],
        "onnx_exporter": None, "onnx_error": None,
    }
    files["onnx"].unlink(missing_ok=True)
    try:
        import contextlib
        import io

        with contextlib.redirect_stdout(io.StringIO()):
            model.export(str(files["onnx"]), format="onnx", verbose=False)
        meta["files"]["onnx"] = files["onnx"].name
        why = check_onnx(files["onnx"], meta, out)
    except Exception as exc:  # noqa: BLE001
        why = f"export failed: {type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
    if why:
        files["onnx"].unlink(missing_ok=True)
        meta["files"].pop("onnx", None)
        meta["onnx_error"] = f"Keras' own ONNX export: {why}"
    else:
        meta["onnx_exporter"] = "keras model.export(format='onnx')"
    meta["save_seconds"] = round(time.perf_counter() - t0, 1)
    (out / f"{name}.meta.json").write_text(json.dumps(meta, indent=1) + "\n")
    keras.backend.clear_session()
    return meta


def binary_stamp(binary: str) -> str:
    """Which build of keras-port tried the export (a rebuilt binary tries again: its exporter may map more)."""
    st = os.stat(binary)
    return f"{os.path.realpath(binary)} {st.st_size} {st.st_mtime_ns}"


def ours_onnx(name: str, out: Path, binary: str, meta: dict) -> None:
    """Our own export where Keras' is unusable (written to <name>.onnx, validated like Keras')."""
    path = out / f"{name}.onnx"
    r = subprocess.run([binary, "export", str(out / meta["files"]["keras"]), "--format", "onnx", str(path)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        meta["onnx_error"] = (meta.get("onnx_error") or "") + \
            f"; keras-port export: {(r.stderr.strip().splitlines() or ['failed'])[-1][:200]}"
    else:
        meta["files"]["onnx"] = path.name
        why = check_onnx(path, meta, out)
        if why:
            path.unlink(missing_ok=True)
            meta["files"].pop("onnx", None)
            meta["onnx_error"] = (meta.get("onnx_error") or "") + f"; keras-port export: {why}"
        else:
            meta["onnx_exporter"] = "keras-port export --format onnx"
    meta["ours_onnx_tried"] = binary_stamp(binary)
    (out / f"{name}.meta.json").write_text(json.dumps(meta, indent=1) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="", help="comma-separated subset of: " + ",".join(MODELS))
    parser.add_argument("--force", action="store_true")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--ours-onnx", default=None, help="keras-port binary for models Keras cannot export")
    args = parser.parse_args()
    names = [n for n in args.only.split(",") if n] or list(MODELS)
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        parser.error(f"unknown model(s): {', '.join(unknown)}; known: {', '.join(MODELS)}")
    args.out.mkdir(parents=True, exist_ok=True)
    status = {}
    todo = [n for n in names if args.force or read_meta(n, args.out) is None]
    if todo:
        import fixtures_common as C

        C.configure_environment()
        C.quiet_tensorflow()
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(2)
    for name in names:
        try:
            if name in todo:
                meta = build_one(name, args.out)
                status[name] = "built"
                print(f"bench_real_models: {name}: {meta['params']:,} params, "
                      f"ONNX: {meta['onnx_exporter'] or meta['onnx_error']}", file=sys.stderr, flush=True)
            else:
                meta = read_meta(name, args.out)
                status[name] = "cached"
            if not meta.get("onnx_exporter") and args.ours_onnx and \
                    meta.get("ours_onnx_tried") != binary_stamp(args.ours_onnx):
                meta["onnx_error"] = (meta.get("onnx_error") or "").split("; keras-port export:")[0] or None
                ours_onnx(name, args.out, args.ours_onnx, meta)
                print(f"bench_real_models: {name}: ONNX: {meta['onnx_exporter'] or meta['onnx_error']}",
                      file=sys.stderr, flush=True)
        except Exception as exc:  # noqa: BLE001
            traceback.print_exc(file=sys.stderr)
            status[name] = f"failed: {type(exc).__name__}: {exc}"
    print(json.dumps({"out": str(args.out), "models": status}))
    return 0 if all(not s.startswith("failed") for s in status.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
