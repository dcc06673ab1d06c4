#!/usr/bin/env python3
"""Reference timings for the benchmark: real Keras, ONNX Runtime, load times, and BLAS/memory context.

Run with the venv's python (tools/.venv/bin/python); the models come from tools/bench_models.py.

Engines (--engine):
  keras       Keras 3 (TensorFlow backend) in-process: loads <model>.keras, warms up, then times
              `model.predict_on_batch(x)` and a direct `model(x, training=False)` call (K iterations each).
  onnx        ONNX Runtime on <model>.onnx (CPU provider, intra_op_num_threads=--threads, inter_op 1).
  load-keras  keras.models.load_model(<model>.h5, compile=False), K repetitions (default model: big_dense).
  load-h5py   h5py: open <model>.h5 and read every dataset into numpy, K repetitions.
  sgemm       numpy matmul of the model's GEMM shapes (im2col-lowered Conv2D, Dense) at this batch:
              the "sgemm alone" proxy. Reports the BLAS kernel threadpoolctl sees.
  memcpy      numpy copy of a 256 MiB float32 buffer: memory bandwidth for context.
  onnx-predict  one ONNX Runtime prediction in a fresh process (for the parent's peak RSS reading).
  all         (default) every engine that applies to the model, each in a fresh subprocess, one after the
              other; adds the subprocess' peak RSS measured from outside (os.wait4).

Every engine prints exactly one JSON object on stdout (the last line); times are seconds per call/batch.
Heavy modules are imported lazily so that `bench_compare` can import the helpers here with any python3.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DIR = REPO / "tools" / ".cache" / "bench"
INFERENCE_ENGINES = ("keras", "onnx")
LOAD_ENGINES = ("load-keras", "load-h5py")
ALL_ENGINES = INFERENCE_ENGINES + LOAD_ENGINES + ("sgemm", "memcpy", "onnx-predict")


# ----------------------------------------------------------------------------------------------- helpers

def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (Linux: ru_maxrss is in KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1)


def current_rss_mb() -> float | None:
    try:
        with open("/proc/self/statm") as f:
            return round(int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)
    except (OSError, ValueError, IndexError):
        return None


def summarize(times: list[float]) -> dict:
    return {
        "median_s": statistics.median(times),
        "min_s": min(times),
        "mean_s": statistics.fmean(times),
        "n": len(times),
    }


def time_calls(fn, iterations: int, warmup: int) -> dict:
    for _ in range(warmup):
        fn()
    gc.collect()
    gc.disable()
    try:
        times = []
        for _ in range(iterations):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
    finally:
        gc.enable()
    return summarize(times)


def package_version(name: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def load_meta(directory: Path, model: str) -> dict:
    path = directory / f"{model}.meta.json"
    if not path.exists():
        raise SystemExit(f"bench_keras: {path} not found; run tools/bench_models.py first")
    return json.loads(path.read_text())


def model_input(meta: dict, batch: int):
    import numpy as np

    rng = np.random.default_rng(0)  # the same input for every engine and run
    return rng.standard_normal((batch, *meta["input_shape"])).astype(np.float32)


def run_measured(cmd: list[str], env: dict | None = None, timeout: float = 600.0) -> dict:
    """Runs cmd in a fresh process; returns rc, stdout, stderr, wall_s and the child's peak RSS (os.wait4).

    stdout/stderr go to temporary files (not pipes) so that the child can be reaped with wait4, which is the
    only way to get one child's own ru_maxrss. On timeout the child (and only it) is killed.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        try:
            proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
        except OSError as exc:
            return {"rc": None, "stdout": "", "stderr": f"{exc}", "wall_s": 0.0, "peak_rss_mb": None}
        deadline = t0 + timeout
        timed_out = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid == proc.pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                timed_out = True
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.02)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here; keep Popen from waiting again
        out.seek(0)
        err.seek(0)
        stderr = err.read().decode(errors="replace")
        if timed_out:
            stderr += f"\n(killed after {timeout:.0f} s timeout)"
        return {
            "rc": proc.returncode,
            "stdout": out.read().decode(errors="replace"),
            "stderr": stderr,
            "wall_s": wall,
            "peak_rss_mb": round(usage.ru_maxrss / 1024.0, 1),
            "timed_out": timed_out,
        }


def last_json(text: str) -> dict | None:
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                return None
    return None


def quiet_tensorflow_env() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ["CUDA_VISIBLE_DEVICES"] = "-1"


# ----------------------------------------------------------------------------------------------- engines

