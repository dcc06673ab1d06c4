#!/usr/bin/env python3
"""Checks that files KerasPort wrote load in REAL Keras and reproduce a fixture's expected outputs.

    tools/.venv/bin/python tools/check_interop.py LIST.json
    tools/.venv/bin/python tools/check_interop.py --self-check [--only FIXTURE ...]

LIST.json is a JSON list of items:
    [{"file": "out/example.h5",              # a file KerasPort wrote (.h5, .keras, .weights.h5, .weights.json)
      "fixture": "Fixtures/models/example",  # folder with input_i.npy, expected_i.npy, manifest.json
      "loaders": ["keras3", "tf_keras"],      # optional; default keras3, plus tf_keras for Keras 1/2 dialect .h5
      "config": "out/model.json"}]           # optional architecture JSON for weights-only files
                                              # (default: the fixture's model.json / file entry's config)
Relative paths are resolved against the current directory, then against the repository root.

Loading: keras3 = `keras.models.load_model(path, compile=False)` for .keras and full-model .h5; for weights-only
files the architecture is built from the config JSON (Keras 3 JSON with keras.models.model_from_json, Keras 1/2
JSON with Keras 3's legacy model_from_config after dropping the per-layer module/registered_name/build_config keys
that tf_keras to_json() adds, i.e. the form Keras 3 reads from a legacy .h5) and `model.load_weights(path)`. tf_keras = the same with
tf_keras (Keras 2) in a subprocess with TF_USE_LEGACY_KERAS=1.
Each loaded model runs the fixture inputs with model(x, training=False); every output must satisfy
|ours - keras| <= 1e-5 + 1e-4*|keras| (NaN must be NaN, infinities equal).
Prints one line per file, then `N passed, M failed`; exits 1 if any file failed.

--self-check feeds the fixture files themselves (every file entry of every manifest with its declared loaders).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
MODELS = REPO / "Fixtures" / "models"
ATOL, RTOL = 1e-5, 1e-4
LOADERS = ("keras3", "tf_keras")


# ============================================================================================ worker side

def _quiet_env():
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    os.environ["CUDA_VISIBLE_DEVICES"] = "-1"
    os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")


class _Capture:
    """Collects Python warnings and logging records (WARNING and above) while active."""

    def __enter__(self):
        import logging
        import warnings

        self.messages = []
        self._wcm = warnings.catch_warnings(record=True)
        self._wlist = self._wcm.__enter__()
        warnings.simplefilter("always")
        cap = self

        class H(logging.Handler):
            def emit(self, record):
                cap.messages.append(f"{record.levelname.lower()}: {record.getMessage()}")

        self._handler = H(level=logging.WARNING)
        self._loggers = [logging.getLogger(), logging.getLogger("absl"), logging.getLogger("tensorflow")]
        for lg in self._loggers:
            lg.addHandler(self._handler)
        return self

    def __exit__(self, *exc):
        for lg in self._loggers:
            lg.removeHandler(self._handler)
        self._wcm.__exit__(*exc)
        for w in self._wlist:
            self.messages.append(f"{w.category.__name__}: {w.message}")
        out, seen = [], set()
        for m in self.messages:
            m = " ".join(str(m).split())[:300]
            if m not in seen:
                seen.add(m)
                out.append(m)
        self.messages = out
        return False


def _is_full_model_h5(path):
    import h5py

    with h5py.File(path, "r") as f:
        return "model_config" in f.attrs


def _build_from_config(keras, legacy_loader: bool, config_path):
    if not config_path:
        raise ValueError("weights-only file but no architecture JSON (config) was given or found in the fixture")
    text = Path(config_path).read_text()
    cfg = json.loads(text)
    if legacy_loader:
        return keras.models.model_from_json(text)
    if "module" in cfg:  # Keras 3 serialization (model.to_json() in Keras 3)
        return keras.models.model_from_json(text)
    from keras.src.legacy.saving import saving_utils  # Keras 3's reader for Keras 1/2 style configs

    return saving_utils.model_from_config(_as_h5_model_config(cfg))


def _as_h5_model_config(cfg):
    """tf_keras model.to_json() adds module/registered_name/build_config to every layer entry, which sends Keras 3
    down its new-style deserializer (that fails on e.g. BatchNormalization axis [3]). The same model's legacy .h5
    model_config has none of them, and Keras 3 reads that form; so drop those keys at layer level only."""
    if isinstance(cfg, dict):
        out = {}
        for k, v in cfg.items():
            if k == "layers" and isinstance(v, list):
                out[k] = [_as_h5_model_config({kk: vv for kk, vv in layer.items()
                                               if kk not in ("module", "registered_name", "build_config")})
                          if isinstance(layer, dict) else layer for layer in v]
            else:
                out[k] = _as_h5_model_config(v)
        return out
    if isinstance(cfg, list):
        return [_as_h5_model_config(v) for v in cfg]
    return cfg


def _load(keras, legacy_loader, path, config_path):
    p = str(path)
    if p.endswith(".keras"):
        return keras.models.load_model(p, compile=False)
    if p.endswith(".weights.h5") or p.endswith(".weights.json"):
        m = _build_from_config(keras, legacy_loader, config_path)
        m.load_weights(p)
        return m
    if p.endswith(".h5") or p.endswith(".hdf5"):
        if _is_full_model_h5(p):
            return keras.models.load_model(p, compile=False)
        m = _build_from_config(keras, legacy_loader, config_path)
        m.load_weights(p)
        return m
    raise ValueError(f"unknown file type: {p}")


def _flatten(x):
    if isinstance(x, (list, tuple)):
        return [y for e in x for y in _flatten(e)]
    if isinstance(x, dict):
        return [y for e in x.values() for y in _flatten(e)]
    return [x]


def compare(actual, expected):
    """(ok, max_abs_diff, message) for |a - e| <= ATOL + RTOL*|e|, NaN==NaN, inf exact."""
    import numpy as np

    a = np.asarray(actual, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    if a.shape != e.shape:
        return False, float("inf"), f"shape {list(a.shape)} != expected {list(e.shape)}"
    nan_a, nan_e = np.isnan(a), np.isnan(e)
    if np.any(nan_a != nan_e):
        i = int(np.argmax(nan_a != nan_e))
        return False, float("nan"), f"NaN mismatch at flat index {i}: got {float(a.ravel()[i])}, expected {float(e.ravel()[i])}"
    inf_e = np.isinf(e) | np.isinf(a)
    if np.any(inf_e & (a != e)):
        i = int(np.argmax(inf_e & (a != e)))
        return False, float("inf"), f"infinity mismatch at flat index {i}: got {float(a.ravel()[i])}, expected {float(e.ravel()[i])}"
    fin = ~(nan_e | inf_e)
    d = np.abs(a - e)
    d[~fin] = 0.0
    maxd = float(d.max()) if d.size else 0.0
    bad = fin & (d > ATOL + RTOL * np.abs(e))
    if np.any(bad):
        i = int(np.argmax(d * bad))
        return False, maxd, f"flat index {i}: got {float(a.ravel()[i])!r}, expected {float(e.ravel()[i])!r}"
    return True, maxd, ""


def _short(e, limit=420):
    """One line; for long messages keep the start and the end (Keras puts the root cause last)."""
    msg = f"{type(e).__name__}: {' '.join(str(e).split())}"
    if len(msg) <= limit:
        return msg
    return msg[: limit // 3] + " … " + msg[-(2 * limit) // 3:]


def _run_item(keras, legacy_loader, item):
    import numpy as np

    fixture = Path(item["fixture"])
    res = {"status": "error", "max_abs_diff": None, "message": "", "warnings": []}
    try:
        manifest = json.loads((fixture / "manifest.json").read_text())
    except (OSError, ValueError) as e:
        res["message"] = f"cannot read fixture manifest {fixture}/manifest.json: {e}"
        return res
    if not Path(item["file"]).exists():
        res["message"] = f"file not found: {item['file']}"
        return res
    try:
        with _Capture() as cap:
            model = _load(keras, legacy_loader, item["file"], item.get("config"))
        res["warnings"] = cap.messages
    except Exception as e:  # noqa: BLE001 — we report any loader failure
        res["message"] = f"load failed: {_short(e)}"
        return res
    try:
        xs = [np.load(fixture / i["file"]) for i in manifest["inputs"]]
        feed = xs if len(xs) > 1 else xs[0]
        if len(xs) == 1 and isinstance(getattr(model, "_inputs_struct", None), list):
            feed = xs  # Keras 3 model built from a Keras 2 config declares its inputs as a one-element list
        with _Capture() as cap:
            y = model(feed, training=False)
        ys = [np.asarray(t) for t in _flatten(y)]
        res["warnings"] += [m for m in cap.messages if m not in res["warnings"]]
        exp = [np.load(fixture / o["file"]) for o in manifest["outputs"]]
        if len(ys) != len(exp):
            res["message"] = f"model has {len(ys)} outputs, fixture expects {len(exp)}"
            return res
        worst, msgs = 0.0, []
        for k, (a, e) in enumerate(zip(ys, exp)):
            ok, maxd, msg = compare(a, e)
            if maxd == maxd:
                worst = max(worst, maxd)
            if not ok:
                msgs.append(f"output {k} ({manifest['outputs'][k]['name']}): {msg}")
        res["max_abs_diff"] = worst
        if msgs:
            res["status"] = "mismatch"
            res["message"] = "; ".join(msgs)[:600]
        else:
            res["status"] = "ok"
    except Exception as e:  # noqa: BLE001
        res["message"] = f"inference failed: {_short(e)}"
    return res


def worker(loader, items_path, results_path):
    _quiet_env()
    legacy_loader = loader == "tf_keras"
    if legacy_loader:
        os.environ["TF_USE_LEGACY_KERAS"] = "1"
        import tf_keras as keras
    else:
        os.environ.pop("TF_USE_LEGACY_KERAS", None)
        import keras
    import logging

    import tensorflow as tf

    tf.get_logger().setLevel(logging.WARNING)
    items = json.loads(Path(items_path).read_text())
    results = []
    for item in items:
        keras.backend.clear_session()
        results.append(_run_item(keras, legacy_loader, item))
    Path(results_path).write_text(json.dumps(results))


# ============================================================================================ driver side

def _resolve(p, base=None):
    if p is None:
        return None
    q = Path(p)
    if q.is_absolute():
        return q
    for root in ([base] if base else []) + [Path.cwd(), REPO]:
        if (root / q).exists():
            return (root / q).resolve()
    return (Path.cwd() / q).resolve()


def _keras_dialect(path):
    """'1', '2', '3' or None for an .h5 file's claimed Keras version."""
    import h5py

    try:
        with h5py.File(path, "r") as f:
            v = f.attrs.get("keras_version")
            if v is None and "model_weights" in f:
                v = f["model_weights"].attrs.get("keras_version")
            if v is None:
                return "1"
            if isinstance(v, bytes):
                v = v.decode()
            return str(v)[:1]
    except OSError:
        return None


