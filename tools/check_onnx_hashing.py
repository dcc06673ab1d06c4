#!/usr/bin/env python3
"""Checks the ONNX mapping of Keras' `Hashing` (FarmHash Fingerprint64 of each value's decimal string, built from
standard ops at opset 18+) against TensorFlow itself on values of every decimal length.

The lookup fixtures' inputs reach only the 1–3 and 8–9 byte branches of FarmHash; this script exports
Fixtures/models/lookup_k3/model.keras with `--opset 18 --outputs hash_wide,hash_masked` (Hashing(2^31 − 1) and
Hashing(…, mask_value)) and runs it in ONNX Runtime on int64 values of 1 to 19 digits, positive and negative (so
strings of 1 to 20 bytes: every branch), comparing with `tf.strings.to_hash_bucket_fast(tf.strings.as_string(x), n)`
(what Keras' Hashing calls) — equal bins (as float32, KerasPort's output type); -2^63 included.

Usage: tools/.venv/bin/python tools/check_onnx_hashing.py [--bin .build/debug/keras-port]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURE = os.path.join(ROOT, "Fixtures", "models", "lookup_k3")


def values():
    rng = np.random.default_rng(7)
    out = [0, 1, -1, 9, -9, 2**63 - 1, -(2**63 - 1), -(2**63)]
    for digits in range(1, 20):
        low, high = 10 ** (digits - 1), min(10**digits - 1, 2**63 - 1)
        out += [low, high, -low, -high]
        out += [int(v) for v in rng.integers(low, high, size=3, endpoint=True)]
        out += [-int(v) for v in rng.integers(low, high, size=3, endpoint=True)]
    while len(out) % 5:
        out.append(len(out))
    return np.array(out, dtype=np.int64).reshape(-1, 5)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(ROOT, ".build", "debug", "keras-port"))
    args = ap.parse_args()
    try:
        import onnxruntime as ort
    except ImportError as e:
        print(f"check_onnx_hashing.py: SKIP: {e}")
        return 0
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
    import tensorflow as tf

    with open(os.path.join(FIXTURE, "manifest.json")) as f:
        manifest = json.load(f)
    with tempfile.TemporaryDirectory(prefix="check_onnx_hashing-") as tmp:
        out = os.path.join(tmp, "hash.onnx")
        r = subprocess.run([args.bin, "export", os.path.join(FIXTURE, "model.keras"), "--format", "onnx", out,
                            "--opset", "18", "--outputs", "hash_wide,hash_masked", "--force"],
                           capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            print(f"FAIL export: {r.stderr.strip()}")
            return 1
        session = ort.InferenceSession(out, providers=["CPUExecutionProvider"])
        x = values()
        feeds = {}
        for d, spec in zip(session.get_inputs(), manifest["inputs"]):
            shape = [x.shape[0]] + [int(v) for v in spec["shape"][1:]]
            want = {"tensor(float)": np.float32, "tensor(int32)": np.int32, "tensor(int64)": np.int64}[d.type]
            feeds[d.name] = x if d.name == "big_ids" else np.zeros(shape, dtype=want)
        outs = dict(zip([o.name for o in session.get_outputs()], session.run(None, feeds)))
        wide, masked = outs["hash_wide"], outs["hash_masked"]
    strings = tf.strings.as_string(tf.constant(x))
    lengths = sorted({len(s) for s in strings.numpy().reshape(-1)})
    want_wide = tf.strings.to_hash_bucket_fast(strings, 2**31 - 1).numpy()
    failures = 0
    # KerasPort's outputs are float32 (as its engine's): the bins compare as float32 (2^31 − 1 bins round).
    want_wide = want_wide.astype(np.float32)
    if not np.array_equal(wide, want_wide):
        i = tuple(np.argwhere(wide != want_wide)[0])
        print(f"FAIL hash_wide at {i}: value {x[i]}: onnx {wide[i]}, tensorflow {want_wide[i]}")
        failures += 1
    # hash_masked: Keras' Hashing(num_bins, mask_value=m): m → 0, others 1 + fingerprint mod (num_bins − 1).
    layer = next(l for l in json.load(open(os.path.join(FIXTURE, "config.json")))["config"]["layers"]
                 if l["config"]["name"] == "hash_masked") if os.path.exists(os.path.join(FIXTURE, "config.json")) else None
    if layer is None:
        import zipfile
        with zipfile.ZipFile(os.path.join(FIXTURE, "model.keras")) as z:
            config = json.loads(z.read("config.json"))
        layer = next(l for l in config["config"]["layers"] if l["config"]["name"] == "hash_masked")
    bins, mask = layer["config"]["num_bins"], layer["config"]["mask_value"]
    want_masked = np.where(x == mask, 0, tf.strings.to_hash_bucket_fast(strings, bins - 1).numpy() + 1).astype(np.float32)
    if not np.array_equal(masked, want_masked):
        i = tuple(np.argwhere(masked != want_masked)[0])
        print(f"FAIL hash_masked at {i}: value {x[i]}: onnx {masked[i]}, tensorflow {want_masked[i]}")
        failures += 1
    print(f"check_onnx_hashing.py: {x.size} values of {lengths[0]}–{lengths[-1]} bytes, ONNX Runtime "
          f"{ort.__version__} vs TensorFlow {tf.__version__} to_hash_bucket_fast: "
          f"{'exact' if not failures else f'{failures} output(s) differ'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
