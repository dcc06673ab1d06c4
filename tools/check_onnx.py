#!/usr/bin/env python3
"""Checks `keras-port export --format onnx` in real ONNX and ONNX Runtime.

For every fixture under Fixtures/models (each model file of it), exports the model with the keras-port binary,
runs `onnx.checker.check_model(full_check=True)`, runs the model in ONNX Runtime on the inputs Keras was given
(input_<i>.npy) and compares with the outputs real Keras computed (expected_<i>.npy) within the project's bound,
|onnx - keras| <= 1e-5 + 1e-4*|keras| (NaN matches NaN, infinities must be equal). The first file of each fixture is
also exported with other opsets and `--layout nhwc` (see VARIANTS). With `--triton`, every fixture is also written as
a Triton model repository entry whose config.pbtxt is parsed as Triton's own `inference.ModelConfig` (the
`model_config_pb2` shipped by PyPI tritonclient) and checked against the ONNX model, which is run with a batch of
`max_batch_size`.

A fixture with a layer that has no ONNX mapping (or that KerasPort does not run) is reported as skipped with the
exporter's message; `--strict` makes that a failure. The fixtures in EXPECTED_REFUSALS must be refused naming the
layer; those in LEAVE_OUT are then exported again with `--outputs` (every other output) and verified like the rest. Exit status 1 when anything failed.

With `--zoo [ids]` it checks the real-world models cached by tools/zoo.py instead (tools/.cache/zoo/<id>/, every
id when none is given, comma-separated otherwise): each saved file (model.keras, model.h5) is exported with opset 17,
checked with full_check, run in ONNX Runtime on every run's inputs (any-size models at each of their sizes) and
compared with Keras' outputs within the zoo bound |onnx - keras| <= 1e-4 + 1e-3*|keras|; prints a Markdown table
(model, file, exported, worst |diff|, reason). Use the release binary (`--bin .build/release/keras-port`).

Usage: tools/.venv/bin/python tools/check_onnx.py [--bin .build/debug/keras-port] [--triton] [--strict]
                                                 [--fixture NAME ...] [--json REPORT.json]
       tools/.venv/bin/python tools/check_onnx.py --zoo [resnet50_k3,mobilenetv2_k2,...] [--bin ...] [--json ...]
"""
import argparse
import glob
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RTOL, ATOL = 1e-4, 1e-5
# (opset, layout, extra export options) for the extra exports of each fixture's first file.
VARIANTS = [(13, "nchw", []), (18, "nchw", []), (21, "nhwc", []), (17, "nhwc", []),
            (17, "nchw", ["--prelu-form", "decomposed"])]
UNMAPPED = ("no ONNX mapping", "not supported by KerasPort")


def load_model_config_pb2():
    """Triton's ModelConfig message from the installed tritonclient, without importing tritonclient.grpc (whose
    __init__ needs the grpc extras); None when tritonclient is missing."""
    spec = importlib.util.find_spec("tritonclient")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = os.path.join(list(spec.submodule_search_locations)[0], "grpc", "model_config_pb2.py")
    if not os.path.exists(path):
        return None
    s = importlib.util.spec_from_file_location("model_config_pb2", path)
    m = importlib.util.module_from_spec(s)
    s.loader.exec_module(m)
    return m


def closeness(ours, keras):
    """(ok, max |diff| over finite values, worst excess description)."""
    if ours.shape != keras.shape:
        return False, float("inf"), f"shape {ours.shape} != {keras.shape}"
    ours = ours.astype(np.float64)
    keras = keras.astype(np.float64)
    nan_ok = np.isnan(ours) == np.isnan(keras)
    inf_mask = np.isinf(keras) | np.isinf(ours)
    inf_ok = ~inf_mask | (ours == keras)
    finite = ~(np.isnan(keras) | np.isnan(ours) | inf_mask)
    with np.errstate(invalid="ignore"):
        diff = np.abs(ours - keras)
    bound = ATOL + RTOL * np.abs(keras)
    within = ~finite | (diff <= bound)
    ok = bool(nan_ok.all() and inf_ok.all() and within.all())
    max_diff = float(diff[finite].max()) if finite.any() else 0.0
    msg = ""
    if not ok:
        bad = np.argwhere(~(nan_ok & inf_ok & within))[0]
        msg = f"at {tuple(int(i) for i in bad)}: onnx {ours[tuple(bad)]!r}, keras {keras[tuple(bad)]!r}"
    return ok, max_diff, msg