def _fixture_config(fixture: Path, file_name: str):
    man = fixture / "manifest.json"
    if man.exists():
        m = json.loads(man.read_text())
        for f in m.get("files", []):
            if f.get("file") == file_name and f.get("config"):
                return fixture / f["config"]
        for f in m.get("files", []):
            if f.get("config"):
                return fixture / f["config"]
    if (fixture / "model.json").exists():
        return fixture / "model.json"
    return None


def normalise_items(raw):
    items = []
    for it in raw:
        file = _resolve(it["file"])
        fixture = _resolve(it["fixture"])
        config = _resolve(it.get("config")) if it.get("config") else None
        if config is None and not (str(file).endswith(".keras")):
            config = _fixture_config(fixture, file.name)
        loaders = it.get("loaders")
        if loaders is None:
            loaders = ["keras3"]
            if file.suffix in (".h5", ".hdf5") and not file.name.endswith(".weights.h5") \
                    and _keras_dialect(file) in ("1", "2"):
                loaders.append("tf_keras")
        for ld in loaders:
            if ld not in LOADERS:
                raise SystemExit(f"check_interop.py: unknown loader {ld!r} for {it['file']} (use keras3, tf_keras)")
        items.append({"file": str(file), "fixture": str(fixture), "config": str(config) if config else None,
                      "loaders": list(loaders), "label": it["file"]})
    return items


