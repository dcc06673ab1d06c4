"""Shared helpers for tools/make_fixtures.py: environment, deterministic weights, manifests.

Works with both Keras 3 (`keras`, TensorFlow backend) and Keras 2 (`tf_keras`, run with
TF_USE_LEGACY_KERAS=1). Import `configure_environment()` before TensorFlow is imported.
"""
from __future__ import annotations

import json
import os
import shutil
import zlib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "Fixtures"
MODELS = FIXTURES / "models"


def configure_environment() -> None:
    """CPU only, quiet TensorFlow, no oneDNN graph rewrites (so results do not depend on them)."""
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    os.environ["CUDA_VISIBLE_DEVICES"] = "-1"
    os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"
    os.environ["PYTHONHASHSEED"] = "0"
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")


def legacy() -> bool:
    return os.environ.get("TF_USE_LEGACY_KERAS") == "1"


def keras_module():
    if legacy():
        import tf_keras as keras  # noqa: WPS433
    else:
        import keras  # noqa: WPS433
    return keras


def seed_for(name: str) -> int:
    return zlib.crc32(name.encode()) & 0x7FFFFFFF


def quiet_tensorflow() -> None:
    import logging
    import warnings

    import tensorflow as tf

    tf.get_logger().setLevel(logging.ERROR)
    tf.config.experimental.enable_op_determinism()
    tf.config.threading.set_inter_op_parallelism_threads(1)
    tf.config.threading.set_intra_op_parallelism_threads(1)
    try:
        import absl.logging

        absl.logging.set_verbosity(absl.logging.ERROR)
    except ImportError:
        pass
    warnings.filterwarnings("ignore")


# --------------------------------------------------------------------------------------------
# Deterministic, non-trivial weights
# --------------------------------------------------------------------------------------------

# PReLU alpha palette: negative, zero and above-1 values mixed (FORMATS.md §6.4: any real alpha).
ALPHA_PALETTE = [-0.5, 0.0, 1.5, 0.25, -0.1, 2.0, 0.1, 1.0, -1.25, 0.05, 0.75, 1.1]


def mixed_alphas(shape, rng):
    import numpy as np

    n = int(np.prod(shape)) if len(shape) else 1
    pal = np.array(ALPHA_PALETTE, dtype=np.float32)
    idx = rng.permutation(max(n, len(pal)))[:n] % len(pal)
    vals = pal[idx]
    if n >= 3:  # make sure negative, zero and >1 all occur
        vals[0], vals[1], vals[2] = -0.5, 0.0, 1.5
        vals = vals[rng.permutation(n)]
    return vals.reshape(shape).astype(np.float32)


def _leaf_layers(layer):
    """Layers that own variables directly (models are walked into)."""
    subs = getattr(layer, "layers", None)
    if subs is not None and len(subs) and layer.__class__.__name__ in ("Functional", "Sequential", "Model"):
        for s in subs:
            yield from _leaf_layers(s)
    else:
        yield layer


def short_weight_name(w) -> str:
    return w.name.split("/")[-1].split(":")[0]


def weight_path(w) -> str:
    p = getattr(w, "path", None)
    if p is None:
        p = w.name
    return p.split(":")[0]


