#!/usr/bin/env python3
"""Checks the release `keras-port` binary on every model cached by tools/zoo.py (tools/.cache/zoo/<id>/):

  1. predict: `keras-port predict FILE --input … --output …` for each saved file (model.h5, model.keras) and each
     run (any-size models run at two sizes), against Keras' outputs: |ours − keras| ≤ 1e-4 + 1e-3·|keras| (NaN
     matches NaN); the worst |Δ| per model is reported.
  2. inspect --json --alphas: every LeakyReLU slope and PReLU alpha (values, shape, shared_axes) equals what Keras
     reported (float32 bits); layers marked unsupported are the "missing" classes/ops.
  3. convert: `keras-port convert FILE out.keras --json` and `out.h5` (legacy-h5, Keras 2 dialect), each loaded in
     real Keras 3 (`keras.saving.load_model`) and run on the same inputs, same bound; layer renames (`/`) counted.
     When our Keras 2-dialect writer refuses Keras-3-only content, `out.h5` is written as keras3-h5 instead. A legacy
     .h5 that Keras 3 cannot load whatever writes it (H5_LIMITS: Keras' own limits) reads "n/a" with the reason.

    tools/.venv/bin/python tools/zoo_check.py [--quick | --only ids] [--binary PATH] [--out DIR] [--reuse]
                                              [--cached-only]

Each model's result is saved in <id>/check.json; --reuse takes it instead of checking again while the binary and
the model are unchanged (an interrupted full run resumes), --cached-only reports the saved results and checks nothing.

Writes DIR/zoo_report.md and DIR/zoo_report.json (DIR defaults to tools/.cache/zoo) and prints the Markdown.
Exit status 1 when any checked model fails a check (tools/test.sh runs --quick, which must pass).
"""
from __future__ import annotations

import argparse
import json
import re
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

CACHE = HERE / ".cache" / "zoo"
ATOL, RTOL = 1e-4, 1e-3
TIMEOUT = 1800


def compare(ours, expected):
    """(ok, max |Δ|, worst excess over the bound) with NaN matching NaN."""
    import numpy as np

    a = np.asarray(ours, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    if a.shape != e.shape:
        return False, float("inf"), float("inf"), f"shape {list(a.shape)} != Keras' {list(e.shape)}"
    both_nan = np.isnan(a) & np.isnan(e)
    d = np.where(both_nan, 0.0, np.abs(a - e))
    d = np.where(np.isnan(d), np.inf, d)
    excess = d - (ATOL + RTOL * np.abs(np.nan_to_num(e)))
    worst = float(np.max(d)) if d.size else 0.0
    ok = bool(np.all(excess <= 0)) if d.size else True
    return ok, worst, float(np.max(excess)) if d.size else 0.0, ""


def run(cmd, timeout=TIMEOUT):
    t0 = time.time()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return 124, "", f"timed out after {timeout} s", time.time() - t0
    return p.returncode, p.stdout, p.stderr, time.time() - t0


def last_line(text):
    lines = [l for l in text.strip().splitlines() if l.strip() and not l.startswith("renamed ")]
    line = lines[-1] if lines else ""
    return line[len("Error: "):] if line.startswith("Error: ") else line


class Keras3:
    """A persistent Keras 3 process that loads a file and predicts (keeps the ~1 min import to once)."""

    def __init__(self):
        self.p = None

    def start(self):
        env = dict(os.environ)
        env.pop("TF_USE_LEGACY_KERAS", None)
        env.update({"TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": "-1", "TF_ENABLE_ONEDNN_OPTS": "0",
                    "KERAS_BACKEND": "tensorflow"})
        self.p = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--keras3-worker"], env=env,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)

    def check(self, file, inputs, outputs):
        if self.p is None or self.p.poll() is not None:
            self.start()
        self.p.stdin.write(json.dumps({"file": str(file), "inputs": [[str(i) for i in run] for run in inputs],
                                       "outputs": [[str(o) for o in run] for run in outputs]}) + "\n")
        self.p.stdin.flush()
        line = self.p.stdout.readline()
        if not line:
            return {"ok": False, "error": "the Keras 3 worker died"}
        return json.loads(line)

    def close(self):
        if self.p is None:
            return
        try:
            self.p.stdin.close()
            self.p.wait(timeout=60)
        except Exception:
            self.p.kill()


def keras3_worker():
    import numpy as np

    import fixtures_common as C

    C.configure_environment()
    C.quiet_tensorflow()
    import keras

    # Keras' functional loaders walk the layer graph recursively (tf_keras' _build_map_helper too): ResNetRS270/350/420
    # exceed Python's default limit of 1000 frames (RecursionError) in Keras' own code, whatever wrote the file.
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10000))
    for line in sys.stdin:
        req = json.loads(line)
        try:
            model = keras.saving.load_model(req["file"], compile=False)
            worst, ok, reason = 0.0, True, ""
            for ins, outs in zip(req["inputs"], req["outputs"]):
                xs = [np.load(f) for f in ins]
                ys = C.run_model(model, xs)
                if len(ys) != len(outs):
                    ok, reason = False, f"{len(ys)} outputs, expected {len(outs)}"
                    break
                for y, f in zip(ys, outs):
                    o, w, _, why = compare(y, np.load(f))
                    worst = max(worst, w)
                    if not o:
                        ok = False
                        reason = why or f"max |Δ| {w:.3g} above the bound"
            res = {"ok": ok, "max_abs": worst, "error": reason}
            del model
            keras.backend.clear_session()
        except Exception as e:  # noqa: BLE001
            res = {"ok": False, "max_abs": None, "error": f"{type(e).__name__}: {str(e).strip().splitlines()[0] if str(e).strip() else ''}"[:400]}
        sys.stdout.write(json.dumps(res) + "\n")
        sys.stdout.flush()


