#!/usr/bin/env python3
"""ONNX Runtime on KerasPort's ONNX export against ONNX Runtime on Keras' own export of the same model.

Uses the benchmark reference models of tools/bench_models.py (tools/.cache/bench/<name>.keras and <name>.onnx, the
latter written by Keras 3's `model.export(format="onnx")`, i.e. tf2onnx). Exports each .keras with
`keras-port export --format onnx` (default opset 17, NCHW inside), checks both files against Keras' batch-1 output
(<name>.ref_b1.npy), then times `session.run` for both in alternating rounds (same session options as
tools/bench_keras.py: CPU provider, ORT_ENABLE_ALL, sequential, --threads intra-op threads) and reports the median
and minimum time per batch of each and their ratios (on a busy machine the minimum is the steadier figure).

Usage: tools/.venv/bin/python tools/bench_onnx_export.py [--bin .build/release/keras-port] [--models cnn,srresnet]
                                                         [--rounds 3] [--threads 1] [--json OUT.json] [--dir tools/.cache/bench/real]
"""
import argparse
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
BENCH = REPO / "tools" / ".cache" / "bench"


def session(ort, path, threads):
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def timed(s, x, iterations, warmup=3):
    name = s.get_inputs()[0].name
    for _ in range(warmup):
        s.run(None, {name: x})
    times = []
    for _ in range(iterations):
        t0 = time.perf_counter()
        s.run(None, {name: x})
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=None)
    ap.add_argument("--models", default="mlp,cnn,srresnet,dcgan_disc,eltwise")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--json")
    ap.add_argument("--dir", default=str(BENCH), help="where the models and their .meta.json are (tools/.cache/bench; "
                    "tools/.cache/bench/real for the real architectures of tools/bench_real_models.py)")
    ap.add_argument("--prelu-form", default="prelu", help="passed to keras-port export")
    args = ap.parse_args()
    import onnxruntime as ort

    ort.set_default_logger_severity(3)
    binary = args.bin or next((str(REPO / b) for b in (".build/release/keras-port", ".build/debug/keras-port")
                               if (REPO / b).exists()), None)
    if not binary:
        sys.exit("bench_onnx_export.py: no keras-port binary (pass --bin)")
    rows = []
    bench = Path(args.dir)
    with tempfile.TemporaryDirectory(prefix="bench_onnx-") as tmp:
        for name in args.models.split(","):
            meta_path = bench / f"{name}.meta.json"
            if not meta_path.exists():
                print(f"{name}: no {meta_path} (run tools/bench_models.py)")
                continue
            meta = json.loads(meta_path.read_text())
            ours_path = Path(tmp) / f"{name}.onnx"
            r = subprocess.run([binary, "export", str(bench / meta["files"]["keras"]), "--format", "onnx",
                                str(ours_path), "--prelu-form", args.prelu_form], capture_output=True, text=True)
            if r.returncode != 0:
                print(f"{name}: export failed: {r.stderr.strip()}")
                continue
            keras_path = bench / meta["files"]["onnx"]
            ours, theirs = session(ort, ours_path, args.threads), session(ort, keras_path, args.threads)
            x1 = np.random.default_rng(0).standard_normal((1, *meta["input_shape"])).astype(np.float32)
            ref = np.load(bench / meta["files"]["ref_output_b1"])
            diffs = {}
            for label, s in (("ours", ours), ("keras_export", theirs)):
                y = s.run(None, {s.get_inputs()[0].name: x1})[0]
                diffs[label] = float(np.abs(y - ref).max())
            for row in meta["rows"]:
                batch, iters = row["batch"], row["iterations"]
                x = np.random.default_rng(0).standard_normal((batch, *meta["input_shape"])).astype(np.float32)
                t_ours, t_theirs = [], []
                for _ in range(args.rounds):
                    t_ours.append(timed(ours, x, iters))
                    t_theirs.append(timed(theirs, x, iters))
                o, k = statistics.median(t[0] for t in t_ours), statistics.median(t[0] for t in t_theirs)
                omin, kmin = min(t[1] for t in t_ours), min(t[1] for t in t_theirs)
                rows.append({"model": name, "batch": batch, "ours_ms": o * 1e3, "keras_export_ms": k * 1e3,
                             "ratio": o / k, "ours_min_ms": omin * 1e3, "keras_export_min_ms": kmin * 1e3,
                             "ratio_min": omin / kmin, "max_abs_diff_vs_keras_b1": diffs,
                             "nodes": {"ours": len(__import__("onnx").load(str(ours_path)).graph.node),
                                       "keras_export": len(__import__("onnx").load(str(keras_path)).graph.node)}})
                print(f"{name} b{batch}: median ours {o * 1e3:.3f} ms, Keras' export {k * 1e3:.3f} ms "
                      f"(ours/theirs {o / k:.2f}); min {omin * 1e3:.3f} vs {kmin * 1e3:.3f} ms ({omin / kmin:.2f}); max |diff| vs Keras ours {diffs['ours']:.2e}, "
                      f"theirs {diffs['keras_export']:.2e}", flush=True)
    print(f"onnxruntime {ort.__version__}, intra-op threads {args.threads}, {args.rounds} alternating rounds")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