def run_loaders(items):
    """Runs each loader's worker once over its items; returns {(index, loader): result}."""
    out = {}
    for loader in LOADERS:
        idx = [i for i, it in enumerate(items) if loader in it["loaders"]]
        if not idx:
            continue
        with tempfile.TemporaryDirectory() as td:
            ip, rp = Path(td) / "items.json", Path(td) / "results.json"
            ip.write_text(json.dumps([items[i] for i in idx]))
            env = dict(os.environ)
            env["TF_CPP_MIN_LOG_LEVEL"] = "3"
            if loader == "tf_keras":
                env["TF_USE_LEGACY_KERAS"] = "1"
            else:
                env.pop("TF_USE_LEGACY_KERAS", None)
            py = sys.executable
            proc = subprocess.run([py, str(Path(__file__).resolve()), "--worker", loader, str(ip), str(rp)],
                                  env=env, capture_output=True, text=True, timeout=1800)
            if proc.returncode != 0 or not rp.exists():
                tail = "\n".join(proc.stderr.strip().splitlines()[-8:])
                for i in idx:
                    out[(i, loader)] = {"status": "error", "max_abs_diff": None, "warnings": [],
                                        "message": f"{loader} worker crashed (exit {proc.returncode}): {tail}"}
                continue
            for i, r in zip(idx, json.loads(rp.read_text())):
                out[(i, loader)] = r
    return out


