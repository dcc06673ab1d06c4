#!/usr/bin/env python3
"""How well-conditioned a zoo model is, measured in the Keras that made it (tools/.cache/zoo/<id>/):

  - reload: Keras loading its own saved file (tf_keras: model.h5, Keras 3: model.keras) and predicting run 0,
    against the cached expected output: max |Δ| and the worst excess over the zoo bound 1e-4 + 1e-3·|y|;
  - sensitivity: max |Δy| when every input element is changed by a relative 1e-6 (seeded), and its excess over
    the same bound (a model whose output moves past the bound for a 1e-6 input change cannot be checked at it);
  - per layer (inference mode, run 0's input): max |activation|, printed for the layers where the running maximum
    grows by ×10 and for the `--top` largest, so that one sees where activations blow up;
  - the output's largest value and, for a softmax output, whether it is saturated (max probability > 0.99).

    tools/.venv/bin/python tools/zoo_condition.py efficientnetb3_k2,regnetx004_k2 [--layers] [--top 8]

Read-only: nothing in the cache is written. Each Keras runs in its own subprocess.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

CACHE = HERE / ".cache" / "zoo"
ATOL, RTOL = 1e-4, 1e-3


def excess(y, e):
    import numpy as np

    y, e = np.asarray(y, np.float64), np.asarray(e, np.float64)
    d = np.abs(y - e)
    return float(np.max(d)), float(np.max(d - (ATOL + RTOL * np.abs(e))))


def layer_maxima(model, x):
    """[(layer name, class, max |output|)] in the model's layer order (inference mode)."""
    import numpy as np

    keras = __import__("fixtures_common").keras_module()
    layers = [l for l in model.layers if not l.__class__.__name__ == "InputLayer"]
    outs = []
    for l in layers:
        try:
            o = l.output
        except Exception:  # layers called more than once have no single output
            continue
        outs.append((l, o))
    probe = keras.Model(model.inputs, [o for _, o in outs])
    ys = probe(x, training=False)
    rows = []
    for (l, _), y in zip(outs, ys if isinstance(ys, (list, tuple)) else [ys]):
        if isinstance(y, (list, tuple)):
            y = y[0]
        a = np.asarray(y)
        rows.append((l.name, l.__class__.__name__, float(np.max(np.abs(a))) if a.size else 0.0))
    return rows


def worker(ids, show_layers: bool, top: int) -> int:
    import fixtures_common as C

    C.configure_environment()
    C.quiet_tensorflow()
    import numpy as np

    keras = C.keras_module()
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10000))  # Keras' loaders recurse over deep graphs (ResNetRS270+)
    for mid in ids:
        d = CACHE / mid
        man = json.loads((d / "manifest.json").read_text())
        path = d / ("model.h5" if C.legacy() else "model.keras")
        model = keras.models.load_model(str(path), compile=False)
        run = man["runs"][0]
        xs = [np.load(d / f) for f in run["inputs"]]
        es = [np.load(d / f) for f in run["outputs"]]
        x = xs if len(xs) > 1 else xs[0]
        ys = C.run_model(model, xs)
        rng = np.random.default_rng(0)
        xs2 = [(a * (1 + 1e-6 * rng.standard_normal(a.shape))).astype(a.dtype) if a.dtype.kind == "f" else a
               for a in xs]
        ys2 = C.run_model(model, xs2)
        rel = [excess(y, e) for y, e in zip(ys, es)]
        sens = [excess(y2, y) for y2, y in zip(ys2, ys)]
        out = {"id": mid, "file": path.name,
               "reload_max_delta": max(r[0] for r in rel), "reload_excess": max(r[1] for r in rel),
               "sensitivity_1e-6": max(s[0] for s in sens), "sensitivity_excess": max(s[1] for s in sens),
               "output_absmax": max(float(np.max(np.abs(y))) for y in ys)}
        last = model.layers[-1]
        act = getattr(getattr(last, "activation", None), "__name__", "")
        if act == "softmax":
            out["softmax_max_probability"] = float(np.max(ys[0]))
            out["softmax_saturated"] = bool(np.max(ys[0]) > 0.99)
        if show_layers:
            rows = layer_maxima(model, x)
            out["activation_absmax"] = max(r[2] for r in rows)
            out["activation_absmax_layer"] = max(rows, key=lambda r: r[2])[0]
            growth, running = [], 0.0
            for name, cls, m in rows:
                if m > 10 * max(running, 1.0):
                    growth.append(f"{name} ({cls}) {m:.3g}")
                running = max(running, m)
            out["growth"] = growth
            out["largest"] = [f"{n} ({c}) {m:.3g}" for n, c, m in sorted(rows, key=lambda r: -r[2])[:top]]
        print(json.dumps(out), flush=True)
        keras.backend.clear_session()
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("ids", help="comma-separated zoo ids (<name>_k2 / <name>_k3)")
    ap.add_argument("--layers", action="store_true", help="also per-layer activation maxima (slower)")
    ap.add_argument("--top", type=int, default=8)
    ap.add_argument("--worker", choices=("k2", "k3"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    ids = [i.strip() for i in a.ids.split(",") if i.strip()]
    if a.worker:
        return worker([i for i in ids if i.endswith("_" + a.worker)], a.layers, a.top)
    rc = 0
    for v in ("k2", "k3"):
        if not any(i.endswith("_" + v) for i in ids):
            continue
        env = dict(os.environ)
        if v == "k2":
            env["TF_USE_LEGACY_KERAS"] = "1"
        else:
            env.pop("TF_USE_LEGACY_KERAS", None)
        args = [sys.executable, str(Path(__file__).resolve()), a.ids, "--worker", v, "--top", str(a.top)]
        rc |= subprocess.run(args + (["--layers"] if a.layers else []), env=env).returncode
    return rc


if __name__ == "__main__":
    sys.exit(main())
