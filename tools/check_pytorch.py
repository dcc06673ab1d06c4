#!/usr/bin/env python3
"""Checks `keras-port export --format pytorch` in real PyTorch against real Keras' stored outputs.

For every fixture under Fixtures/models (its first model file): exports it with the keras-port binary, loads
OUTDIR/model.safetensors with the real `safetensors` library (which validates the header, offsets and coverage),
builds OUTDIR/model.py's `Model()` (no arguments), loads the weights with `load_state_dict(strict=True)`, runs it
on the fixture's inputs (eval mode, no grad) and compares every output with Keras' `expected_<i>.npy` within
|torch - keras| <= 1e-5 + 1e-4*|keras| (NaN must meet NaN, infinities must be equal). Then does the same with
`--channels-first` (rank-4/5 inputs and outputs transposed to NCHW). Without FIXTURE arguments (or with
--extras) it also builds the small models of tools/pytorch_extras.py in real Keras 3 and checks them the same way.

With --zoo [ID,ID,...] it checks cached real-world models instead (tools/.cache/zoo/<id>/, built by tools/zoo.py):
every saved file (model.h5, model.keras) is exported, loaded with load_state_dict(strict=True) and run on every
stored input set; the bound is the zoo's, |torch - keras| <= 1e-4 + 1e-3*|keras|. It prints a Markdown table.

Usage: tools/.venv/bin/python tools/check_pytorch.py [--binary PATH] [--json] [--extras] [FIXTURE ...]
       tools/.venv/bin/python tools/check_pytorch.py --zoo resnet50_k3,espcn_k2 [--binary .build/release/keras-port]
Exit status 0 when every fixture exports and matches; 1 otherwise; 2 when torch or safetensors is missing.
"""
import argparse
import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile

os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Fixtures", "models")
ATOL, RTOL = 1e-5, 1e-4

try:
    import numpy as np
    import torch
    import safetensors.torch
except ImportError as e:  # pragma: no cover
    print(f"check_pytorch.py: {e}; install tools/requirements-pytorch.txt into tools/.venv", file=sys.stderr)
    sys.exit(2)

# Fixtures whose export is expected to be refused, with the reason. None today: every fixture exports.
EXPECTED_REFUSALS = {}

# The exporter's refusal of a layer class (or activation) it has no PyTorch mapping for: such a fixture is reported
# as skipped with the message (every class the engine runs is mapped today, breadth3 included, so none is); `--strict` makes it a
# failure.
UNMAPPED = re.compile(r"no PyTorch mapping")


def default_binary():
    for p in (os.environ.get("KERAS_PORT_BIN"), os.path.join(ROOT, ".build", "debug", "keras-port"),
              os.path.join(ROOT, ".build", "release", "keras-port")):
        if p and os.path.exists(p):
            return p
    return None


