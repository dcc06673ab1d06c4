#!/usr/bin/env python3
"""Load time of real models: `keras-port bench --json` load_s (.keras and .h5) against h5py reading every dataset of the
.h5 (open the file, read each dataset into numpy: a floor for any HDF5 reader), each in fresh processes, alternating
(binary A, binary B if given, h5py; the order reverses every round). Prints medians and ratios to h5py, and the
median CPU time (user + system) of each binary's whole process, for comparing binaries on a busy machine.

  tools/load_compare.py --binary .build/release/keras-port [--base OTHER_BINARY] [--models resnet50,xception] [--rounds 5]

Models are read from --dir (default tools/.cache/bench/real, made by tools/bench_real_models.py).
"""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
H5PY = """
import sys, time, h5py
t0 = time.perf_counter()
arrays = []
with h5py.File(sys.argv[1], "r") as f:
    f.visititems(lambda n, o: arrays.append(o[()]) if isinstance(o, h5py.Dataset) else None)
print(time.perf_counter() - t0)
"""


CPU: dict[str, list[float]] = {}


def ours(binary: str, path: Path, key: str = "") -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([binary, "bench", str(path), "--batch", "1", "--iterations", "1", "--warmup", "0", "--json"],
                         check=True, capture_output=True, text=True).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if key:  # user + system CPU seconds of the whole process (load, one prediction, exit)
        CPU.setdefault(key, []).append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return float(json.loads(out.strip().splitlines()[-1])["load_s"])


def h5py_load(python: str, path: Path) -> float:
    out = subprocess.run([python, "-c", H5PY, str(path)], check=True, capture_output=True, text=True).stdout
    return float(out.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", required=True)
    ap.add_argument("--base", help="a second keras-port binary, measured alternately with --binary")
    ap.add_argument("--models", default="resnet50,mobilenetv2,efficientnetb0,convnexttiny,densenet121,xception")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--dir", type=Path, default=REPO / "tools/.cache/bench/real")
    ap.add_argument("--python", default=str(REPO / "tools/.venv/bin/python"))
    args = ap.parse_args()
    binaries = {"new": args.binary} | ({"base": args.base} if args.base else {})
    print(f"load, medians of {args.rounds} fresh processes (s); load average {open('/proc/loadavg').read().split()[:3]}")
    head = "| model | " + " | ".join(f"{b} .keras | {b} .h5" for b in binaries) + " | h5py .h5 | " + \
        " | ".join(f"{b} .keras/h5py | {b} .h5/h5py" for b in binaries) + " |"
    print(head)
    for model in args.models.split(","):
        times: dict[str, list[float]] = {}
        CPU.clear()
        jobs = [(f"{b} {ext}", lambda b=b, ext=ext: ours(binaries[b], args.dir / f"{model}{ext}", f"{b} {ext}"))
                for b in binaries for ext in (".keras", ".h5")]
        jobs.append(("h5py", lambda: h5py_load(args.python, args.dir / f"{model}.h5")))
        for r in range(args.rounds):
            for name, job in (jobs if r % 2 == 0 else list(reversed(jobs))):
                times.setdefault(name, []).append(job())
        med = {k: statistics.median(v) for k, v in times.items()}
        cells = [f"{med[f'{b} {e}']:.3f}" for b in binaries for e in (".keras", ".h5")]
        ratios = [f"{med[f'{b} {e}'] / med['h5py']:.2f}×" for b in binaries for e in (".keras", ".h5")]
        print(f"| {model} | " + " | ".join(cells) + f" | {med['h5py']:.3f} | " + " | ".join(ratios) + " |", flush=True)
        print("  raw: " + json.dumps({k: [round(x, 4) for x in v] for k, v in times.items()}), file=sys.stderr)
        # CPU time is less sensitive to a busy machine than wall time: compare binaries with it (not with h5py,
        # whose process also imports numpy and h5py).
        print("  process CPU s (user+sys, medians; load + one prediction): " +
              ", ".join(f"{k} {statistics.median(v):.3f}" for k, v in CPU.items()), flush=True)
    print(f"load average at end {open('/proc/loadavg').read().split()[:3]}")


if __name__ == "__main__":
    main()
