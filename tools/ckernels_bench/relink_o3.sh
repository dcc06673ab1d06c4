#!/usr/bin/env bash
# Makes a copy of the release keras-port whose CKernels are compiled at -O3 (what `unsafeFlags(["-O3"])` gave) instead
# of SwiftPM's -O2, everything else the same objects: compiles Sources/CKernels/*.c at -O3 and repeats SwiftPM's link
# command with those objects. For A/B runs of whole models (-O2 vs -O3) without a second release build.
#   swift build -c release --product keras-port && tools/ckernels_bench/relink_o3.sh   # → .build/release/keras-port-O3
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="$root/.build/x86_64-unknown-linux-gnu/release"
yaml="$root/.build/release.yaml"
out="$root/.build/ckernels-O3"
mkdir -p "$out"
list="$build/keras-port.product/Objects.LinkFileList"
cp "$list" "$out/Objects.LinkFileList"
for f in "$root"/Sources/CKernels/*.c; do
    name="$(basename "$f")"
    clang -target x86_64-unknown-linux-gnu -O3 -DSWIFT_PACKAGE=1 -fblocks -I "$root/Sources/CKernels/include" -fPIC -g \
        -fno-omit-frame-pointer -c "$f" -o "$out/$name.o"
    sed -i "s|$build/CKernels.build/$name.o|$out/$name.o|" "$out/Objects.LinkFileList"
done
grep -c "$out" "$out/Objects.LinkFileList" >/dev/null
# SwiftPM's link command for keras-port, with the object list and the output replaced.
python3 - "$yaml" "$list" "$out/Objects.LinkFileList" "$build/keras-port" "$root/.build/release/keras-port-O3" <<'PY'
import sys, subprocess
yaml, old_list, new_list, old_out, new_out = sys.argv[1:]
args = None
lines = open(yaml).read().splitlines()
for i, l in enumerate(lines):
    if l.strip() == '"C.keras-port-x86_64-unknown-linux-gnu-release.exe":':
        for l2 in lines[i:i + 8]:
            if l2.strip().startswith("args:"):
                import json
                args = json.loads(l2.strip()[len("args:"):])
        break
assert args, "link command not found"
args = [a.replace(old_list, new_list) if old_list in a else (new_out if a == old_out else a) for a in args]
subprocess.run(args, check=True)
PY
echo "$root/.build/release/keras-port-O3"
