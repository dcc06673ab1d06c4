"""`tools/bench_compare --real`: the real-architecture table of issue 14 (stdlib only; measurements run in the venv).

Rows: ResNet50, MobileNetV2, EfficientNetB0, ConvNeXtTiny, DenseNet121 (224×224), Xception (299×299), the SRGAN
generator (96×96 → 384×384) and a DCGAN generator (latent 100 → 64×64×3, Conv2DTranspose), Keras 3 with random
weights, made on demand by tools/bench_real_models.py into tools/.cache/bench/real/; batch 1 and 8. For each row, one after the other and each in a fresh process:

  ours   `keras-port bench <model>.keras --batch N --iterations K --warmup W --json --profile`
  ORT    tools/bench_keras.py --engine onnx on Keras' own ONNX export (or, where ONNX Runtime cannot use that, on
         `keras-port export --format onnx`; the table says which), 2 intra-op threads
         (ours and ORT alternate for --rounds rounds, default 2, the first of each pair alternating too; each
         engine's figure is its median round)
  Keras  tools/bench_keras.py --engine keras (the faster of predict_on_batch and a direct call), one round

then
  fresh processes: 8 fresh `keras-port bench mlp.keras --batch 1 --iterations 20` (tools/bench_models.py's MLP),
                   worst median / the fastest median of three 500-iteration processes (target ≤ 1.5)
  peak RSS:        `keras-port predict resnet50.keras` on a batch of 8 vs one ONNX Runtime run in a fresh process
  load:            `bench --json`'s load_s from .keras and from .h5, and h5py reading every dataset of the .h5, each
                   in --load-repeats fresh processes (alternating), medians (target ≤ 1.5× h5py)
and, for rows where ours is slower than ONNX Runtime, our slowest steps beside ONNX Runtime's own per-operator
profile (`SessionOptions.enable_profiling`).
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
REAL = TOOLS / ".cache" / "bench" / "real"
CACHE = TOOLS / ".cache" / "bench"
MODELS = ["resnet50", "mobilenetv2", "efficientnetb0", "convnexttiny", "densenet121", "xception", "srgan_generator",
          "dcgan_generator"]
TITLES = {"resnet50": "ResNet50", "mobilenetv2": "MobileNetV2", "efficientnetb0": "EfficientNetB0",
          "convnexttiny": "ConvNeXtTiny", "densenet121": "DenseNet121", "xception": "Xception",
          "srgan_generator": "SRGAN generator", "dcgan_generator": "DCGAN generator"}


def say(msg: str) -> None:
    print(f"bench_compare --real: {msg}", file=sys.stderr, flush=True)


def ms(x) -> str:
    return "n/a" if not isinstance(x, (int, float)) else (f"{x * 1e3:.2f}" if x < 0.1 else f"{x * 1e3:.1f}")


def ratio(a, b) -> str:
    ok = isinstance(a, (int, float)) and isinstance(b, (int, float)) and b > 0
    return f"{a / b:.2f}×" if ok else "n/a"


def num(x) -> bool:
    return isinstance(x, (int, float))


def paired_ratio(ours: dict, onnx: dict):
    """The median over rounds of ours/ORT within each round (the two engines ran back to back in it, so a slow spell
    of the machine that spans a round scales both), or None without a timed pair."""
    pairs = [a / b for a, b in zip(ours.get("round_medians_s") or [], onnx.get("round_medians_s") or [])
             if num(a) and num(b) and b > 0]
    return statistics.median(pairs) if pairs else None


def median(xs):
    xs = [x for x in xs if num(x)]
    return statistics.median(xs) if xs else None


def make_models(h, args, wanted: list[str], binary: Path | None) -> dict:
    cmd = [str(h.VENV_PY), str(TOOLS / "bench_real_models.py"), "--only", ",".join(wanted)]
    if binary is not None:
        cmd += ["--ours-onnx", str(binary)]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    say("models: " + " ".join(cmd[1:]) + " (cached after the first run; the first takes minutes)")
    run = subprocess.run(cmd, capture_output=True, text=True, env=env)
    status = h.last_json(run.stdout) or {}
    if run.returncode != 0:
        say("bench_real_models.py: " + "\n".join(run.stderr.strip().splitlines()[-10:]))
    metas = {}
    for m in wanted:
        try:
            metas[m] = json.loads((REAL / f"{m}.meta.json").read_text())
        except (OSError, ValueError):
            say(f"{m}: no model ({(status.get('models') or {}).get(m)})")
    # the MLP of the fresh-process check
    subprocess.run([str(h.VENV_PY), str(TOOLS / "bench_models.py"), "--only", "mlp"], capture_output=True, env=env)
    return metas


def inference_rows(h, args, metas: dict, binary, problems: list, progress) -> list[dict]:
    rows = []
    scale = args.iterations_scale * (0.4 if args.quick else 1.0)
    rounds = 1 if args.quick else max(1, args.rounds)
    for model, meta in metas.items():
        for r in meta["rows"]:
            batch = r["batch"]
            if args.quick and batch != 1:
                continue
            iters = max(2, int(round(r["iterations"] * scale)))
            warm = 2 if batch == 1 else 1
            file = REAL / meta["files"]["keras"]
            row = {"model": model, "batch": batch, "iterations": iters}
            ours_runs, onnx_runs = [], []
            for i in range(rounds):
                def run_ours():
                    progress(f"{model} b{batch}: ours (round {i + 1}/{rounds})")
                    ours_runs.append(h.ours(binary, file, batch, iters, args, profile=True, warmup=warm))

                def run_onnx():
                    progress(f"{model} b{batch}: onnxruntime (round {i + 1}/{rounds})")
                    extra = ["--warmup", str(warm)] + (["--profile-ops"] if i == rounds - 1 else [])
                    onnx_runs.append(h.venv_engine("onnx", model, batch, iters, args, directory=REAL, extra=extra))

                # Which engine goes first alternates round by round (and row by row), so neither always runs
                # straight after the row before's Keras process or in the other's wake.
                engines = [run_ours] + ([run_onnx] if meta.get("onnx_exporter") else [])
                for run in engines if (i + len(rows)) % 2 == 0 else reversed(engines):
                    run()
            row["ours"] = h.median_round(ours_runs)
            # Which kernel family each of our rounds ran (bench's `kernels`: avx512 / avx2 / portable).
            row["ours"]["round_kernels"] = [r.get("kernels") for r in ours_runs]
            row["onnx"] = h.median_round(onnx_runs) if onnx_runs else {"error": meta.get("onnx_error") or "no ONNX file"}
            prof = next((o.get("op_profile") for o in reversed(onnx_runs) if o.get("op_profile")), None)
            if prof:
                row["onnx"]["op_profile"] = prof
            row["onnx_exporter"] = meta.get("onnx_exporter")
            if not args.no_keras:
                progress(f"{model} b{batch}: keras")
                row["keras"] = h.venv_engine("keras", model, batch, max(2, iters // 2), args, directory=REAL,
                                             extra=["--warmup", "1"])
            else:
                row["keras"] = {"error": "skipped (--no-keras)"}
            for eng in ("ours", "onnx", "keras"):
                if "error" in row[eng] and not (eng == "keras" and args.no_keras):
                    problems.append(f"{model} b{batch} {eng}: {row[eng]['error']}")
            rows.append(row)
    return rows


def fresh_processes(h, args, binary, progress) -> dict:
    mlp = CACHE / "mlp.keras"
    if binary is None or not mlp.exists():
        return {"error": f"no {mlp}" if binary else "no binary"}
    runs = []
    for i in range(8):
        progress(f"fresh processes: MLP b1 20 iterations ({i + 1}/8)")
        runs.append(h.ours(binary, mlp, 1, 20, args, warmup=3))
    # The steady state is the fastest of three 500-iteration processes: one process can itself spend its whole life
    # at one core's speed (the second vCPU not running its worker; 0.16 against 0.08 ms in round 38), which made the
    # ratio look better than the fresh processes were.
    steadies = []
    for i in range(3):
        progress(f"fresh processes: MLP b1 500 iterations (steady state, {i + 1}/3)")
        steadies.append(h.ours(binary, mlp, 1, 500, args, warmup=3).get("median_s"))
    steady = min((m for m in steadies if num(m)), default=None)
    medians = [r.get("median_s") for r in runs]
    worst = max((m for m in medians if num(m)), default=None)
    return {"medians_s": medians, "worst_s": worst, "steady_s": steady, "steady_runs_s": steadies,
            "ratio": worst / steady if num(worst) and num(steady) else None}


def peak_rss(h, args, metas: dict, binary, progress) -> dict:
    model = "resnet50"
    meta = metas.get(model)
    if meta is None or binary is None:
        return {"error": "resnet50 not among the models" if binary else "no binary"}
    batch = 8
    out = {"model": model, "batch": batch}
    with tempfile.TemporaryDirectory(prefix="bench-rss-") as tmp:
        x = Path(tmp) / "x.npy"
        subprocess.run([str(h.VENV_PY), "-c",
                        "import sys, numpy as np; np.save(sys.argv[1], np.random.default_rng(0).standard_normal("
                        f"({batch}, {', '.join(map(str, meta['input_shape']))})).astype(np.float32))", str(x)],
                       check=True)
        progress(f"peak RSS: ours predict {model} b{batch}")
        run = h.run_measured([str(binary), "predict", str(REAL / meta["files"]["keras"]), "--input", str(x),
                              "--output", str(Path(tmp) / "y.npy")], timeout=args.timeout)
        out["ours_mb"] = run["peak_rss_mb"] if run["rc"] == 0 else None
        if run["rc"] != 0:
            out["ours_error"] = (run["stderr"].strip().splitlines() or ["failed"])[-1][:300]
    if meta.get("onnx_exporter"):
        progress(f"peak RSS: onnxruntime {model} b{batch}")
        o = h.venv_engine("onnx-predict", model, batch, 1, args, directory=REAL)
        out["onnx_mb"] = o.get("process_peak_rss_mb")
        out["onnx_import_mb"] = o.get("rss_after_import_mb")
        out["onnx_error"] = o.get("error")
    return out


def load_rows(h, args, metas: dict, binary, progress) -> list[dict]:
    repeats = 1 if args.quick else max(1, args.load_repeats_real)
    rows = []
    for model, meta in metas.items():
        progress(f"load {model}: .keras, .h5 and h5py, {repeats} fresh processes each")
        k, l5, py = [], [], []
        for i in range(repeats):
            order = ["keras", "h5", "h5py"] if i % 2 == 0 else ["h5py", "h5", "keras"]
            for what in order:
                if what == "h5py":
                    r = h.venv_engine("load-h5py", model, None, 1, args, directory=REAL)
                    py.append(r.get("first_s"))
                else:
                    r = h.ours(binary, REAL / meta["files"][what], 1, 1, args, warmup=0)
                    (k if what == "keras" else l5).append(r.get("load_s"))
        rows.append({"model": model, "mb": round((REAL / meta["files"]["h5"]).stat().st_size / 2**20),
                     "keras_s": median(k), "h5_s": median(l5), "h5py_s": median(py),
                     "all": {"keras": k, "h5": l5, "h5py": py}})
    return rows


def steps_by_kind(profile: list[dict]) -> list[tuple[str, float, int]]:
    kinds: dict[str, list] = {}
    for st in profile or []:
        t = st.get("median_s")
        if not num(t) or st.get("class_name") == "InputLayer":
            continue
        k = kinds.setdefault(st.get("class_name", "?"), [0.0, 0])
        k[0] += t
        k[1] += 1
    return sorted(((c, v[0], v[1]) for c, v in kinds.items()), key=lambda x: -x[1])


def render(report: dict) -> str:
    out = []
    out.append("Real architectures (issue 14): Keras 3 keras.applications with random weights (tools/bench_real_models.py), "
               "median ms per batch. ours/ORT and ours/Keras < 1 means ours is faster; \"Keras\" is the faster of "
               "predict_on_batch and a direct call. ONNX Runtime runs Keras' own ONNX export unless the column says "
               "otherwise. ours/ORT is the median over the rounds of each round's ratio (the engines run back to "
               "back in a round, alternating which goes first); \"medians' ratio\" divides each engine's median "
               "round instead, which a slow spell over some rounds moves more.")
    out.append("")
    out.append("| model | input | batch | iters | ours ms | ONNX Runtime ms | Keras ms | ours/ORT | medians' ratio | ours/Keras | ours rounds ms | ORT rounds ms |")
    out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    notes = []
    for r in report["rows"]:
        meta = report["metas"][r["model"]]
        shape = "×".join(str(d) for d in meta["input_shape"][:2])
        us, o, k = r["ours"], r["onnx"], r["keras"]
        onnx_note = "" if r.get("onnx_exporter") in (None, "keras model.export(format='onnx')") else " (our export)"
        rounds_o = ", ".join(ms(x) for x in us.get("round_medians_s", [])) or "–"
        rounds_x = ", ".join(ms(x) for x in o.get("round_medians_s", [])) or "–"
        paired = paired_ratio(us, o)
        out.append(f"| {TITLES[r['model']]} | {shape} | {r['batch']} | {r['iterations']} | {ms(us.get('median_s'))} | "
                   f"{ms(o.get('median_s'))}{onnx_note} | {ms(k.get('median_s'))} | "
                   f"{ratio(paired, 1.0)} | {ratio(us.get('median_s'), o.get('median_s'))} | "
                   f"{ratio(us.get('median_s'), k.get('median_s'))} | {rounds_o} | {rounds_x} |")
        slower = (num(paired) and paired > 1) or (num(us.get("median_s")) and num(o.get("median_s"))
                                                   and us["median_s"] > o["median_s"])
        if slower:
            ours_k = steps_by_kind(us.get("profile"))[:5]
            ort_k = (o.get("op_profile") or [])[:5]
            notes.append(f"- {TITLES[r['model']]} b{r['batch']} (ours/ORT {ratio(paired, 1.0)}, medians' ratio "
                         f"{ratio(us.get('median_s'), o.get('median_s'))}): "
                         f"ours by step kind: " + ", ".join(f"{c} ×{n} {t * 1e3:.1f} ms" for c, t, n in ours_k)
                         + "; ONNX Runtime by operator: "
                         + (", ".join(f"{p['op']} ×{p['nodes']} {p['ms_per_run']:.1f} ms" for p in ort_k) or "n/a"))
    families = sorted({k for r in report["rows"] for k in r["ours"].get("round_kernels", []) if k})
    mixed = [f"{TITLES[r['model']]} b{r['batch']} ({', '.join(str(k) for k in r['ours']['round_kernels'])})"
             for r in report["rows"] if len(set(r["ours"].get("round_kernels", []))) > 1]
    if families:
        out.append("")
        out.append(f"Our kernels (`bench`'s `kernels`): {', '.join(families)}"
                   + (f"; rounds that differ: {'; '.join(mixed)}." if mixed else " in every round."))
    if notes:
        out.append("")
        out.append("Rows where ours is slower than ONNX Runtime (by either ratio): our time per kind of step (`bench --profile`, fused "
                   "steps named by their layers' classes, medians per batch) beside ONNX Runtime's own profile per "
                   "operator type (mean per run):")
        out.append("")
        out.extend(notes)
    fp = report.get("fresh")
    if fp and "error" not in fp:
        out.append("")
        out.append(f"Fresh processes (reference MLP, batch 1, 20 iterations, 8 fresh processes): medians "
                   f"{', '.join(ms(x) for x in fp['medians_s'])} ms; worst {ms(fp['worst_s'])} ms; steady (fastest of "
                   f"three 500-iteration processes: {', '.join(ms(x) for x in fp.get('steady_runs_s', []))}) "
                   f"{ms(fp['steady_s'])} ms; worst / steady "
                   f"{fp['ratio']:.2f}× (target ≤ 1.5×)." if num(fp.get("ratio")) else "Fresh processes: n/a")
    rss = report.get("rss")
    if rss and "error" in rss:
        out.append("")
        out.append(f"Peak RSS of one prediction, ResNet50 batch 8: not measured ({rss['error']}).")
    if rss and "error" not in rss:
        share = f", of which {rss['onnx_import_mb']:.0f} MB is the interpreter with numpy and onnxruntime imported " \
                f"before the session" if num(rss.get("onnx_import_mb")) else ""
        out.append("")
        out.append(f"Peak RSS of one prediction, ResNet50 batch 8 (ru_maxrss of a fresh process): ours "
                   f"(`keras-port predict`) {rss.get('ours_mb') or 'n/a'} MB; ONNX Runtime "
                   f"{rss.get('onnx_mb') or 'n/a'} MB{share}.")
    lr = report.get("load") or []
    if lr:
        out.append("")
        out.append("Load, seconds (medians of fresh processes, warm page cache): ours = `keras-port bench --json` "
                   "load_s (open, read every weight, compile); h5py = open the .h5 and read every dataset into numpy.")
        out.append("")
        out.append("| model | weights MB | ours .keras s | ours .h5 s | h5py .h5 s | .keras / h5py | .h5 / h5py |")
        out.append("|---|---:|---:|---:|---:|---:|---:|")
        for r in lr:
            f = lambda x: f"{x:.3f}" if num(x) else "n/a"  # noqa: E731
            out.append(f"| {TITLES[r['model']]} | {r['mb']} | {f(r['keras_s'])} | {f(r['h5_s'])} | {f(r['h5py_s'])} | "
                       f"{ratio(r['keras_s'], r['h5py_s'])} | {ratio(r['h5_s'], r['h5py_s'])} |")
    onnx_notes = [f"{TITLES[m]}: {meta.get('onnx_exporter') or 'none'}"
                  + (f" ({meta['onnx_error']})" if meta.get("onnx_error") else "")
                  for m, meta in report["metas"].items()
                  if meta.get("onnx_exporter") != "keras model.export(format='onnx')"]
    if onnx_notes:
        out.append("")
        out.append("ONNX files other than Keras' own export: " + "; ".join(onnx_notes) + ".")
    ctx = report["context"]
    out.append("")
    out.append(f"Load average at start/end: {ctx['loadavg_start']} / {ctx['loadavg_end']}; elapsed "
               f"{report['elapsed_s']:.0f} s.")
    if report["problems"]:
        out.append("")
        out.append("Not measured:")
        out.extend(f"- {p}" for p in report["problems"])
    return "\n".join(out)


def run(h, args, binary: Path | None, problems: list) -> int:
    t0 = time.perf_counter()
    loadavg_start = os.getloadavg()
    wanted = [m for m in args.models.split(",") if m] or MODELS
    unknown = set(wanted) - set(MODELS)
    if unknown:
        h.die(f"--real: unknown model(s) {sorted(unknown)}; known: {', '.join(MODELS)}")
    metas = make_models(h, args, wanted, binary)
    step = 0

    def progress(what: str) -> None:
        nonlocal step
        step += 1
        say(f"[{step}] {what}")

    report = {"metas": metas, "problems": problems, "context": {}}
    report["rows"] = inference_rows(h, args, metas, binary, problems, progress)
    report["fresh"] = fresh_processes(h, args, binary, progress)
    report["rss"] = peak_rss(h, args, metas, binary, progress)
    report["load"] = load_rows(h, args, metas, binary, progress)
    report["context"]["loadavg_start"] = " ".join(f"{x:.2f}" for x in loadavg_start)
    report["context"]["loadavg_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    report["machine"] = h.machine_info({"rows": []})
    report["elapsed_s"] = time.perf_counter() - t0
    (CACHE / "last_run_real.json").write_text(json.dumps(report, indent=1, default=str) + "\n")
    info = report["machine"]
    print(f"{info['date']}; nproc {info['nproc']}; {info['cpu']}; commit {info['commit']}; "
          f"elapsed {report['elapsed_s']:.0f} s\n")
    print(render(report))
    return 0