def check_alphas(report, manifest):
    """Compares inspect --json's LeakyReLU/PReLU entries with Keras' values; returns a list of problems."""
    import numpy as np

    layers = {l["name"]: l for l in report.get("layers", [])}
    problems = []
    for a in manifest.get("activations", []):
        l = layers.get(a["name"])
        if l is None:
            problems.append(f"{a['name']}: not listed")
            continue
        if a["class_name"] == "LeakyReLU":
            if np.float32(l.get("negative_slope", np.nan)) != np.float32(a["negative_slope"]):
                problems.append(f"{a['name']}: slope {l.get('negative_slope')} != {a['negative_slope']}")
        else:
            alpha = l.get("alpha") or {}
            vals = np.asarray(alpha.get("values", []), dtype=np.float32)
            exp = np.asarray(a["alpha_values"], dtype=np.float32)
            if list(alpha.get("shape", [])) != a["alpha_shape"] or vals.shape != exp.shape or not np.array_equal(vals, exp):
                problems.append(f"{a['name']}: alphas differ")
            if (l.get("shared_axes") or None) != (a["shared_axes"] or None):
                problems.append(f"{a['name']}: shared_axes {l.get('shared_axes')} != {a['shared_axes']}")
    return problems


def check_model(d: Path, binary: str, k3: Keras3, work: Path, load_in_keras3: bool = True):
    import numpy as np

    m = json.loads((d / "manifest.json").read_text())
    row = {"id": m["id"], "model": m["name"], "version": m["version"], "kind": m["kind"], "params": m["params"],
           "keras_version": m["keras_version"], "predict_ok": False, "worst_abs_error": None, "worst_excess": None,
           "keras3_checked": load_in_keras3,
           "alphas_ok": None, "activation_layers": len(m.get("activations", [])), "converted_keras": False,
           "converted_h5": False, "renamed_layers": 0, "unsupported": {}, "failures": [], "seconds": {}}
    files = [f["file"] for f in m["files"]]

    # 2. inspect (first: it names what is missing)
    t0 = time.time()
    rc, out, err, _ = run([binary, "inspect", str(d / files[0]), "--json", "--alphas"])
    row["seconds"]["inspect"] = round(time.time() - t0, 2)
    if rc != 0:
        row["failures"].append(f"inspect: {last_line(err)}")
    else:
        report = json.loads(out)
        classes = m.get("layer_classes", {})
        for l in report.get("layers", []):
            if not l.get("supported", True):
                key = classes.get(l["name"], l["class_name"])
                row["unsupported"][key] = row["unsupported"].get(key, 0) + 1
        problems = check_alphas(report, m)
        row["alphas_ok"] = not problems
        if problems:
            row["failures"].append("inspect alphas: " + "; ".join(problems[:3]))

    # 1. predict
    worst, worst_excess, ok = 0.0, -np.inf, True
    t0 = time.time()
    for f in files:
        for r, runinfo in enumerate(m["runs"]):
            outs = [work / f"y_{r}_{i}.npy" for i in range(len(runinfo["outputs"]))]
            cmd = [binary, "predict", str(d / f)]
            for i in runinfo["inputs"]:
                cmd += ["--input", str(d / i)]
            for o in outs:
                cmd += ["--output", str(o)]
            rc, out, err, _ = run(cmd)
            if rc != 0:
                ok = False
                row["failures"].append(f"predict {f}: {last_line(err)}")
                break
            for o, e in zip(outs, runinfo["outputs"]):
                good, w, ex, why = compare(np.load(o), np.load(d / e))
                worst = max(worst, w)
                worst_excess = max(worst_excess, ex)
                if not good:
                    ok = False
                    row["failures"].append(f"predict {f} run {r}: " + (why or f"max |Δ| {w:.3g} above the bound"))
        if not ok:
            break
    row["seconds"]["predict"] = round(time.time() - t0, 2)
    row["predict_ok"] = ok
    if ok:
        row["worst_abs_error"] = worst
        row["worst_excess"] = worst_excess

    # 3. convert, then load in real Keras 3
    t0 = time.time()
    source = d / files[-1] if m["version"] == "k3" else d / files[0]
    for target, key in (("out.keras", "converted_keras"), ("out.h5", "converted_h5")):
        dest = work / target
        if dest.exists():
            dest.unlink()
        rc, out, err, _ = run([binary, "convert", str(source), str(dest), "--json"])
        if rc != 0 and target == "out.h5" and "cannot be written as legacy-h5 (Keras 2 dialect)" in err:
            # Keras-3-only content (keras.ops calls, Keras 3 activations): the Keras 3 dialect of the legacy format.
            row["h5_format"] = "keras3-h5"
            rc, out, err, _ = run([binary, "convert", str(source), str(dest), "--format", "keras3-h5", "--json"])
        if rc != 0:
            row["failures"].append(f"convert {target}: {last_line(err)}")
            continue
        try:
            row["renamed_layers"] = len(json.loads(out).get("renamed_layers", []))
        except json.JSONDecodeError:
            pass
        if not load_in_keras3:
            row[key] = None  # written, not loaded in Keras 3 (--no-keras3)
            continue
        res = k3.check(dest, [[d / i for i in r["inputs"]] for r in m["runs"]],
                       [[d / o for o in r["outputs"]] for r in m["runs"]])
        if res.get("ok"):
            row[key] = True
        else:
            row["failures"].append(f"Keras 3 on converted {target}: {res.get('error')}")
    row["seconds"]["convert"] = round(time.time() - t0, 2)
    return classify(row)