def export(binary, folder, manifest_file, out, opset, layout, extra, triton_dir=None):
    cmd = [binary, "export", os.path.join(folder, manifest_file["file"]), "--format", "onnx"]
    if out:
        cmd.append(out)
    if manifest_file.get("config"):
        cmd += ["--config", os.path.join(folder, manifest_file["config"])]
    cmd += ["--opset", str(opset), "--layout", layout, "--force"] + extra
    if triton_dir:
        cmd += ["--triton", triton_dir, "--triton-name", "model", "--max-batch-size", "4"]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def output_names(manifest):
    """The ONNX output names of a fixture's outputs: Keras 3 gives every output of a multi-output layer the layer's
    name; the export names them as Keras 2 does (`name`, `name_1`, …)."""
    raw = [o["name"] for o in manifest["outputs"]]
    return [name if raw[:i].count(name) == 0 else f"{name}_{raw[:i].count(name)}" for i, name in enumerate(raw)]


def run_onnx(path, manifest, folder, ort, onnx, only=None):
    """Checks and runs the exported model; with `only` (output names) the export holds just those outputs."""
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    feeds = {}
    declared = session.get_inputs()
    # Synthetic fixtures rewritten from another model keep that model's names in the manifest, not the file's.
    check_names = not any(f.get("rewritten_from") for f in manifest["files"])
    names = [i["name"] for i in manifest["inputs"]]
    if check_names and [d.name for d in declared] != names:
        raise AssertionError(f"ONNX inputs {[d.name for d in declared]} != Keras inputs {names}")
    for d, spec in zip(declared, manifest["inputs"]):
        x = np.load(os.path.join(folder, spec["file"]))
        want = {"tensor(float)": np.float32, "tensor(int32)": np.int32, "tensor(int64)": np.int64}[d.type]
        feeds[d.name] = x.astype(want)
    outs = session.run(None, feeds)
    out_names = [o.name for o in session.get_outputs()]
    keras_names = output_names(manifest)
    specs = manifest["outputs"]
    if only is not None:
        specs = [spec for spec, n in zip(specs, keras_names) if n in only]
        keras_names = [n for n in keras_names if n in only]
    if (check_names or only is not None) and out_names != keras_names:
        raise AssertionError(f"ONNX outputs {out_names} != Keras outputs {keras_names}")
    worst = 0.0
    for o, spec, y in zip(session.get_outputs(), specs, outs):
        expected = np.load(os.path.join(folder, spec["file"]))
        ok, d, msg = closeness(np.asarray(y), expected)
        if not ok:
            raise AssertionError(f"output `{o.name}` differs from Keras {msg} (bound {ATOL} + {RTOL}*|keras|)")
        worst = max(worst, d)
    return worst


