"""Synthetic fixtures: old-Keras layouts made by rewriting REAL Keras files with h5py.

Each rewritten fixture copies the source fixture's inputs and Keras-computed expected outputs (the weights are
unchanged, only their storage is), and its manifest says `rewritten_from` and `rule` for every file.
The Keras 1 fixture (syn_keras1_weights) is made in fixtures_k3.py because it needs the real model.
"""
from __future__ import annotations

import copy
import json
import shutil

import h5py
import numpy as np

import fixtures_common as C

REGISTRY = []


def fixture(fn):
    REGISTRY.append((fn.__name__, fn))
    return fn


def _copy_io(src_name, d):
    src = C.MODELS / src_name
    for p in sorted(src.glob("input_*.npy")) + sorted(src.glob("expected_*.npy")):
        shutil.copy2(p, d / p.name)
    return json.loads((src / "manifest.json").read_text())


def _manifest(name, src_man, description, covers, files, notes=(), claimed_version=None):
    man = copy.deepcopy(src_man)
    man["name"] = name
    man["description"] = description
    man["covers"] = list(covers)
    man["files"] = files
    man["notes"] = list(notes) + [f"inputs, expected outputs and 'layers' are those of the source fixture "
                                  f"{src_man['name']} (same weights, only the file layout changed)"]
    man["source_fixture"] = src_man["name"]
    if claimed_version:
        man["claimed_keras_version"] = claimed_version
    man.pop("layer_outputs", None)
    return man


def _copy_h5(src, dst):
    shutil.copy2(src, dst)
    return h5py.File(dst, "r+")


def _set_str_attr_vlen_ascii(obj, key, value):
    # h5py: bytes → VLEN ASCII scalar (what Keras writes for model_config / keras_version in model_weights)
    obj.attrs[key] = value.encode("utf8")


def _fixed_strings(values):
    b = [v.encode("utf8") if isinstance(v, str) else v for v in values]
    n = max((len(x) for x in b), default=1)
    return np.array(b, dtype=f"S{n}")


def _decode_list(attr):
    return [x.decode("utf8") if isinstance(x, bytes) else str(x) for x in attr]


# --------------------------------------------------------------------------------------------

def _list_form_config(model_config):
    """Keras ≤2.1 Sequential: config is a list of layer configs; batch_input_shape on the first layer."""
    cfg = model_config["config"]
    layers = [dict(layer) for layer in cfg["layers"]]
    batch_input_shape = None
    if layers and layers[0]["class_name"] == "InputLayer":
        batch_input_shape = layers[0]["config"]["batch_input_shape"]
        layers = layers[1:]
    out = []
    for i, layer in enumerate(layers):
        lc = copy.deepcopy(layer["config"])
        if i == 0 and batch_input_shape is not None:
            lc["batch_input_shape"] = batch_input_shape
        out.append({"class_name": layer["class_name"], "config": lc})
    return {"class_name": "Sequential", "config": out}


@fixture
def syn_k21_list_sequential(name):
    d = C.fresh_dir(name)
    src_man = _copy_io("seq_k2", d)
    with _copy_h5(C.MODELS / "seq_k2" / "model.h5", d / "model.h5") as f:
        mc = json.loads(f.attrs["model_config"])
        _set_str_attr_vlen_ascii(f, "model_config", json.dumps(_list_form_config(mc)))
        f.attrs["keras_version"] = "2.1.6"
        f["model_weights"].attrs["keras_version"] = b"2.1.6"
    files = [{"format": "keras2_h5", "file": "model.h5", "loaders": ["tf_keras"],
              "rewritten_from": "seq_k2/model.h5",
              "rule": "model_config['config'] replaced by the list of layer configs (Keras ≤2.1 Sequential form): "
                      "InputLayer entry dropped, its batch_input_shape moved into the first layer's config; "
                      "root and model_weights @keras_version set to '2.1.6'",
              "description": "Keras ≤2.1 list-form Sequential legacy .h5"}]
    man = _manifest(name, src_man, "Keras ≤2.1 Sequential .h5 whose model_config['config'] is a LIST of layers",
                    ["format:keras21_list_sequential", "Sequential", "LeakyReLU", "PReLU"], files,
                    notes=["tf_keras loads the list form; Keras 3.15.1 does not (TypeError: pop expected at most "
                           "1 argument, got 2) — FORMATS.md §1.6"], claimed_version="2.1.6")
    C.write_json(d / "manifest.json", man)


