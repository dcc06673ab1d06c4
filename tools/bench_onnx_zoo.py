#!/usr/bin/env python3
"""ONNX Runtime speed on KerasPort's ONNX export of zoo models against Keras' own `model.export(format="onnx")`.

For each zoo id (tools/.cache/zoo/<id>/model.keras, built by tools/zoo.py; read only), writes Keras 3's own export
once into tools/.cache/onnx_keras_export/<id>.onnx (reused later), exports the same file with `keras-port export
--format onnx` (default options), checks both against Keras' outputs on the zoo inputs (|Δ| <= 1e-4 + 1e-3·|y|),
then times `session.run` on the zoo input (batch 2) for both in alternating rounds (CPU provider, ORT_ENABLE_ALL,
sequential, --threads intra-op threads) and reports the medians and their ratio (ours / Keras'; < 1 is faster).
With --profile, also writes ONNX Runtime's per-op profile summary of both (top ops by total time).

Usage: TF_CPP_MIN_LOG_LEVEL=3 CUDA_VISIBLE_DEVICES= tools/.venv/bin/python tools/bench_onnx_zoo.py \\
           [--bin .build/release/keras-port] [--ids resnet50_k3,mobilenetv2_k3,efficientnetb0_k3] [--rounds 5]
           [--iterations 10] [--threads 2] [--profile] [--json OUT.json]
"""
import argparse
import collections
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
ZOO = REPO / "tools" / ".cache" / "zoo"
OWN = REPO / "tools" / ".cache" / "onnx_keras_export"
ATOL, RTOL = 1e-4, 1e-3


def keras_export(mid):
    """Keras' own ONNX export of the zoo model (cached)."""
    OWN.mkdir(parents=True, exist_ok=True)
    out = OWN / f"{mid}.onnx"
    if out.exists():
        return out, None
    # A loaded model must be called once before Keras exports it.
    code = (
        "import sys, keras, numpy as np\n"
        "m = keras.saving.load_model(sys.argv[1], compile=False)\n"
        "m(np.load(sys.argv[3]).astype('float32'), training=False)\n"
        "m.export(sys.argv[2], format='onnx', verbose=False)\n"
    )
    manifest = json.loads((ZOO / mid / "manifest.json").read_text())
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    r = subprocess.run([sys.executable, "-c", code, str(ZOO / mid / "model.keras"), str(out),
                        str(ZOO / mid / manifest["runs"][0]["inputs"][0])], capture_output=True, text=True, env=env,
                       timeout=3600)
    if r.returncode != 0 or not out.exists():
        return None, (r.stderr.strip().splitlines() or ["(no message)"])[-1]
    return out, None


def session(ort, path, threads, profile_prefix=None):
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if profile_prefix:
        opts.enable_profiling = True
        opts.profile_file_prefix = profile_prefix
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def worst(a, e):
    a, e = np.asarray(a, np.float64), np.asarray(e, np.float64)
    if a.shape != e.shape:
        return float("inf"), False
    d = np.abs(a - e)
    return float(d.max()), bool((d <= ATOL + RTOL * np.abs(e)).all())