def engine_keras(args, meta: dict) -> dict:
    quiet_tensorflow_env()
    import logging
    import warnings

    warnings.filterwarnings("ignore")
    import numpy as np
    import tensorflow as tf

    tf.get_logger().setLevel(logging.ERROR)
    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    import keras

    rss_import = current_rss_mb()
    path = args.dir / meta["files"][args.format]
    t0 = time.perf_counter()
    model = keras.models.load_model(str(path), compile=False)
    load_s = time.perf_counter() - t0
    x = model_input(meta, args.batch)

    def direct():
        return np.asarray(model(x, training=False))  # materialise the result, like predict_on_batch does

    pob = time_calls(lambda: model.predict_on_batch(x), args.iterations, args.warmup)
    call = time_calls(direct, args.iterations, args.warmup)
    return {
        "file": path.name,
        "load_s": load_s,
        "predict_on_batch": pob,
        "direct_call": call,
        # the best Keras manages; the ratio "ours/Keras" in bench_compare uses this
        "median_s": min(pob["median_s"], call["median_s"]),
        "min_s": min(pob["min_s"], call["min_s"]),
        "threads": {"intra_op": args.threads, "inter_op": 1},
        "onednn_opts": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "default (on)"),
        "rss_after_import_mb": rss_import,
        "versions": {"keras": keras.__version__, "tensorflow": tf.__version__, "numpy": np.__version__},
    }


def engine_onnx(args, meta: dict) -> dict:
    import numpy as np
    import onnxruntime as ort

    if not meta.get("onnx_exporter"):
        raise RuntimeError(f"no ONNX file for {meta['name']}: {meta.get('onnx_error')}")
    rss_import = current_rss_mb()
    path = args.dir / meta["files"]["onnx"]
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = args.threads
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    t0 = time.perf_counter()
    session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
    load_s = time.perf_counter() - t0
    name = session.get_inputs()[0].name
    x = model_input(meta, args.batch)
    result = time_calls(lambda: session.run(None, {name: x}), args.iterations, args.warmup)
    if args.profile_ops:
        result["op_profile"] = onnx_op_profile(ort, path, args, x)
    result.update({
        "max_abs_diff_vs_keras_b1": max_diff_vs_reference(args.dir, meta,
                                                          lambda x1: session.run(None, {name: x1})[0]),
        "file": path.name,
        "exporter": meta["onnx_exporter"],
        "session_load_s": load_s,
        "threads": {"intra_op": args.threads, "inter_op": 1},
        "rss_after_import_mb": rss_import,
        "versions": {"onnxruntime": ort.__version__, "tf2onnx": package_version("tf2onnx"),
                     "onnx": package_version("onnx"), "numpy": np.__version__},
    })
    return result


def onnx_op_profile(ort, path: Path, args, x) -> list[dict]:
    """ONNX Runtime's own profile (SessionOptions.enable_profiling) of `args.iterations` runs after one warm-up,
    summed per operator type: [{"op": type, "nodes": count, "ms_per_run": time}], largest first."""
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = args.threads
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    with tempfile.TemporaryDirectory(prefix="ort-profile-") as tmp:
        opts.enable_profiling = True
        opts.profile_file_prefix = str(Path(tmp) / "ort")
        session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        name = session.get_inputs()[0].name
        session.run(None, {name: x})
        runs = max(1, args.iterations)
        for _ in range(runs):
            session.run(None, {name: x})
        events = json.loads(Path(session.end_profiling()).read_text())
    totals: dict[str, list] = {}
    for e in events:
        if e.get("cat") != "Node" or not str(e.get("name", "")).endswith("_kernel_time"):
            continue
        op = (e.get("args") or {}).get("op_name", "?")
        t = totals.setdefault(op, [0.0, set()])
        t[0] += e.get("dur", 0) / 1e3
        t[1].add(e["name"])
    # The warm-up run is in the profile too: divide by all runs.
    out = [{"op": op, "nodes": len(v[1]), "ms_per_run": v[0] / (runs + 1)} for op, v in totals.items()]
    return sorted(out, key=lambda r: -r["ms_per_run"])


def engine_onnx_predict(args, meta: dict) -> dict:
    """One ONNX Runtime prediction on a batch in a fresh process: for the parent's peak-RSS reading (the
    interpreter's and the imports' share is reported as rss_after_import_mb)."""
    import numpy as np
    import onnxruntime as ort

    if not meta.get("onnx_exporter"):
        raise RuntimeError(f"no ONNX file for {meta['name']}: {meta.get('onnx_error')}")
    x = model_input(meta, args.batch)
    rss_import = current_rss_mb()
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = args.threads
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(str(args.dir / meta["files"]["onnx"]), opts, providers=["CPUExecutionProvider"])
    y = session.run(None, {session.get_inputs()[0].name: x})[0]
    return {"rss_after_import_mb": rss_import, "output_shape": list(y.shape),
            "versions": {"onnxruntime": ort.__version__, "numpy": np.__version__}}