def _fmt_diff(v):
    return "n/a" if v is None else f"{v:.3g}"


def report(items, results):
    passed = failed = 0
    for i, it in enumerate(items):
        parts, warns, ok = [], [], True
        for ld in it["loaders"]:
            r = results[(i, ld)]
            if r["status"] == "ok":
                parts.append(f"{ld}: max|diff|={_fmt_diff(r['max_abs_diff'])}")
            else:
                ok = False
                parts.append(f"{ld}: {r['status'].upper()} max|diff|={_fmt_diff(r['max_abs_diff'])} {r['message']}")
            warns += [f"{ld}: {w}" for w in r.get("warnings", [])]
        if not it["loaders"]:
            ok = False
            parts.append("no loader requested (loaders is empty), nothing was checked")
        line = f"{'OK  ' if ok else 'FAIL'} {it['label']}  [{'; '.join(parts)}]"
        if warns:
            line += "  warnings: " + " | ".join(warns)
        print(line, flush=True)
        passed += ok
        failed += not ok
    print(f"{passed} passed, {failed} failed", flush=True)
    return failed == 0


def self_check_items(only=None):
    raw = []
    for man_path in sorted(MODELS.glob("*/manifest.json")):
        m = json.loads(man_path.read_text())
        if only and m["name"] not in only:
            continue
        fixture = man_path.parent
        for f in m["files"]:
            if not f.get("loaders"):
                continue
            raw.append({"file": str((fixture / f["file"]).relative_to(REPO)),
                        "fixture": str(fixture.relative_to(REPO)),
                        "loaders": f["loaders"],
                        **({"config": str((fixture / f["config"]).relative_to(REPO))} if f.get("config") else {})})
    return raw


def probe_fixtures(only=None):
    """For make_fixtures.py: load every fixture file with keras3 (and tf_keras for Keras 1/2 files), record the
    outcome in each manifest under files[i]['real_keras_load'], and return False if a declared loader failed."""
    entries, items = [], []
    for man_path in sorted(MODELS.glob("*/manifest.json")):
        m = json.loads(man_path.read_text())
        if only and m["name"] not in only:
            continue
        fixture = man_path.parent
        for fi, f in enumerate(m["files"]):
            loaders = ["keras3"]
            if f["format"].startswith(("keras2", "keras1")):
                loaders.append("tf_keras")
            it = {"file": str(fixture / f["file"]), "fixture": str(fixture), "loaders": loaders,
                  "config": str(fixture / f["config"]) if f.get("config") else None}
            entries.append((man_path, fi))
            items.append(it)
    items = normalise_items([{**it, "config": it["config"]} for it in items])
    results = run_loaders(items)
    all_ok = True
    by_manifest = {}
    for k, ((man_path, fi), it) in enumerate(zip(entries, items)):
        m = by_manifest.setdefault(man_path, json.loads(man_path.read_text()))
        f = m["files"][fi]
        f["real_keras_load"] = {}
        for ld in it["loaders"]:
            r = results[(k, ld)]
            f["real_keras_load"][ld] = {kk: r[kk] for kk in ("status", "max_abs_diff", "message", "warnings")}
            declared = ld in f.get("loaders", [])
            tag = "ok" if r["status"] == "ok" else r["status"].upper()
            if declared and r["status"] != "ok":
                all_ok = False
                tag += "  <-- DECLARED LOADER FAILED"
            print(f"  {m['name']}/{f['file']} [{ld}{'' if declared else ', probe only'}]: {tag} "
                  f"{r['message'][:160]}", flush=True)
    import fixtures_common

    for man_path, m in by_manifest.items():
        fixtures_common.write_json(man_path, m)
    return all_ok


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "--worker":
        worker(sys.argv[2], sys.argv[3], sys.argv[4])
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("list", nargs="?", help="JSON list of {file, fixture, loaders?, config?}")
    ap.add_argument("--self-check", action="store_true", help="check the fixture files themselves")
    ap.add_argument("--only", action="append", help="with --self-check: only these fixtures")
    args = ap.parse_args()
    if args.self_check:
        raw = self_check_items(args.only)
    elif args.list:
        try:
            raw = json.loads(Path(args.list).read_text())
        except (OSError, json.JSONDecodeError) as e:
            sys.exit(f"check_interop.py: cannot read list {args.list}: {e}")
        if not isinstance(raw, list):
            sys.exit(f"check_interop.py: {args.list} must hold a JSON list")
    else:
        ap.error("give a LIST.json or --self-check")
    items = normalise_items(raw)
    ok = report(items, run_loaders(items))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