def randomize_weights(model, rng) -> None:
    """Overwrites every variable with seeded values that make parity meaningful:
    BN moving stats non-trivial, PReLU alphas negative/zero/>1 mixed, kernels ~ 1/sqrt(fan_in)."""
    import numpy as np

    seen = set()
    for layer in _leaf_layers(model):
        if id(layer) in seen:
            continue
        seen.add(id(layer))
        cls = layer.__class__.__name__
        values = []
        for w in layer.weights:
            shape = tuple(int(d) for d in w.shape)
            name = short_weight_name(w)
            if name == "moving_variance":
                v = rng.uniform(0.5, 2.0, shape)
            elif name == "moving_mean":
                v = rng.normal(0.0, 0.5, shape)
            elif name == "gamma":
                v = rng.uniform(0.5, 1.5, shape)
            elif name == "beta":
                v = rng.normal(0.0, 0.3, shape)
            elif name == "alpha" and cls == "PReLU":
                v = mixed_alphas(shape, rng)
            elif name == "bias":
                v = rng.normal(0.0, 0.2, shape)
            elif name == "embeddings":
                v = rng.normal(0.0, 1.0, shape)
            else:
                if cls == "DepthwiseConv2D" or name == "depthwise_kernel":
                    fan_in = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
                elif cls == "Conv2DTranspose":
                    fan_in = int(np.prod(shape[:-2])) * shape[-1]
                else:
                    fan_in = int(np.prod(shape[:-1])) if len(shape) > 1 else 1
                v = rng.normal(0.0, 1.0 / np.sqrt(max(fan_in, 1)), shape)
            values.append(np.asarray(v, dtype=np.float32))
        if values:
            layer.set_weights(values)


def random_input(shape, rng):
    import numpy as np

    return rng.standard_normal(shape).astype(np.float32)


# --------------------------------------------------------------------------------------------
# Introspection → manifest
# --------------------------------------------------------------------------------------------

def _shape_list(s):
    if hasattr(s, "as_list"):
        try:
            s = s.as_list()
        except ValueError:
            return None
    return [None if d is None else int(d) for d in s]


def _flatten(x):
    if isinstance(x, (list, tuple)):
        out = []
        for e in x:
            out.extend(_flatten(e))
        return out
    if isinstance(x, dict):
        out = []
        for e in x.values():
            out.extend(_flatten(e))
        return out
    return [x]


def _node_info(layer):
    """[(inbound layer names, [output shapes])] per call of the layer."""
    calls = []
    for node in getattr(layer, "_inbound_nodes", []) or []:
        if legacy():
            inbound = [l.name for l in _flatten(node.inbound_layers)]
            outs = [_shape_list(t.shape) for t in _flatten(node.outputs)]
        else:
            inbound = [t._keras_history[0].name for t in node.input_tensors]
            outs = [_shape_list(t.shape) for t in node.outputs]
        calls.append((inbound, outs))
    return calls


def _jsonable(v):
    import numpy as np

    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, (np.floating,)):
        return float(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, np.ndarray):
        return _jsonable(v.tolist())
    return v


def layer_records(model, prefix: str = ""):
    import numpy as np

    records = []
    for layer in model.layers:
        cls = layer.__class__.__name__
        path = prefix + layer.name
        calls = _node_info(layer)
        out_shapes = [s for _, outs in calls for s in outs]
        rec = {
            "name": path,
            "class_name": cls,
            "output_shape": out_shapes[0] if len(out_shapes) == 1 else (calls[0][1][0] if calls else None),
            "output_shapes": [outs for _, outs in calls],
            "inbound_layers": [inb for inb, _ in calls],
            "weights": [
                {
                    "name": short_weight_name(w),
                    "path": weight_path(w),
                    "shape": [int(d) for d in w.shape],
                    "dtype": str(np.dtype(w.dtype if isinstance(w.dtype, str) else w.dtype.name)),
                    "trainable": bool(w.trainable),
                }
                for w in layer.weights
            ],
            "param_count": int(layer.count_params()) if layer.built else 0,
        }
        cfg = layer.get_config()
        for key in ("activation", "negative_slope", "alpha", "max_value", "threshold", "theta", "axis",
                    "shared_axes", "data_format", "padding", "strides", "dilation_rate", "groups",
                    "depth_multiplier", "interpolation", "keepdims", "rate", "stddev", "center", "scale",
                    "epsilon", "approximate"):
            if key in cfg and not (cls == "PReLU" and key == "alpha"):
                rec[key] = _jsonable(cfg[key])
        if cls == "PReLU":
            alpha = layer.get_weights()[0]
            rec["shared_axes"] = _jsonable(cfg.get("shared_axes"))
            rec["alpha_shape"] = list(alpha.shape)
            rec["alpha_values"] = [float(a) for a in alpha.ravel()]
        records.append(rec)
        if cls in ("Functional", "Sequential", "Model"):
            records.extend(layer_records(layer, prefix=path + "/"))
    return records


