#!/usr/bin/env python3
"""A/B timing of one keras-port binary under two environments (e.g. KERASPORT_WINOGRAD=off vs auto), in
alternating fresh processes, so a slow spell of a shared machine falls on both sides.

    tools/bench_ab.py --binary .build/release/keras-port --model resnet50.keras --batch 8 \
        --a KERASPORT_WINOGRAD=off --b KERASPORT_WINOGRAD=auto --rounds 5

Each round runs `keras-port bench MODEL --batch N --iterations K --json` once per side (the side going first
alternates) and records its median_s. Prints the per-side median over rounds and the ratio b/a (< 1: b faster)
with the ratios of each round's pair."""
import argparse
import json
import os
import statistics
import subprocess
import sys


def run(binary, model, batch, iterations, shape, env):
    cmd = [binary, "bench", model, "--batch", str(batch), "--iterations", str(iterations), "--json"]
    if shape:
        cmd += ["--shape", shape]
    e = dict(os.environ)
    for kv in env:
        k, _, v = kv.partition("=")
        e[k] = v
    out = subprocess.run(cmd, env=e, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])["median_s"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--iterations", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--shape")
    ap.add_argument("--a", action="append", default=[], help="KEY=VALUE for side a (repeatable)")
    ap.add_argument("--b", action="append", default=[], help="KEY=VALUE for side b (repeatable)")
    args = ap.parse_args()
    a, b, ratios = [], [], []
    for r in range(args.rounds):
        order = [("a", args.a), ("b", args.b)] if r % 2 == 0 else [("b", args.b), ("a", args.a)]
        got = {}
        for side, env in order:
            got[side] = run(args.binary, args.model, args.batch, args.iterations, args.shape, env)
        a.append(got["a"])
        b.append(got["b"])
        ratios.append(got["b"] / got["a"])
        print(f"round {r + 1}: a {got['a'] * 1e3:.2f} ms, b {got['b'] * 1e3:.2f} ms, b/a {ratios[-1]:.3f}",
              file=sys.stderr, flush=True)
    ma, mb = statistics.median(a), statistics.median(b)
    print(json.dumps({"model": os.path.basename(args.model), "batch": args.batch, "a": args.a, "b": args.b,
                      "a_median_ms": round(ma * 1e3, 3), "b_median_ms": round(mb * 1e3, 3),
                      "ratio_b_over_a": round(mb / ma, 3), "round_ratios": [round(x, 3) for x in ratios]}))


if __name__ == "__main__":
    main()
