#!/usr/bin/env python3
"""Writes every layer's output, as real Keras computes it, for `keras-port predict --compare-layers DIR`.

Usage: tools/.venv/bin/python tools/dump_layer_outputs.py MODEL INPUT.npy [INPUT2.npy ...] DIR [--keras2] [--config ARCH.json]

Loads MODEL with Keras 3 (or tf_keras with --keras2; weights-only files need --config), runs the inputs and
writes DIR/<layer>.npy for the first output of each top-level layer's first call.
"""
import argparse
import os
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model")
    ap.add_argument("rest", nargs="+", help="INPUT.npy ... DIR")
    ap.add_argument("--keras2", action="store_true", help="use tf_keras (Keras 2)")
    ap.add_argument("--config", help="architecture JSON for weights-only files")
    a = ap.parse_args()
    if len(a.rest) < 2:
        ap.error("give at least one INPUT.npy and the output DIR")
    inputs, out = a.rest[:-1], a.rest[-1]
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if a.keras2:
        os.environ["TF_USE_LEGACY_KERAS"] = "1"
        import tf_keras as keras
    else:
        import keras
    import numpy as np

    if a.config:
        with open(a.config) as f:
            model = keras.models.model_from_json(f.read())
        model.load_weights(a.model)
    else:
        model = keras.models.load_model(a.model, compile=False)
    xs = [np.load(p) for p in inputs]
    names, tensors = [], []
    for layer in model.layers:
        if layer.__class__.__name__ == "InputLayer":
            continue
        out_t = layer.output
        if isinstance(out_t, (list, tuple)):
            out_t = out_t[0]
        names.append(layer.name)
        tensors.append(out_t)
    probe = keras.Model(model.inputs, tensors)
    values = probe(xs if len(xs) > 1 else xs[0], training=False)
    if not isinstance(values, (list, tuple)):
        values = [values]
    os.makedirs(out, exist_ok=True)
    for name, v in zip(names, values):
        np.save(os.path.join(out, name.replace("/", "_") + ".npy"), np.asarray(v, dtype=np.float32))
    print(f"wrote {len(names)} layer outputs to {out}")


if __name__ == "__main__":
    sys.exit(main())