def max_diff_vs_reference(directory: Path, meta: dict, run) -> float | None:
    """max |ours - Keras| on the batch-1 reference input (None when the reference file is missing)."""
    import numpy as np

    ref = meta["files"].get("ref_output_b1")
    if not ref or not (directory / ref).exists():
        return None
    expected = np.load(directory / ref)
    actual = np.asarray(run(model_input(meta, 1)), np.float32)
    if actual.shape != expected.shape:
        return float("inf")
    return float(np.max(np.abs(actual - expected)))


def engine_load_keras(args, meta: dict) -> dict:
    quiet_tensorflow_env()
    import logging
    import warnings

    warnings.filterwarnings("ignore")
    import tensorflow as tf

    tf.get_logger().setLevel(logging.ERROR)
    import keras

    path = args.dir / meta["files"]["h5"]
    rss_import = current_rss_mb()
    times, first_peak = [], None
    for _ in range(args.iterations):
        t0 = time.perf_counter()
        model = keras.models.load_model(str(path), compile=False)
        times.append(time.perf_counter() - t0)
        first_peak = first_peak or peak_rss_mb()
        del model
        keras.backend.clear_session()
        gc.collect()
    result = summarize(times)
    result.update({
        "file": path.name, "file_mb": round(path.stat().st_size / 2**20, 1), "first_s": times[0],
        "rss_after_import_mb": rss_import, "peak_rss_after_first_load_mb": first_peak,
        "versions": {"keras": keras.__version__, "tensorflow": tf.__version__},
    })
    return result


def engine_load_h5py(args, meta: dict) -> dict:
    import h5py
    import numpy as np

    path = args.dir / meta["files"]["h5"]
    rss_import = current_rss_mb()
    times, first_peak, nbytes, count = [], None, 0, 0
    for _ in range(args.iterations):
        arrays = []

        def visit(_name, obj):
            if isinstance(obj, h5py.Dataset):
                arrays.append(obj[()])

        t0 = time.perf_counter()
        with h5py.File(path, "r") as f:
            f.visititems(visit)
        times.append(time.perf_counter() - t0)
        first_peak = first_peak or peak_rss_mb()
        nbytes = sum(np.asarray(a).nbytes for a in arrays)
        count = len(arrays)
        del arrays
        gc.collect()
    result = summarize(times)
    result.update({
        "file": path.name, "file_mb": round(path.stat().st_size / 2**20, 1), "first_s": times[0],
        "datasets": count, "bytes_read": nbytes,
        "rss_after_import_mb": rss_import, "peak_rss_after_first_load_mb": first_peak,
        "versions": {"h5py": h5py.__version__, "hdf5": h5py.version.hdf5_version, "numpy": np.__version__},
    })
    return result


def blas_info() -> dict:
    from threadpoolctl import threadpool_info

    return {
        "threadpools": [
            {k: p.get(k) for k in ("user_api", "internal_api", "version", "architecture", "num_threads",
                                   "threading_layer", "filepath")}
            for p in threadpool_info()
        ],
        "env": {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS",
                                               "OMP_NUM_THREADS")},
    }


def engine_sgemm(args, meta: dict) -> dict:
    import numpy as np

    rng = np.random.default_rng(1)
    ops, flop = [], 0
    for g in meta["gemms"]:
        m, k, n = g["m_per_sample"] * args.batch, g["k"], g["n"]
        a = rng.standard_normal((m, k), dtype=np.float32)
        b = rng.standard_normal((k, n), dtype=np.float32)
        c = np.empty((m, n), np.float32)
        ops.append((a, b, c))
        flop += 2 * m * k * n

    def run():
        for a, b, c in ops:
            np.matmul(a, b, out=c)

    result = time_calls(run, args.iterations, args.warmup)
    # Each GEMM alone too, for the per-layer comparison (bench_compare's "GEMM layers" table).
    per_gemm = []
    for g, (a, b, c) in zip(meta["gemms"], ops):
        one = time_calls(lambda a=a, b=b, c=c: np.matmul(a, b, out=c), args.iterations, 1)
        per_gemm.append({"layer": g["layer"], "m": a.shape[0], "k": g["k"], "n": g["n"], "median_s": one["median_s"],
                         "gflops_at_median": 2 * a.shape[0] * g["k"] * g["n"] / 1e9 / one["median_s"]})
    result.update({
        "per_gemm": per_gemm,
        "gemms": len(ops), "gflop": flop / 1e9, "gflops_at_median": flop / 1e9 / result["median_s"],
        "blas": blas_info(), "versions": {"numpy": np.__version__},
    })
    return result


