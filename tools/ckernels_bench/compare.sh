#!/usr/bin/env bash
# Compares Sources/CKernels compiled at SwiftPM's release -O2 with -O3 (what `unsafeFlags(["-O3"])` gave), kernel
# by kernel, on one thread: builds the driver against both, then runs them alternately ROUNDS times and prints, per
# kernel, the median of each level's per-round minimum and the ratio -O2 / -O3.
#   tools/ckernels_bench/compare.sh [ROUNDS] [REPS]      (defaults 5 and 15; about a minute)
# Flags otherwise as SwiftPM passes them (-fPIC -g -fno-omit-frame-pointer). CC defaults to the Swift toolchain's clang.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
rounds="${1:-5}"; reps="${2:-15}"
cc="${CC:-$(command -v clang)}"
out="$(mktemp -d)"; trap 'rm -rf "$out"' EXIT
for level in O2 O3; do
    objs=()
    for f in "$root"/Sources/CKernels/*.c; do
        o="$out/$level-$(basename "$f" .c).o"
        "$cc" -"$level" -fPIC -g -fno-omit-frame-pointer -DSWIFT_PACKAGE=1 -I "$root/Sources/CKernels/include" -c "$f" -o "$o"
        objs+=("$o")
    done
    "$cc" -O2 -I "$root/Sources/CKernels/include" "$here/driver.c" "${objs[@]}" -lpthread -o "$out/bench-$level"
done
for r in $(seq 1 "$rounds"); do
    for level in O2 O3; do taskset -c 0 "$out/bench-$level" "$reps" > "$out/r$r-$level.txt"; done
done
python3 - "$out" "$rounds" <<'PY'
import sys, statistics, pathlib
out, rounds = pathlib.Path(sys.argv[1]), int(sys.argv[2])
def load(level):
    runs = []
    for r in range(1, rounds + 1):
        runs.append(dict((l.split()[0], float(l.split()[1])) for l in (out / f"r{r}-{level}.txt").read_text().splitlines()))
    return runs
o2, o3 = load("O2"), load("O3")
print(f"{'kernel':28} {'-O2 ms':>9} {'-O3 ms':>9} {'O2/O3':>6}")
for name in o2[0]:
    a = statistics.median(r[name] for r in o2) * 1e3
    b = statistics.median(r[name] for r in o3) * 1e3
    print(f"{name:28} {a:9.3f} {b:9.3f} {a / b:6.3f}")
PY