# A legacy .h5 that no Keras 3 can load whatever writes it (Keras' own limits, each checked on Keras' own files or
# configs): the .h5 column then reads "n/a" with the reason, and the model is not failed for it. `.keras` always counts.
H5_LIMITS = [
    (re.compile(r"^Keras 3 on converted out\.h5: .*Unknown layer: '(TFOpLambda|LayerScale|Custom>CustomScaleLayer|DepthToSpace)'"),
     "Keras 3's legacy-.h5 loader has no class `{0}` (tf_keras TFOpLambda calls, keras.applications' own layers, "
     "keras.ops calls are registered only for .keras)"),
    (re.compile(r"^convert out\.h5: .*`(keras\.src\.ops\.[A-Za-z_.]+)` is a Keras 3 keras\.ops call"),
     "a keras.ops call (`{0}`) is recorded only by the module a .keras config names; Keras 3 cannot load its own "
     "legacy .h5 of one"),
    (re.compile(r"^Keras 3 on converted out\.h5: .*Error when deserializing class '(MultiHeadAttention)'"),
     "tf_keras needs `query_shape`/`key_shape`/`value_shape` in a legacy .h5 `{0}` config and Keras 3 rejects them"),
]


def classify(row):
    """Moves .h5 failures that are Keras' own limits (H5_LIMITS) into row["h5_not_expressible"]."""
    kept = []
    for f in row["failures"]:
        for pattern, reason in H5_LIMITS:
            m = pattern.search(f)
            if m:
                row["converted_h5"] = "n/a"
                row["h5_not_expressible"] = reason.format(*m.groups())
                break
        else:
            kept.append(f)
    row["failures"] = kept
    return row