def model_io(model):
    keras = keras_module()
    if legacy():
        in_names = list(model.input_names)
        out_names = list(model.output_names)
    else:
        in_names = [t._keras_history[0].name for t in model.inputs]
        out_names = [t._keras_history[0].name for t in model.outputs]
    ins = [{"name": n, "shape": _shape_list(t.shape), "dtype": str(t.dtype.name if hasattr(t.dtype, "name") else t.dtype)}
           for n, t in zip(in_names, model.inputs)]
    outs = [{"name": n, "shape": _shape_list(t.shape)} for n, t in zip(out_names, model.outputs)]
    del keras
    return ins, outs


def run_model(model, inputs):
    """model(x, training=False) in eager mode; returns a list of float32 numpy arrays."""
    import numpy as np

    x = inputs if len(inputs) > 1 else inputs[0]
    y = model(x, training=False)
    ys = _flatten(y)
    return [np.asarray(t.numpy() if hasattr(t, "numpy") else t) for t in ys]


def versions():
    import h5py
    import numpy as np
    import tensorflow as tf

    keras = keras_module()
    return {
        "keras_version": keras.__version__,
        "keras_package": "tf_keras" if legacy() else "keras",
        "backend": "tensorflow",
        "tensorflow_version": tf.__version__,
        "h5py_version": h5py.__version__,
        "numpy_version": np.__version__,
    }


def fresh_dir(name: str) -> Path:
    d = MODELS / name
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    return d