def load_model(outdir, tag):
    spec = importlib.util.spec_from_file_location(f"kp_export_{tag}", os.path.join(outdir, "model.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = module.Model()
    state = safetensors.torch.load_file(os.path.join(outdir, "model.safetensors"))
    expected_keys = set(model.state_dict().keys())
    if set(state.keys()) != expected_keys:
        raise AssertionError(f"safetensors keys differ from state_dict: missing {sorted(expected_keys - set(state))}, "
                             f"extra {sorted(set(state) - expected_keys)}")
    model.load_state_dict(state, strict=True)
    model.eval()
    return model


def compare(ours, keras, atol=ATOL, rtol=RTOL):
    """The worst error and worst error/bound ratio; raises on a NaN/inf mismatch or a shape mismatch."""
    if ours.shape != keras.shape:
        raise AssertionError(f"shape {ours.shape}, Keras {keras.shape}")
    if np.issubdtype(ours.dtype, np.integer) and keras.dtype == np.float32:
        # An integer output (Hashing, IntegerLookup: int64 in Keras too) whose Keras reference was stored as float32:
        # rounded the same way before comparing (float32 cannot hold every integer above 2^24).
        ours = ours.astype(np.float32)
    ours = ours.astype(np.float64)
    keras = keras.astype(np.float64)
    nan_k, nan_o = np.isnan(keras), np.isnan(ours)
    if (nan_k != nan_o).any():
        raise AssertionError(f"NaN at {int((nan_k != nan_o).sum())} positions differs")
    inf_k = np.isinf(keras) | np.isinf(ours)
    if (ours[inf_k & ~nan_k] != keras[inf_k & ~nan_k]).any():
        raise AssertionError("an infinity differs")
    finite = ~nan_k & ~inf_k
    if not finite.any():
        return 0.0, 0.0
    err = np.abs(ours[finite] - keras[finite])
    bound = atol + rtol * np.abs(keras[finite])
    return float(err.max()), float((err / bound).max())


def run_fixture(binary, name, channels_first, workdir):
    folder = os.path.join(FIXTURES, name)
    manifest = json.load(open(os.path.join(folder, "manifest.json")))
    entry = manifest["files"][0]
    inputs = [np.load(os.path.join(folder, spec["file"])) for spec in manifest["inputs"]]
    expected = [np.load(os.path.join(folder, spec["file"])) for spec in manifest["outputs"]]
    config = os.path.join(folder, entry["config"]) if entry.get("config") else None
    r = run_model(binary, name, os.path.join(folder, entry["file"]), config, inputs, expected, channels_first, workdir)
    r["file"] = entry["file"]
    return r


def run_model(binary, name, model_path, config, arrays, expected, channels_first, workdir):
    outdir = os.path.join(workdir, name + ("_cf" if channels_first else ""))
    cmd = [binary, "export", model_path, "--format", "pytorch", outdir]
    if config:
        cmd += ["--config", config]
    if channels_first:
        cmd.append("--channels-first")
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        return {"status": "refused", "message": (p.stderr or p.stdout).strip()}
    model = load_model(outdir, name + ("_cf" if channels_first else ""))
    inputs = []
    for x in arrays:
        if channels_first and x.ndim >= 4:
            x = np.moveaxis(x, -1, 1)
        inputs.append(torch.from_numpy(np.ascontiguousarray(x)))
    with torch.no_grad():
        outputs = model(*inputs)
    if not isinstance(outputs, (tuple, list)):
        outputs = (outputs,)
    if len(outputs) != len(expected):
        raise AssertionError(f"{len(outputs)} outputs, Keras has {len(expected)}")
    worst, ratio = 0.0, 0.0
    for i, (y, k) in enumerate(zip(outputs, expected)):
        y = y.detach().numpy()
        if channels_first and y.ndim >= 4:
            y = np.moveaxis(y, 1, -1)
        try:
            e, r = compare(y, k)
        except AssertionError as err:
            raise AssertionError(f"output {i}: {err}") from None
        worst, ratio = max(worst, e), max(ratio, r)
    status = "ok" if ratio <= 1.0 else "mismatch"
    return {"status": status, "max_abs_err": worst, "max_err_over_bound": ratio}


ZOO = os.path.join(ROOT, "tools", ".cache", "zoo")
ZOO_ATOL, ZOO_RTOL = 1e-4, 1e-3


def run_zoo_model(binary, zoo_id, workdir):
    """Exports every saved file of a cached zoo model and checks every stored run; one row per file."""
    import time
    folder = os.path.join(ZOO, zoo_id)
    manifest = json.load(open(os.path.join(folder, "manifest.json")))
    rows = []
    for entry in manifest["files"]:
        row = {"id": zoo_id, "file": entry["file"], "params": manifest.get("params")}
        outdir = os.path.join(workdir, f"{zoo_id}_{entry['file'].replace('.', '_')}")
        t0 = time.time()
        p = subprocess.run([binary, "export", os.path.join(folder, entry["file"]), "--format", "pytorch", outdir],
                           capture_output=True, text=True)
        row["export_s"] = round(time.time() - t0, 2)
        if p.returncode != 0:
            lines = (p.stderr or p.stdout).strip().splitlines()
            row.update(status="refused", message=lines[-1] if lines else f"exit {p.returncode}")
            rows.append(row)
            continue
        try:
            model = load_model(outdir, f"{zoo_id}_{entry['file'].replace('.', '_')}")
            worst, ratio = 0.0, 0.0
            t0 = time.time()
            for run in manifest["runs"]:
                arrays = [np.load(os.path.join(folder, f)) for f in run["inputs"]]
                expected = [np.load(os.path.join(folder, f)) for f in run["outputs"]]
                with torch.no_grad():
                    outputs = model(*[torch.from_numpy(np.ascontiguousarray(a)) for a in arrays])
                if not isinstance(outputs, (tuple, list)):
                    outputs = (outputs,)
                if len(outputs) != len(expected):
                    raise AssertionError(f"{len(outputs)} outputs, Keras has {len(expected)}")
                for i, (y, k) in enumerate(zip(outputs, expected)):
                    e, r = compare(y.detach().numpy(), k, ZOO_ATOL, ZOO_RTOL)
                    worst, ratio = max(worst, e), max(ratio, r)
            row["torch_s"] = round(time.time() - t0, 2)
            row.update(status="ok" if ratio <= 1.0 else "mismatch", max_abs_err=worst, max_err_over_bound=ratio)
        except Exception as e:  # noqa: BLE001
            row.update(status="error", message=f"{type(e).__name__}: {e}")
        rows.append(row)
    return rows


def zoo_main(args):
    ids = [i for i in (args.zoo or "").split(",") if i] or sorted(
        d for d in os.listdir(ZOO) if os.path.exists(os.path.join(ZOO, d, "manifest.json")))
    rows = []
    with tempfile.TemporaryDirectory(prefix="kp_pytorch_zoo_") as workdir:
        for zoo_id in ids:
            if not os.path.exists(os.path.join(ZOO, zoo_id, "manifest.json")):
                rows.append({"id": zoo_id, "file": "-", "status": "missing", "message": "not in tools/.cache/zoo"})
                continue
            for row in run_zoo_model(args.binary, zoo_id, workdir):
                rows.append(row)
                print(json.dumps(row), file=sys.stderr, flush=True)
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print(f"PyTorch {torch.__version__}; bound |torch - keras| <= {ZOO_ATOL:g} + {ZOO_RTOL:g}*|keras|\n")
        print("| model | file | params | status | max abs err | err/bound | export s | torch s |")
        print("|---|---|---:|---|---:|---:|---:|---:|")
        for r in rows:
            err = f"{r['max_abs_err']:.3g}" if "max_abs_err" in r else r.get("message", "").replace("|", "\\|")
            ratio = f"{r['max_err_over_bound']:.3g}" if "max_err_over_bound" in r else ""
            print(f"| {r['id']} | {r['file']} | {r.get('params', '')} | {r['status']} | {err} | {ratio} | "
                  f"{r.get('export_s', '')} | {r.get('torch_s', '')} |")
        ok = sum(r["status"] == "ok" for r in rows)
        print(f"\n{ok}/{len(rows)} exports verified")
    return 0 if all(r["status"] == "ok" for r in rows) else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("fixtures", nargs="*")
    ap.add_argument("--binary", default=default_binary())
    ap.add_argument("--json", action="store_true", help="print the per-fixture report as JSON")
    ap.add_argument("--strict", action="store_true", help="a layer without a PyTorch mapping fails instead of skipping")
    ap.add_argument("--extras", action="store_true", help="also the models of tools/pytorch_extras.py (default when "
                    "no FIXTURE is named)")
    ap.add_argument("--zoo", nargs="?", const="", default=None, metavar="IDS",
                    help="check cached zoo models (comma-separated ids; all cached ones when empty) instead of fixtures")
    args = ap.parse_args()
    if not args.binary:
        print("check_pytorch.py: no keras-port binary (build it or pass --binary)", file=sys.stderr)
        return 2
    torch.set_num_threads(1)
    if args.zoo is not None:
        return zoo_main(args)
    names = args.fixtures or sorted(d for d in os.listdir(FIXTURES)
                                    if os.path.exists(os.path.join(FIXTURES, d, "manifest.json")))
    report, failures = {}, []
    with tempfile.TemporaryDirectory(prefix="kp_pytorch_") as workdir:
        for name in names:
            for cf in (False, True):
                key = name + (" --channels-first" if cf else "")
                try:
                    r = run_fixture(args.binary, name, cf, workdir)
                except Exception as e:  # noqa: BLE001  (report every failure, keep going)
                    r = {"status": "error", "message": f"{type(e).__name__}: {e}"}
                report[key] = r
                if r["status"] == "refused" and name in EXPECTED_REFUSALS:
                    continue
                if r["status"] == "refused" and not args.strict and UNMAPPED.search(r.get("message", "")):
                    # A layer family the exporter does not map yet (named in the message): skipped, not failed.
                    r["status"] = "skipped"
                    continue
                if r["status"] != "ok":
                    failures.append(key)
        if args.extras or not args.fixtures:
            sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
            import pytorch_extras
            for name, path, arrays, expected in pytorch_extras.build(workdir):
                for cf in (False, True):
                    key = name + (" --channels-first" if cf else "")
                    try:
                        r = run_model(args.binary, name, path, None, arrays, expected, cf, workdir)
                    except Exception as e:  # noqa: BLE001
                        r = {"status": "error", "message": f"{type(e).__name__}: {e}"}
                    report[key] = r
                    if r["status"] != "ok":
                        failures.append(key)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for key, r in report.items():
            if r["status"] == "ok":
                print(f"ok        {key:45s} max|err| {r['max_abs_err']:.3g}  err/bound {r['max_err_over_bound']:.3g}")
            else:
                print(f"{r['status']:9s} {key:45s} {r.get('message', '')}"
                      + (f" max|err| {r['max_abs_err']:.3g} err/bound {r['max_err_over_bound']:.3g}"
                         if "max_abs_err" in r else ""))
        ok = [r for r in report.values() if r["status"] == "ok"]
        skipped = [r for r in report.values() if r["status"] == "skipped"]
        worst = max((r["max_abs_err"] for r in ok), default=0.0)
        print(f"{len(ok)}/{len(report) - len(skipped)} exports verified in PyTorch {torch.__version__} "
              f"({len(skipped)} skipped: a layer without a PyTorch mapping); worst |err| {worst:.3g}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