def engine_memcpy(args, _meta: dict | None) -> dict:
    import numpy as np

    size = 256 * 2**20
    src = np.random.default_rng(2).standard_normal(size // 4, dtype=np.float32)
    dst = np.empty_like(src)
    result = time_calls(lambda: np.copyto(dst, src), args.iterations, args.warmup)
    result.update({
        "bytes": size,
        "note": "GB/s = bytes copied / time (each byte read once and written once)",
        "gbs_at_median": size / 1e9 / result["median_s"],
        "gbs_best": size / 1e9 / result["min_s"],
        "versions": {"numpy": np.__version__},
    })
    return result


ENGINES = {
    "keras": engine_keras,
    "onnx": engine_onnx,
    "onnx-predict": engine_onnx_predict,
    "load-keras": engine_load_keras,
    "load-h5py": engine_load_h5py,
    "sgemm": engine_sgemm,
    "memcpy": engine_memcpy,
}


def default_batch_and_iterations(args, meta: dict | None) -> None:
    if args.engine in LOAD_ENGINES:
        args.batch = args.batch or 1
        args.iterations = args.iterations or 3
        return
    if args.engine == "memcpy":
        args.batch = args.batch or 1
        args.iterations = args.iterations or 10
        return
    rows = (meta or {}).get("rows") or [{"batch": 1, "iterations": 10}]
    if not args.batch:
        args.batch = rows[0]["batch"]
    if not args.iterations:
        match = [r["iterations"] for r in rows if r["batch"] == args.batch]
        args.iterations = match[0] if match else 10


def run_all(args, meta: dict) -> dict:
    """Each applicable engine in its own fresh process, one after the other."""
    engines = LOAD_ENGINES if not meta.get("rows") else INFERENCE_ENGINES
    results = {}
    for engine in engines:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--engine", engine, "--model", args.model,
               "--dir", str(args.dir), "--threads", str(args.threads), "--warmup", str(args.warmup),
               "--format", args.format]
        if args.batch:
            cmd += ["--batch", str(args.batch)]
        if args.iterations:
            cmd += ["--iterations", str(args.iterations)]
        run = run_measured(cmd, timeout=args.timeout)
        parsed = last_json(run["stdout"])
        if run["rc"] == 0 and parsed is not None:
            parsed["process_peak_rss_mb"] = run["peak_rss_mb"]
            parsed["process_wall_s"] = round(run["wall_s"], 2)
            results[engine] = parsed
        else:
            tail = "\n".join(run["stderr"].strip().splitlines()[-3:])
            results[engine] = {"engine": engine, "error": f"exit {run['rc']}: {tail}"}
    return {"model": args.model, "batch": args.batch, "engines": results}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--model", default=None, help="model name in --dir (mlp, cnn, srresnet, dcgan_disc, "
                        "big_dense); default big_dense for load engines")
    parser.add_argument("--engine", choices=ALL_ENGINES + ("all",), default="all")
    parser.add_argument("--batch", type=int, default=0, help="default: the model's first reference row")
    parser.add_argument("--iterations", type=int, default=0, help="timed iterations (default: the model's row)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed calls before timing (default 3)")
    parser.add_argument("--threads", type=int, default=2, help="intra-op threads for TF and ORT (default 2)")
    parser.add_argument("--format", choices=("keras", "h5"), default="keras", help="file the keras engine loads")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--profile-ops", action="store_true",
                        help="onnx: also ONNX Runtime's own per-operator profile (a second session)")
    parser.add_argument("--timeout", type=float, default=600.0, help="per-subprocess timeout for --engine all")
    args = parser.parse_args()

    if args.engine in LOAD_ENGINES and args.model is None:
        args.model = "big_dense"
    if args.engine != "memcpy" and args.model is None:
        parser.error("--model is required for this engine")
    meta = load_meta(args.dir, args.model) if args.model else None

    if args.engine == "all":
        print(json.dumps(run_all(args, meta)))
        return 0

    default_batch_and_iterations(args, meta)
    result = {"engine": args.engine, "model": args.model, "batch": args.batch,
              "iterations": args.iterations, "warmup": args.warmup}
    result.update(ENGINES[args.engine](args, meta))
    result["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