def dumps_manifest(obj, depth=0) -> str:
    """JSON with one line per top-level key and per list/dict element below it; deeper values compact."""
    pad = " " * (depth + 1)
    if depth < 2 and isinstance(obj, dict) and obj:
        items = [f"{pad}{json.dumps(k)}: {dumps_manifest(v, depth + 1)}" for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * depth + "}"
    if depth < 2 and isinstance(obj, list) and obj and any(isinstance(v, (dict, list)) for v in obj):
        items = [f"{pad}{dumps_manifest(v, depth + 1)}" for v in obj]
        return "[\n" + ",\n".join(items) + "\n" + " " * depth + "]"
    return json.dumps(obj, allow_nan=False)


def write_json(path: Path, obj) -> None:
    json.dumps(obj, allow_nan=False)  # validate (no NaN/inf)
    path.write_text(dumps_manifest(obj) + "\n")


def pretty_json_text(text: str) -> str:
    """Architecture JSON as Keras wrote it (model.to_json()), kept verbatim but indented."""
    return json.dumps(json.loads(text), indent=1) + "\n"


# --------------------------------------------------------------------------------------------
# Writing one fixture folder
# --------------------------------------------------------------------------------------------

# format key → (files written, real loaders that should read them)
FORMAT_DOC = {
    "keras3_h5": "Keras 3 legacy full-model HDF5: model.save('model.h5')",
    "keras": "Keras 3 .keras zip: model.save('model.keras')",
    "keras3_weights_h5": "Keras 3 model.save_weights('model.weights.h5') + architecture model.to_json() in model.json",
    "keras3_sharded": "Keras 3 model.save_weights('model.weights.json', max_shard_size=...) (index + shards) + model.json",
    "keras2_h5": "Keras 2 (tf_keras) legacy full-model HDF5: model.save('model.h5')",
    "keras2_weights_legacy_h5": "Keras 2 (tf_keras) model.save_weights('model_weights.h5') (legacy weights-only HDF5) + model.to_json() in model.json",
    "keras2_weights_h5": "Keras 2 (tf_keras) model.save_weights('model.weights.h5') (Keras-3-style layout) + model.json",
}


FROZEN_SAVE_TIME = (2026, 1, 1, 0, 0, 0)


class frozen_save_clock:
    """Freezes the clock Keras 3 reads while writing a .keras zip (metadata.json date_saved and the zip members'
    timestamps) and makes config.json's `shared_object_id` (Keras uses the Python id() of the shared object) a
    first-seen counter 1, 2, …, so that re-running the generator gives byte-identical files. Same object → same
    id as before; nothing else is changed."""

    def __enter__(self):
        import datetime as _dt
        import time as _time
        import types
        import zipfile

        from keras.src.saving import saving_lib

        fixed = _dt.datetime(*FROZEN_SAVE_TIME)
        from keras.src.saving import serialization_lib

        self._saved = (saving_lib.datetime, zipfile.time)
        stable = {}
        serialization_lib.id = lambda obj: stable.setdefault(id(obj), len(stable) + 1)
        saving_lib.datetime = types.SimpleNamespace(datetime=types.SimpleNamespace(now=lambda *a, **k: fixed))
        zipfile.time = types.SimpleNamespace(
            localtime=lambda *a: _time.struct_time(FROZEN_SAVE_TIME + (3, 1, 0)), time=_time.time)
        return self

    def __exit__(self, *exc):
        import zipfile

        from keras.src.saving import saving_lib

        from keras.src.saving import serialization_lib

        saving_lib.datetime, zipfile.time = self._saved
        del serialization_lib.id  # back to the builtin
        return False


def save_formats(model, d: Path, formats, shard_gb=None):
    """Saves the model in each requested format; returns manifest file entries."""
    entries = []
    wrote_json = False

    def arch_json():
        nonlocal wrote_json
        if not wrote_json:
            (d / "model.json").write_text(model.to_json())
            wrote_json = True
        return "model.json"

    for fmt in formats:
        if fmt in ("keras3_h5", "keras2_h5"):
            model.save(str(d / "model.h5"))
            e = {"format": fmt, "file": "model.h5"}
        elif fmt == "keras":
            with frozen_save_clock():
                model.save(str(d / "model.keras"))
            e = {"format": fmt, "file": "model.keras",
                 "note": "saved with the clock frozen at 2026-01-01 00:00:00 (metadata.json date_saved and zip "
                         "member times) and config.json shared_object_id values numbered 1, 2, … instead of Python "
                         "id()s, so the file is reproducible"}
        elif fmt in ("keras3_weights_h5", "keras2_weights_h5"):
            model.save_weights(str(d / "model.weights.h5"))
            e = {"format": fmt, "file": "model.weights.h5", "config": arch_json()}
        elif fmt == "keras2_weights_legacy_h5":
            model.save_weights(str(d / "model_weights.h5"))
            e = {"format": fmt, "file": "model_weights.h5", "config": arch_json()}
        elif fmt == "keras3_sharded":
            model.save_weights(str(d / "model.weights.json"), max_shard_size=shard_gb)
            shards = sorted(p.name for p in d.glob("model_*.weights.h5"))
            e = {"format": fmt, "file": "model.weights.json", "config": arch_json(), "shards": shards,
                 "max_shard_size_gb": shard_gb}
        else:
            raise ValueError(f"unknown format {fmt}")
        e["description"] = FORMAT_DOC[fmt]
        entries.append(e)
    return entries


def default_loaders(fmt: str):
    if fmt.startswith("keras2"):
        return ["keras3", "tf_keras"]
    return ["keras3"]


def emit(name, model, inputs, *, description, covers, formats, loaders=None, layer_outputs=False,
         compare="tolerance", notes=(), shard_gb=None, input_notes=None, extra=None):
    """Writes Fixtures/models/<name>/: model files, input_i.npy, expected_i.npy, manifest.json."""
    import numpy as np

    keras = keras_module()
    d = fresh_dir(name)
    files = save_formats(model, d, formats, shard_gb=shard_gb)
    for f in files:
        f["loaders"] = list((loaders or {}).get(f["format"], default_loaders(f["format"])))

    outputs = run_model(model, inputs)
    # predict_on_batch goes through a tf.function graph; record whether it agrees bit for bit.
    pred = _flatten(model.predict_on_batch(inputs if len(inputs) > 1 else inputs[0]))
    predict_bitwise = all(
        np.array_equal(np.asarray(a).view(np.uint32), np.asarray(b).astype(np.float32).view(np.uint32))
        for a, b in zip(outputs, pred)
    )
    for i, x in enumerate(inputs):
        np.save(d / f"input_{i}.npy", x)
    for i, y in enumerate(outputs):
        np.save(d / f"expected_{i}.npy", y.astype(np.float32))

    ins, outs = model_io(model)
    for i, (rec, x) in enumerate(zip(ins, inputs)):
        rec["file"] = f"input_{i}.npy"
        rec["npy_dtype"] = str(x.dtype)
        rec["array_shape"] = list(x.shape)
    for i, (rec, y) in enumerate(zip(outs, outputs)):
        rec["file"] = f"expected_{i}.npy"
        rec["array_shape"] = list(y.shape)

    manifest = {
        "name": name,
        "description": description,
        "covers": list(covers),
        **versions(),
        "model_class": model.__class__.__name__,
        "model_name": model.name,
        "files": files,
        "inputs": ins,
        "outputs": outs,
        "expected_computed_by": "model(x, training=False) in eager mode, TensorFlow CPU",
        "predict_on_batch_bitwise_equal": bool(predict_bitwise),
        "compare": compare,
        "tolerance": ({"atol": 1e-5, "rtol": 1e-4} if compare == "tolerance" else None),
        **({"bitwise_rule": "float32 bits identical for every non-NaN expected value (so -0.0 != +0.0); where "
                            "expected is NaN any NaN matches (TF's own NaN sign differs between eager and graph "
                            "execution)"} if compare == "bitwise" else {}),
        "seed": seed_for(name),
        "layers": layer_records(model),
        "notes": list(notes),
    }
    if input_notes:
        manifest["input_notes"] = input_notes
    if layer_outputs:
        sub_outputs, names = [], []
        for layer in model.layers:
            if layer.__class__.__name__ == "InputLayer":
                continue
            try:
                sub_outputs.append(layer.output)
                names.append(layer.name)
            except (AttributeError, ValueError, RuntimeError):
                continue
        probe = keras.Model(model.inputs, sub_outputs)
        vals = run_model(probe, inputs)
        (d / "layer_outputs").mkdir()
        manifest["layer_outputs"] = {}
        for n, v in zip(names, vals):
            np.save(d / "layer_outputs" / f"{n}.npy", v.astype(np.float32))
            manifest["layer_outputs"][n] = f"layer_outputs/{n}.npy"
    if extra:
        manifest.update(extra)
    write_json(d / "manifest.json", manifest)
    return manifest


# --------------------------------------------------------------------------------------------
# Function-level activation references (Fixtures/activations/<package>/)
# --------------------------------------------------------------------------------------------

def activation_reference(functions):
    """functions: {name: callable(x) -> tensor}. Writes x.npy and <name>.npy with this Keras."""
    import numpy as np

    pkg = "tf_keras" if legacy() else "keras3"
    d = FIXTURES / "activations" / pkg
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    grid = np.linspace(-8.0, 8.0, 65).astype(np.float32)
    specials = np.array([-np.inf, np.inf, np.nan, -0.0, 0.0, -1e30, 1e30, -3.0, 3.0, -2.5, 2.5, 1e-3, -1e-3],
                        dtype=np.float32)
    x = np.concatenate([grid, specials])[None, :]
    np.save(d / "x.npy", x)
    import tensorflow as tf

    done = {}
    xt = tf.constant(x)
    for name, fn in functions.items():
        y = np.asarray(fn(xt)).astype(np.float32)
        np.save(d / f"{name}.npy", y)
        done[name] = f"{name}.npy"
    write_json(d / "manifest.json", {**versions(), "x": "x.npy: shape (1, 78): linspace(-8, 8, 65) then -inf, inf, "
                                     "nan, -0, 0, -1e30, 1e30, -3, 3, -2.5, 2.5, 1e-3, -1e-3",
                                     "computed_by": "the activation function called eagerly on x (TensorFlow CPU)",
                                     "functions": done})