def markdown(rows):
    lines = ["| model | version | params | worst \\|Δ\\| | predict | converted .keras / .h5 | renamed | alphas | failure |",
             "|---|---|---:|---:|---|---|---:|---|---|"]
    for r in rows:
        worst = "—" if r["worst_abs_error"] is None else f"{r['worst_abs_error']:.2e}"
        alphas = "—" if r["alphas_ok"] is None or not r["activation_layers"] else ("ok" if r["alphas_ok"] else "no")
        def yn(v):
            return "written*" if v is None else v if isinstance(v, str) else ("yes" if v else "no")

        conv = f"{yn(r['converted_keras'])} / {yn(r['converted_h5'])}"
        reason = (r["failures"][0] if r["failures"] else
                  f".h5 n/a: {r['h5_not_expressible']}" if r.get("h5_not_expressible") else "").replace("|", "\\|")
        if r.get("h5_format"):
            conv += f" ({r['h5_format']})"
        if len(reason) > 160:
            reason = reason[:157] + "…"
        lines.append(f"| {r['model']} | {r['version']} | {r['params']:,} | {worst} | {'ok' if r['predict_ok'] else 'FAIL'} "
                     f"| {conv} | {r['renamed_layers']} | {alphas} | {reason} |")
    return "\n".join(lines)


