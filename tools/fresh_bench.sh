#!/usr/bin/env bash
# Fresh-process speed (issue 14): N fresh processes of `keras-port bench` on the reference MLP at batch 1 with 20
# iterations against the fastest of three 500-iteration processes (the steady state). Target: the worst fresh median
# ≤ 1.5× the steady median. Prints each process' median, the worst, the steady median and the ratio; with --base OTHER_BINARY the two
# binaries alternate process by process (who goes first alternates too) and each gets its own line.
#
#   tools/fresh_bench.sh [--binary .build/release/keras-port] [--base OTHER] [--model tools/.cache/bench/mlp.keras]
#                        [--runs 8] [--rounds 1]
#
# --rounds R repeats the whole measurement R times (each with its own steady-state processes) and prints every round.
# The MLP is made by tools/bench_models.py (tools/bench_compare makes it on its first run). Extra environment for
# the measured processes (e.g. KERASPORT_THREADS=1) is passed through.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=.build/release/keras-port
base=""
model=tools/.cache/bench/mlp.keras
runs=8
rounds=1
while [ $# -gt 0 ]; do
    case "$1" in
        --binary) binary="$2"; shift 2 ;;
        --base) base="$2"; shift 2 ;;
        --model) model="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        --rounds) rounds="$2"; shift 2 ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
[ -x "$binary" ] || { echo "no binary $binary (swift build -c release --product keras-port)" >&2; exit 1; }
[ -z "$base" ] || [ -x "$base" ] || { echo "no binary $base" >&2; exit 1; }
[ -f "$model" ] || { echo "no model $model (run tools/bench_compare once, or tools/bench_models.py)" >&2; exit 1; }

out=$(mktemp)
trap 'rm -f "$out"' EXIT
median_ms() {  # binary iterations → median ms of one fresh process
    # The output goes to a file and is parsed once the process has ended: a Python started in the same pipeline spends
    # its start-up (~30 ms of CPU) beside the measured process, and on 2 cores that alone made 1–3 of 8 processes run
    # at one thread's speed (the "fresh-process slowdown" this script was written to find was mostly that).
    "$1" bench "$model" --batch 1 --iterations "$2" --json >"$out"
    tail -1 "$out" | python3 -c 'import json, sys; print("%.3f" % (json.load(sys.stdin)["median_s"] * 1e3))'
}

echo "fresh processes: $model, batch 1, 20 iterations, $runs processes; steady: the fastest of three 500-iteration processes"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg); nproc $(nproc); $(date -u +%H:%M) UTC"
names=(new); bins=("$binary")
if [ -n "$base" ]; then names+=(base); bins+=("$base"); fi
for ((r = 1; r <= rounds; r++)); do
    declare -A fresh=()
    for ((i = 0; i < runs; i++)); do
        order=("${!bins[@]}")
        if (( i % 2 == 1 )) && (( ${#bins[@]} == 2 )); then order=(1 0); fi
        for k in "${order[@]}"; do fresh[$k]="${fresh[$k]:-} $(median_ms "${bins[$k]}" 20)"; done
    done
    for k in "${!bins[@]}"; do
        # The fastest of three 500-iteration processes: one can spend its whole life at one core's speed.
        steady=$(printf '%s\n' "$(median_ms "${bins[$k]}" 500)" "$(median_ms "${bins[$k]}" 500)" \
                 "$(median_ms "${bins[$k]}" 500)" | sort -g | head -1)
        python3 - "${names[$k]}" "$r" "$steady" ${fresh[$k]} <<'PY'
import sys
name, rnd, steady, fresh = sys.argv[1], sys.argv[2], float(sys.argv[3]), [float(x) for x in sys.argv[4:]]
worst = max(fresh)
print(f"{name} round {rnd}: fresh medians ms {' '.join(f'{x:.3f}' for x in fresh)}; worst {worst:.3f}; "
      f"steady {steady:.3f}; worst/steady {worst / steady:.2f}× (target ≤ 1.5×); "
      f"slow (> 1.5× steady) {sum(x > 1.5 * steady for x in fresh)} of {len(fresh)}")
PY
    done
    unset fresh
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