@fixture
def syn_k20_leaky_ndarray(name):
    d = C.fresh_dir(name)
    src_man = _copy_io("seq_k2", d)
    with _copy_h5(C.MODELS / "seq_k2" / "model.h5", d / "model.h5") as f:
        mc = _list_form_config(json.loads(f.attrs["model_config"]))
        for layer in mc["config"]:
            if layer["class_name"] == "LeakyReLU":
                layer["config"]["alpha"] = {"type": "ndarray", "value": layer["config"]["alpha"]}
        _set_str_attr_vlen_ascii(f, "model_config", json.dumps(mc))
        f.attrs["keras_version"] = "2.0.5"
        f["model_weights"].attrs["keras_version"] = b"2.0.5"
    files = [{"format": "keras2_h5", "file": "model.h5", "loaders": [],
              "rewritten_from": "seq_k2/model.h5",
              "rule": "list-form Sequential config (as syn_k21_list_sequential) AND every LeakyReLU "
                      "config['alpha'] = {'type': 'ndarray', 'value': <alpha>} (Keras 2.0.0–2.0.5 get_json_type "
                      "of a numpy alpha, keras #7107); @keras_version '2.0.5'",
              "description": "Keras 2.0.5 .h5 with LeakyReLU alpha serialized as an ndarray dict"}]
    man = _manifest(name, src_man, "Keras 2.0.0–2.0.5 .h5: LeakyReLU alpha stored as {\"type\":\"ndarray\",\"value\":…}",
                    ["format:keras20_leaky_ndarray", "LeakyReLU", "Sequential"], files,
                    notes=["no real Keras loads this (TypeError: float() argument must be ... not 'dict' was the "
                           "original bug); a tolerant reader takes alpha = value"], claimed_version="2.0.5")
    C.write_json(d / "manifest.json", man)


def _dtype_policy_to_string(obj):
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            if k == "dtype" and isinstance(v, dict) and v.get("class_name") == "DTypePolicy":
                out[k] = v["config"]["name"]
            else:
                out[k] = _dtype_policy_to_string(v)
        return out
    if isinstance(obj, list):
        return [_dtype_policy_to_string(v) for v in obj]
    return obj


@fixture
def syn_k30_short_names(name):
    d = C.fresh_dir(name)
    src_man = _copy_io("formats_k3", d)
    with _copy_h5(C.MODELS / "formats_k3" / "model.h5", d / "model.h5") as f:
        mw = f["model_weights"]
        for lname in _decode_list(mw.attrs["layer_names"]):
            g = mw[lname]
            names = _decode_list(g.attrs["weight_names"]) if g.attrs["weight_names"].size else []
            short = []
            for wn in names:
                s = wn.split("/")[-1]
                data = g[wn][()]
                del g[wn]
                g.create_dataset(s, data=data)
                short.append(s)
            if short:
                g.attrs["weight_names"] = [s.encode() for s in short]
            for sub in list(g.keys()):
                if isinstance(g[sub], h5py.Group) and len(g[sub]) == 0:
                    del g[sub]
        if "optimizer_weights" in f:
            del f["optimizer_weights"]
        if "training_config" in f.attrs:
            del f.attrs["training_config"]
        mc = _dtype_policy_to_string(json.loads(f.attrs["model_config"]))
        _set_str_attr_vlen_ascii(f, "model_config", json.dumps(mc))
        f.attrs["keras_version"] = "3.1.1"
        mw.attrs["keras_version"] = b"3.1.1"
    _repack(d / "model.h5")
    files = [{"format": "keras3_h5", "file": "model.h5", "loaders": ["keras3"],
              "rewritten_from": "formats_k3/model.h5",
              "rule": "Keras 3.0–3.2 short weight names: each dataset model_weights/<layer>/<layer>/<w> moved to "
                      "model_weights/<layer>/<w> and @weight_names = short names ('kernel'); optimizer_weights and "
                      "training_config removed; DTypePolicy dicts in model_config replaced by the plain dtype string "
                      "(Keras 3.0–3.3 style); @keras_version '3.1.1'",
              "description": "Keras 3.0–3.2 legacy .h5 with short weight names"}]
    man = _manifest(name, src_man, "Keras 3.0–3.2 legacy .h5 with short weight names (model_weights/d1/kernel)",
                    ["format:keras30_short_names", "Conv2D", "BatchNormalization", "LeakyReLU", "PReLU", "Dense"],
                    files, claimed_version="3.1.1")
    C.write_json(d / "manifest.json", man)


def _all_string_list_attrs(f):
    """(object, attr name) for every layer_names / weight_names attribute in the file."""
    out = []

    def visit(_, obj):
        for k in ("layer_names", "weight_names"):
            if k in obj.attrs:
                out.append((obj, k))
    for k in ("layer_names", "weight_names"):
        if k in f.attrs:
            out.append((f, k))
    f.visititems(visit)
    return out