def summary(rows):
    missing = {}
    for r in rows:
        for k, n in r["unsupported"].items():
            e = missing.setdefault(k, {"models": 0, "layers": 0})
            e["models"] += 1
            e["layers"] += n
    passed = [r for r in rows if r["predict_ok"] and r["converted_keras"] is not False and not r["failures"]]
    return {
        "models": len(rows), "passed_all": len(passed),
        "predict_ok": sum(r["predict_ok"] for r in rows),
        "converted_keras": sum(r["converted_keras"] is True for r in rows),
        "converted_h5": sum(r["converted_h5"] is True for r in rows),
        "h5_not_expressible": sum(r["converted_h5"] == "n/a" for r in rows),
        "written_not_loaded_keras": sum(r["converted_keras"] is None for r in rows),
        "written_not_loaded_h5": sum(r["converted_h5"] is None for r in rows),
        "worst_abs_error": max((r["worst_abs_error"] for r in rows if r["worst_abs_error"] is not None), default=None),
        "missing": dict(sorted(missing.items(), key=lambda kv: (-kv[1]["models"], kv[0]))),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=str(REPO / ".build" / "release" / "keras-port"))
    ap.add_argument("--only", help="comma-separated ids or names")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", default=str(CACHE))
    ap.add_argument("--no-keras3", action="store_true",
                    help="fast pass: convert but do not load the results in Keras 3 (converted shows written*)")
    ap.add_argument("--reuse", action="store_true",
                    help="reuse a model's result from <id>/check.json while the binary and the model are unchanged")
    ap.add_argument("--cached-only", action="store_true",
                    help="report only models whose check result is cached (<id>/check.json); check nothing")
    ap.add_argument("--keras3-worker", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.keras3_worker:
        keras3_worker()
        return 0
    import zoo

    if not Path(a.binary).exists():
        sys.exit(f"zoo_check.py: no binary at {a.binary} (swift build -c release --product keras-port)")
    dirs = sorted(p.parent for p in CACHE.glob("*/manifest.json"))
    only = a.only.split(",") if a.only else (zoo.QUICK if a.quick else None)
    if only:
        want = {o.strip().lower() for o in only}
        dirs = [p for p in dirs if p.name in want or p.name.rsplit("_", 1)[0] in want]
        missing = [o for o in want if not any(p.name == o or p.name.rsplit("_", 1)[0] == o for p in dirs)]
        if missing:
            sys.exit(f"zoo_check.py: not built: {', '.join(sorted(missing))} (run tools/zoo.py first)")
    if not dirs:
        sys.exit("zoo_check.py: no models in tools/.cache/zoo (run tools/zoo.py first)")
    k3 = Keras3()
    rows = []
    work = Path(tempfile.mkdtemp(prefix="zoo-check-"))
    try:
        st = os.stat(a.binary)
        for d in dirs:
            t0 = time.time()
            # A model's result is kept in <id>/check.json and reused while the binary and the model are unchanged.
            key = f"{st.st_mtime_ns}:{st.st_size}:{(d / 'manifest.json').stat().st_mtime_ns}"
            saved = d / ("check_fast.json" if a.no_keras3 else "check.json")
            row = None
            if a.reuse or a.cached_only:
                # A full result serves a fast pass too; a fast result serves only a fast pass or a report.
                for f in [d / "check.json"] + ([d / "check_fast.json"] if a.no_keras3 or a.cached_only else []):
                    try:
                        prev = json.loads(f.read_text())
                        row = classify(prev["row"]) if prev.get("key") == key else None
                    except (OSError, json.JSONDecodeError, KeyError):
                        row = None
                    if row is not None:
                        break
            if row is None and a.cached_only:
                continue
            if row is None:
                row = check_model(d, a.binary, k3, work, load_in_keras3=not a.no_keras3)
                saved.write_text(json.dumps({"key": key, "row": row}))
            rows.append(row)
            status = "ok" if not row["failures"] else "FAIL: " + row["failures"][0][:200]
            print(f"{row['id']}: {status} ({time.time() - t0:.1f} s)", file=sys.stderr, flush=True)
    finally:
        k3.close()
        shutil.rmtree(work, ignore_errors=True)
    s = summary(rows)
    md = markdown(rows)
    md += (f"\n\n{s['models']} models: predict within the bound {s['predict_ok']}, converted to .keras and verified in "
           f"Keras 3 {s['converted_keras']}, to .h5 {s['converted_h5']} (not expressible as a legacy .h5 Keras 3 loads: "
           f"{s['h5_not_expressible']}), everything passed {s['passed_all']}. "
           f"Worst |Δ| among passing predictions: {s['worst_abs_error']}.\n")
    if s["written_not_loaded_keras"] or s["written_not_loaded_h5"]:
        md += (f"\nwritten*: converted by keras-port but not loaded in Keras 3 in this run (--no-keras3): "
               f"{s['written_not_loaded_keras']} .keras, {s['written_not_loaded_h5']} .h5.\n")
    if s["missing"]:
        md += "\nMissing classes/ops (models affected, layers):\n\n" + "\n".join(
            f"- `{k}`: {v['models']} models, {v['layers']} layers" for k, v in s["missing"].items()) + "\n"
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "zoo_report.md").write_text(md)
    (out / "zoo_report.json").write_text(json.dumps({"bound": {"atol": ATOL, "rtol": RTOL}, "summary": s,
                                                     "models": rows}, indent=1))
    print(md)
    failed = sum(1 for r in rows if r["failures"])
    print(f"=== zoo: {len(rows) - failed} passed, {failed} failed")
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