def check_triton(triton_dir, manifest, folder, ort, pb2, only=None):
    from google.protobuf import text_format

    model_dir = os.path.join(triton_dir, "model")
    with open(os.path.join(model_dir, "config.pbtxt")) as f:
        config = text_format.Parse(f.read(), pb2.ModelConfig())
    assert config.name == "model", config.name
    assert config.platform == "onnxruntime_onnx", config.platform
    assert config.max_batch_size == 4, config.max_batch_size
    onnx_path = os.path.join(model_dir, "1", "model.onnx")
    session = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
    types = {"tensor(float)": pb2.TYPE_FP32, "tensor(int32)": pb2.TYPE_INT32, "tensor(int64)": pb2.TYPE_INT64}
    for declared, actual in ((config.input, session.get_inputs()), (config.output, session.get_outputs())):
        assert [d.name for d in declared] == [a.name for a in actual], (list(declared), actual)
        for d, a in zip(declared, actual):
            assert d.data_type == types[a.type], (d, a.type)
            onnx_dims = [x if isinstance(x, int) else -1 for x in a.shape[1:]]
            # -1 in config.pbtxt: any size (KerasPort's shape analysis leaves a size unknown where Keras does, e.g.
            # after RandomHeight, even when ONNX's own inference knows it).
            assert len(d.dims) == len(onnx_dims) and all(c == -1 or c == o for c, o in zip(d.dims, onnx_dims)), \
                (list(d.dims), a.shape)
            assert not isinstance(a.shape[0], int), f"batch axis of {a.name} is not dynamic: {a.shape}"
    # Run with a full batch of the declared shapes: the fixture's inputs repeated to max_batch_size rows.
    feeds = {}
    for d, spec in zip(config.input, manifest["inputs"]):
        x = np.load(os.path.join(folder, spec["file"]))
        reps = -(-config.max_batch_size // x.shape[0])
        x = np.concatenate([x] * reps)[: config.max_batch_size]
        assert list(x.shape[1:]) == [int(v) for v in d.dims if v != -1] or -1 in d.dims, (x.shape, list(d.dims))
        feeds[d.name] = x.astype({pb2.TYPE_FP32: np.float32, pb2.TYPE_INT32: np.int32, pb2.TYPE_INT64: np.int64}[d.data_type])
    outs = session.run(None, feeds)
    if only is not None:
        assert [d.name for d in config.output] == list(only), ([d.name for d in config.output], only)
    for d, y in zip(config.output, outs):
        assert y.shape[0] == config.max_batch_size and len(y.shape) == len(d.dims) + 1 and \
            all(c == -1 or c == o for c, o in zip(d.dims, y.shape[1:])), (y.shape, list(d.dims))


ZOO_ATOL, ZOO_RTOL = 1e-4, 1e-3
ZOO = os.path.join(ROOT, "tools", ".cache", "zoo")


def check_zoo(binary, ids, ort, onnx, json_path=None):
    """Exports and verifies cached zoo models; prints a Markdown table. Returns the exit status."""
    if not ids:
        ids = sorted(d for d in os.listdir(ZOO) if os.path.exists(os.path.join(ZOO, d, "manifest.json")))
    rows = []
    failures = 0
    with tempfile.TemporaryDirectory(prefix="check_onnx-zoo-") as tmp:
        for mid in ids:
            folder = os.path.join(ZOO, mid)
            mpath = os.path.join(folder, "manifest.json")
            if not os.path.exists(mpath):
                rows.append({"model": mid, "file": "-", "status": "missing", "reason": "not in the zoo cache"})
                continue
            with open(mpath) as f:
                manifest = json.load(f)
            for mf in manifest["files"]:
                row = {"model": mid, "file": mf["file"]}
                out = os.path.join(tmp, f"{mid}-{mf['file']}.onnx")
                cmd = [binary, "export", os.path.join(folder, mf["file"]), "--format", "onnx", out, "--force"]
                t0 = time.time()
                r = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
                row["export_s"] = round(time.time() - t0, 2)
                if r.returncode != 0:
                    message = (r.stderr.strip().splitlines() or ["(no message)"])[-1]
                    refused = any(u in message for u in UNMAPPED)
                    row.update(status="refused" if refused else "failed", reason=message)
                    failures += 0 if refused else 1
                    rows.append(row)
                    print(f"{'SKIP' if refused else 'FAIL'} {mid}/{mf['file']}: {message}", flush=True)
                    continue
                try:
                    model = onnx.load(out)
                    onnx.checker.check_model(model, full_check=True)
                    session = ort.InferenceSession(out, providers=["CPUExecutionProvider"])
                    worst = 0.0
                    for run in manifest["runs"]:
                        feeds = {}
                        for d, name in zip(session.get_inputs(), run["inputs"]):
                            x = np.load(os.path.join(folder, name))
                            want = {"tensor(float)": np.float32, "tensor(int32)": np.int32, "tensor(int64)": np.int64}[d.type]
                            feeds[d.name] = x.astype(want)
                        outs = session.run(None, feeds)
                        for o, name, y in zip(session.get_outputs(), run["outputs"], outs):
                            e = np.load(os.path.join(folder, name)).astype(np.float64)
                            a = np.asarray(y, dtype=np.float64)
                            if a.shape != e.shape:
                                raise AssertionError(f"output `{o.name}` shape {a.shape} != Keras' {e.shape}")
                            both_nan = np.isnan(a) & np.isnan(e)
                            d = np.where(both_nan, 0.0, np.abs(a - e))
                            d = np.where(np.isnan(d), np.inf, d)
                            excess = d - (ZOO_ATOL + ZOO_RTOL * np.abs(np.nan_to_num(e)))
                            worst = max(worst, float(d.max()) if d.size else 0.0)
                            if d.size and excess.max() > 0:
                                i = np.unravel_index(int(np.argmax(excess)), d.shape)
                                raise AssertionError(f"output `{o.name}` differs at {tuple(int(v) for v in i)}: "
                                                     f"onnx {a[i]!r}, keras {e[i]!r} (bound {ZOO_ATOL} + {ZOO_RTOL}*|keras|)")
                    row.update(status="ok", worst=worst)
                    print(f"ok   {mid}/{mf['file']}: worst |diff| {worst:.3g} over {len(manifest['runs'])} run(s)", flush=True)
                except Exception as e:  # noqa: BLE001 - report every kind of failure with the model
                    row.update(status="failed", reason=f"{type(e).__name__}: {e}"[:300])
                    failures += 1
                    print(f"FAIL {mid}/{mf['file']}: {row['reason']}", flush=True)
                rows.append(row)
    print()
    print("| model | file | exported | worst \\|Δ\\| | reason |")
    print("|---|---|---|---|---|")
    for r in rows:
        exported = {"ok": "yes, verified", "failed": "FAILED", "refused": "refused", "missing": "-"}[r["status"]]
        worst = f"{r['worst']:.3g}" if "worst" in r else ""
        print(f"| {r['model']} | {r['file']} | {exported} | {worst} | {r.get('reason', '')} |")
    ok = sum(r["status"] == "ok" for r in rows)
    print(f"\ncheck_onnx.py --zoo: {ok} of {len(rows)} model files exported and verified in ONNX Runtime {ort.__version__}, "
          f"{failures} failed, {sum(r['status'] == 'refused' for r in rows)} refused")
    if json_path:
        with open(json_path, "w") as f:
            json.dump({"rows": rows}, f, indent=1)
    return 1 if failures else 0


# Fixtures whose export is expected to be refused (the exporter names the layer), with the reason. Each is reported
# as "refused (expected)"; its export must really fail with a message naming the layer class.
_NOT_YET = "this layer class runs in the engine but has no ONNX mapping yet (README: Known limits)"
_FARMHASH = ("Hashing's FarmHash Fingerprint64 needs ONNX's bitwise ops (BitwiseXor, opset 18): below opset 18 the "
             "export is refused naming the layer (README: Known limits)")
_RANDOM_CROP_K3 = ("Keras 3's RandomCrop declares height x width but returns its input unchanged at inference, which an "
                   "ONNX graph cannot declare (README: Known limits)")
EXPECTED_REFUSALS = {
    "lookup_k2": ("Hashing", _FARMHASH), "lookup_k3": ("Hashing", _FARMHASH),
    # Issue 13's third breadth round (tools/fixtures_breadth3.py): the first layer of each the exporter refuses.
    # Keras 3's RandomCrop declares (height, width) but returns its input unchanged at inference: refused naming the
    # layer unless the sizes agree; the fixture's other outputs are verified (LEAVE_OUT).
    "breadth3_image_k3": ("RandomCrop", _RANDOM_CROP_K3),
}
# Fixtures of EXPECTED_REFUSALS refused only below an opset: (that opset, the outputs of the refused layers). Below
# it, the whole model must be refused and every job is exported again without those outputs (`--outputs`) and
# verified; from it on, the whole model is exported and verified (every model file at that opset too). An opset of
# None: refused at every opset (always checked without those outputs).
LEAVE_OUT = {
    "breadth3_image_k3": (None, ["random_crop"]),
    "lookup_k2": (18, ["hash", "hash_masked", "hash_multi_hot", "hash_wide"]),
    "lookup_k3": (18, ["hash", "hash_masked", "hash_multi_hot", "hash_wide"]),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=None, help="keras-port binary (default .build/debug/keras-port, else release)")
    ap.add_argument("--fixture", action="append", help="only these fixtures")
    ap.add_argument("--triton", action="store_true", help="also check the Triton model repository entries")
    ap.add_argument("--strict", action="store_true", help="a fixture with an unmapped layer is a failure")
    ap.add_argument("--json", help="write a report here")
    ap.add_argument("--zoo", nargs="?", const="", default=None,
                    help="check cached zoo models (comma-separated ids; all when empty) instead of the fixtures")
    args = ap.parse_args()

    try:
        import onnx
        import onnxruntime as ort
    except ImportError as e:
        print(f"check_onnx.py: SKIP: {e} (install tools/requirements-export.txt)")
        return 0
    pb2 = None
    if args.triton:
        pb2 = load_model_config_pb2()
        if pb2 is None:
            print("check_onnx.py: tritonclient is not installed (tools/setup_venv.sh installs it); --triton needs it")
            return 1
    ort.set_default_logger_severity(3)

    binary = args.bin
    if binary is None:
        for b in (".build/debug/keras-port", ".build/release/keras-port"):
            if os.path.exists(os.path.join(ROOT, b)):
                binary = os.path.join(ROOT, b)
                break
    if not binary or not os.path.exists(binary):
        print("check_onnx.py: no keras-port binary (swift build --product keras-port, or pass --bin)")
        return 1

    if args.zoo is not None:
        return check_zoo(binary, [i for i in args.zoo.split(",") if i], ort, onnx, args.json)

    results = []
    failures = skipped = refused = 0
    verified = 0
    worst_all = 0.0
    with tempfile.TemporaryDirectory(prefix="check_onnx-") as tmp:
        for mpath in sorted(glob.glob(os.path.join(ROOT, "Fixtures/models/*/manifest.json"))):
            folder = os.path.dirname(mpath)
            with open(mpath) as f:
                manifest = json.load(f)
            name = manifest["name"]
            if args.fixture and name not in args.fixture:
                continue
            jobs = [(mf, 17, "nchw", []) for mf in manifest["files"]]
            jobs += [(manifest["files"][0], o, l, e) for o, l, e in VARIANTS]
            only = None
            if name in LEAVE_OUT:
                # Below the opset the whole model must be refused; then every such job again with the other outputs
                # only. From the opset on, the whole model (every file at that opset, plus the variants above it).
                min_opset, leave = LEAVE_OUT[name]
                only = [n for n in output_names(manifest) if n not in leave]
                always = min_opset is None
                jobs = ([jobs[0]] + [(mf, o, l, e + ["--outputs", ",".join(only)]) if always or o < min_opset
                                     else (mf, o, l, e) for mf, o, l, e in jobs]
                        + ([] if always else [(mf, min_opset, "nchw", []) for mf in manifest["files"]]))
            for i, (mf, opset, layout, extra) in enumerate(jobs):
                selected = only if "--outputs" in extra else None
                shown = [x for x in extra if x != "--outputs" and x != (",".join(only) if only else None)]
                if selected:
                    shown.append(f"--outputs <{len(selected)} of {len(manifest['outputs'])}>")
                label = f"{name}/{mf['file']} opset {opset} {layout} {' '.join(shown)}".rstrip()
                out = os.path.join(tmp, f"{name}-{i}.onnx")
                triton_dir = os.path.join(tmp, f"{name}-triton-{i}") if (args.triton and i == (1 if only else 0)) else None
                r = export(binary, folder, mf, out, opset, layout, extra, triton_dir)
                entry = {"fixture": name, "file": mf["file"], "opset": opset, "layout": layout, "options": extra}
                if r.returncode != 0:
                    message = (r.stderr.strip().splitlines() or ["(no message)"])[-1]
                    below = name not in LEAVE_OUT or LEAVE_OUT[name][0] is None or opset < LEAVE_OUT[name][0]
                    if name in EXPECTED_REFUSALS and EXPECTED_REFUSALS[name][0] in message and selected is None and below:
                        entry.update(status="refused", message=message, reason=EXPECTED_REFUSALS[name][1])
                        print(f"refused (expected) {label}: {EXPECTED_REFUSALS[name][1]}: {message}")
                        results.append(entry)
                        refused += 1
                        if only:
                            continue  # the other outputs are checked next
                        break  # the other variants would be refused the same way
                    if any(u in message for u in UNMAPPED) and not args.strict:
                        entry.update(status="skipped", message=message)
                        print(f"SKIP {label}: {message}")
                        results.append(entry)
                        skipped += 1
                        break  # the other variants would be refused the same way
                    entry.update(status="failed", message=message)
                    print(f"FAIL {label}: export: {message}")
                    failures += 1
                    results.append(entry)
                    continue
                try:
                    worst = run_onnx(out, manifest, folder, ort, onnx, only=selected)
                    if triton_dir:
                        check_triton(triton_dir, manifest, folder, ort, pb2, only=selected)
                    entry.update(status="ok", max_abs_diff=worst)
                    worst_all = max(worst_all, worst)
                    verified += 1
                    print(f"ok   {label}: max |diff| {worst:.3g}" + (" (+ Triton config)" if triton_dir else ""))
                except Exception as e:  # noqa: BLE001 - report every kind of failure with the fixture
                    entry.update(status="failed", message=f"{type(e).__name__}: {e}")
                    print(f"FAIL {label}: {type(e).__name__}: {e}")
                    failures += 1
                results.append(entry)
    print(f"check_onnx.py: {verified} exports verified in ONNX Runtime {ort.__version__} (onnx {onnx.__version__}), "
          f"{failures} failed, {skipped} fixtures skipped, {refused} refused as expected; worst |diff| {worst_all:.3g}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"verified": verified, "failed": failures, "skipped": skipped, "refused_expected": refused, "worst_abs_diff": worst_all,
                       "results": results}, f, indent=1)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