@fixture
def syn_nullpad_strings(name):
    d = C.fresh_dir(name)
    src_man = _copy_io("formats_k2", d)
    shutil.copy2(C.MODELS / "formats_k2" / "model.json", d / "model.json")
    for fname in ("model.h5", "model_weights.h5"):
        with _copy_h5(C.MODELS / "formats_k2" / fname, d / fname) as f:
            for obj, key in _all_string_list_attrs(f):
                a = obj.attrs[key]
                if a.size == 0:
                    continue  # empty lists stay FLOAT64 (0,) as Keras writes them
                obj.attrs[key] = _fixed_strings(_decode_list(a))
        _repack(d / fname)
    rule = ("every non-empty @layer_names / @weight_names rewritten as a fixed-length numpy 'S<max>' array "
            "(H5T_STRING, STRPAD NULLPAD, ASCII) as h5py 2.x wrote them; the longest name of each list fills its "
            "STRSIZE with no NUL; empty lists stay FLOAT64 (0,)")
    files = [
        {"format": "keras2_h5", "file": "model.h5", "loaders": ["keras3", "tf_keras"],
         "rewritten_from": "formats_k2/model.h5", "rule": rule,
         "description": "Keras 2 full .h5 with h5py-2.x-style fixed-length string attributes"},
        {"format": "keras2_weights_legacy_h5", "file": "model_weights.h5", "config": "model.json",
         "loaders": ["keras3", "tf_keras"], "rewritten_from": "formats_k2/model_weights.h5", "rule": rule,
         "description": "Keras 2 weights-only .h5 with fixed-length string attributes"},
    ]
    man = _manifest(name, src_man, "fixed-length NULLPAD string attributes (h5py 2.x style) for layer_names / "
                    "weight_names, full model and weights-only", ["format:nullpad_strings"], files)
    C.write_json(d / "manifest.json", man)


@fixture
def syn_chunked_names(name):
    d = C.fresh_dir(name)
    src_man = _copy_io("formats_k2", d)
    shutil.copy2(C.MODELS / "formats_k2" / "model.json", d / "model.json")
    with _copy_h5(C.MODELS / "formats_k2" / "model_weights.h5", d / "model_weights.h5") as f:
        names = _decode_list(f.attrs["layer_names"])
        del f.attrs["layer_names"]
        half = (len(names) + 1) // 2
        f.attrs["layer_names0"] = _fixed_strings(names[:half])
        f.attrs["layer_names1"] = _fixed_strings(names[half:])
        bn = f["bn"]
        wn = _decode_list(bn.attrs["weight_names"])
        del bn.attrs["weight_names"]
        bn.attrs["weight_names0"] = _fixed_strings(wn[:2])
        bn.attrs["weight_names1"] = _fixed_strings(wn[2:])
    _repack(d / "model_weights.h5")
    files = [{"format": "keras2_weights_legacy_h5", "file": "model_weights.h5", "config": "model.json",
              "loaders": ["keras3", "tf_keras"], "rewritten_from": "formats_k2/model_weights.h5",
              "rule": "root @layer_names split into @layer_names0 + @layer_names1 and bn's @weight_names into "
                      "@weight_names0 + @weight_names1 (fixed-length 'S' arrays), the form Keras uses when a list is "
                      "over 64512 bytes (save_attributes_to_hdf5_group); readers concatenate name0, name1, … "
                      "until an index is missing",
              "description": "weights-only .h5 with chunked name-list attributes"}]
    man = _manifest(name, src_man, "chunked @layer_names0/@layer_names1 and @weight_names0/@weight_names1 "
                    "attributes (as Keras writes lists above 64 KB), on small lists", ["format:chunked_names"], files)
    C.write_json(d / "manifest.json", man)


@fixture
def syn_layer_ckpt_deps(name):
    d = C.fresh_dir(name)
    src_man = _copy_io("formats_k2", d)
    shutil.copy2(C.MODELS / "formats_k2" / "model.json", d / "model.json")
    with _copy_h5(C.MODELS / "formats_k2" / "model.weights.h5", d / "model.weights.h5") as f:
        f.move("layers", "_layer_checkpoint_dependencies")

        def drop_name(_, obj):
            if "name" in obj.attrs:
                del obj.attrs["name"]
        f.visititems(drop_name)
    _repack(d / "model.weights.h5")
    files = [{"format": "keras2_weights_h5", "file": "model.weights.h5", "config": "model.json",
              "loaders": ["keras3"], "rewritten_from": "formats_k2/model.weights.h5",
              "rule": "group /layers renamed to /_layer_checkpoint_dependencies (tf.keras 2.13–2.14 Functional "
                      ".weights.h5 layout; Keras ≥3.0.2 falls back to it), @name attributes removed",
              "description": "tf.keras 2.13/2.14-style .weights.h5 with _layer_checkpoint_dependencies"}]
    man = _manifest(name, src_man, ".weights.h5 with the tf.keras 2.13–2.14 '_layer_checkpoint_dependencies' "
                    "top group instead of 'layers'", ["format:layer_checkpoint_dependencies"], files,
                    notes=["tf_keras 2.21 itself does not read the _layer_checkpoint_dependencies form"])
    C.write_json(d / "manifest.json", man)


def _repack(path):
    """Rewrites the file compactly (h5py edits leave free space behind). Copies every object and attribute."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    with h5py.File(path, "r") as src, h5py.File(tmp, "w") as dst:
        for k, v in src.attrs.items():
            dst.attrs.create(k, v, dtype=src.attrs.get_id(k).dtype)
        for key in src:
            src.copy(src[key], dst, name=key)
    tmp.replace(path)


def run_all(only=None):
    for n, fn in REGISTRY:
        if only and n not in only:
            continue
        print(f"  [rewrite] {n}", flush=True)
        fn(n)