def timed(s, feeds, iterations):
    for _ in range(2):
        s.run(None, feeds)
    times = []
    for _ in range(iterations):
        t0 = time.perf_counter()
        s.run(None, feeds)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def profile_summary(ort, path, feeds, threads, tmp, label, top=8):
    s = session(ort, path, threads, profile_prefix=str(Path(tmp) / label))
    for _ in range(5):
        s.run(None, feeds)
    events = json.loads(Path(s.end_profiling()).read_text())
    per_op = collections.Counter()
    for e in events:
        if e.get("cat") == "Node" and e.get("name", "").endswith("_kernel_time"):
            per_op[e.get("args", {}).get("op_name", "?")] += e.get("dur", 0)
    total = sum(per_op.values()) or 1
    return [(op, round(100 * us / total, 1)) for op, us in per_op.most_common(top)]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=str(REPO / ".build" / "release" / "keras-port"))
    ap.add_argument("--ids", default="resnet50_k3,mobilenetv2_k3,efficientnetb0_k3")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--iterations", type=int, default=10)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--json")
    args = ap.parse_args()
    import onnxruntime as ort

    ort.set_default_logger_severity(3)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench_onnx_zoo-") as tmp:
        for mid in args.ids.split(","):
            folder = ZOO / mid
            manifest = json.loads((folder / "manifest.json").read_text())
            theirs_path, err = keras_export(mid)
            if theirs_path is None:
                print(f"{mid}: Keras' own ONNX export failed: {err}")
                rows.append({"model": mid, "keras_export_error": err})
                continue
            ours_path = Path(tmp) / f"{mid}.onnx"
            r = subprocess.run([args.bin, "export", str(folder / "model.keras"), "--format", "onnx", str(ours_path), "--force"],
                               capture_output=True, text=True)
            if r.returncode != 0:
                print(f"{mid}: keras-port export failed: {r.stderr.strip()}")
                continue
            run = manifest["runs"][0]
            x = np.load(folder / run["inputs"][0]).astype(np.float32)
            expected = np.load(folder / run["outputs"][0])
            ours, theirs = session(ort, ours_path, args.threads), session(ort, theirs_path, args.threads)
            fo, ft = {ours.get_inputs()[0].name: x}, {theirs.get_inputs()[0].name: x}
            # Keras' export of the keras.applications EfficientNets leaves the Normalization constants as graph
            # inputs (`…/normalization_1/Sub/y:0` = mean, `…/Sqrt/x:0` = variance): fed from the Keras layer's
            # values (our export's initializers `normalization/mean` and `normalization/std` = √variance).
            extra = [i for i in theirs.get_inputs()[1:]]
            if extra:
                from onnx import numpy_helper
                inits = {i.name: numpy_helper.to_array(i) for i in __import__("onnx").load(str(ours_path)).graph.initializer}
                for i in extra:
                    layer = i.name.split("/")[-3].rsplit("_", 1)[0]
                    if i.name.endswith("Sub/y:0"):
                        v = inits[f"{layer}/mean"]
                    elif i.name.endswith("Sqrt/x:0"):
                        v = inits[f"{layer}/std"] ** 2
                    else:
                        raise SystemExit(f"{mid}: Keras' export needs an input {i.name} this script cannot fill")
                    ft[i.name] = v.reshape([d if isinstance(d, int) else 1 for d in i.shape]).astype(np.float32)
            d_ours, ok_ours = worst(ours.run(None, fo)[0], expected)
            d_theirs, ok_theirs = worst(theirs.run(None, ft)[0], expected)
            t_ours, t_theirs = [], []
            for _ in range(args.rounds):
                t_ours.append(timed(ours, fo, args.iterations))
                t_theirs.append(timed(theirs, ft, args.iterations))
            o, k = statistics.median(t_ours), statistics.median(t_theirs)
            row = {"model": mid, "batch": int(x.shape[0]), "input": list(x.shape), "ours_ms": o * 1e3,
                   "keras_export_ms": k * 1e3, "ratio": o / k, "ours_worst": d_ours, "ours_within_bound": ok_ours,
                   "keras_export_worst": d_theirs, "keras_export_within_bound": ok_theirs,
                   "nodes": {"ours": len(__import__("onnx").load(str(ours_path)).graph.node),
                             "keras_export": len(__import__("onnx").load(str(theirs_path)).graph.node)}}
            if args.profile:
                row["profile"] = {"ours": profile_summary(ort, ours_path, fo, args.threads, tmp, f"{mid}-ours"),
                                  "keras_export": profile_summary(ort, theirs_path, ft, args.threads, tmp, f"{mid}-theirs")}
            rows.append(row)
            print(f"{mid} {list(x.shape)}: median ours {o * 1e3:.2f} ms, Keras' export {k * 1e3:.2f} ms, ours/theirs "
                  f"{o / k:.2f}; worst |diff| vs Keras ours {d_ours:.2e} ({'ok' if ok_ours else 'OUT OF BOUND'}), theirs "
                  f"{d_theirs:.2e} ({'ok' if ok_theirs else 'OUT OF BOUND'}); nodes {row['nodes']}", flush=True)
            if args.profile:
                print(f"  profile ours: {row['profile']['ours']}\n  profile theirs: {row['profile']['keras_export']}")
    print(f"onnxruntime {ort.__version__}, intra-op threads {args.threads}, {args.rounds} alternating rounds of "
          f"{args.iterations} runs (medians)")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
