#!/usr/bin/env bash
# Creates tools/.venv (if missing) with the pinned real Keras from tools/requirements.txt.
# Idempotent: does nothing when the venv already imports the pinned packages.
# Usage: tools/setup_venv.sh [--pytorch]   (prints nothing on success unless it had to install)
#   --pytorch: also the PyTorch export checks' packages, pinned in tools/requirements-pytorch.txt (CPU torch).
set -euo pipefail

pytorch=0
for arg in "$@"; do
    case "$arg" in
        --pytorch) pytorch=1 ;;
        *) echo "setup_venv.sh: unknown option $arg (use --pytorch)" >&2; exit 2 ;;
    esac
done

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"
req="$here/requirements.txt"
py="$venv/bin/python"

fail() { echo "setup_venv.sh: $*" >&2; exit 1; }

command -v python3 >/dev/null 2>&1 || fail "python3 not found (apt-get install python3 python3-venv)"

if [[ ! -x "$py" ]]; then
    python3 -m venv "$venv" >/dev/null 2>&1 \
        || fail "could not create $venv with 'python3 -m venv' (is python3-venv installed?)"
fi

# The import check: every pinned package imports and has the pinned version.
check() {
    "$py" - "$req" >/dev/null 2>&1 <<'PY'
import sys, re, importlib.metadata as md
want = {}
for line in open(sys.argv[1]):
    line = line.split("#", 1)[0].strip()
    if line:
        name, ver = re.split(r"==", line)
        want[name.strip()] = ver.strip()
for name, ver in want.items():
    if md.version(name) != ver:
        sys.exit(1)
import os
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import h5py, numpy, keras, tf_keras  # noqa: F401
PY
}

# The export checks' extras (tools/requirements-export.txt; tritonclient without its dependencies, see
# tools/requirements-triton.txt). Installed after the pinned Keras so they cannot change it.
export_extras() {
    "$py" - "$here/requirements-export.txt" "$here/requirements-triton.txt" >/dev/null 2>&1 <<'PY' && return 0
import sys, re, importlib.metadata as md
for path in sys.argv[1:]:
    for line in open(path):
        line = line.split("#", 1)[0].strip()
        if line:
            name, ver = re.split(r"==", line)
            if md.version(name.strip()) != ver.strip():
                sys.exit(1)
import onnx, onnxruntime  # noqa: F401
PY
    echo "setup_venv.sh: installing the export checks' packages (onnx, onnxruntime, tritonclient) into $venv..." >&2
    "$py" -m pip install --quiet --disable-pip-version-check -r "$here/requirements-export.txt" \
        >>"$venv/pip-install.log" 2>&1 \
        && "$py" -m pip install --quiet --disable-pip-version-check --no-deps -r "$here/requirements-triton.txt" \
        >>"$venv/pip-install.log" 2>&1 \
        || { tail -20 "$venv/pip-install.log" >&2; fail "installing the export packages failed (log: $venv/pip-install.log)"; }
}


if ! check; then
    echo "setup_venv.sh: installing pinned Keras/TensorFlow into $venv (takes a few minutes)..." >&2
    "$py" -m pip install --quiet --disable-pip-version-check -r "$req" >"$here/.venv/pip-install.log" 2>&1 \
        || { tail -20 "$here/.venv/pip-install.log" >&2; fail "pip install -r $req failed (log: $venv/pip-install.log)"; }
    check || fail "packages installed but the import/version check still fails; see $venv/pip-install.log"
fi

export_extras

[[ "$pytorch" == 1 ]] || exit 0

# The PyTorch export checks' packages: every pin in requirements-pytorch.txt has its version, torch imports.
pytorch_req="$here/requirements-pytorch.txt"
check_pytorch() {
    "$py" - "$pytorch_req" >/dev/null 2>&1 <<'PY'
import sys, re, importlib.metadata as md
for line in open(sys.argv[1]):
    line = line.split("#", 1)[0].strip()
    if line:
        name, ver = re.split(r"==", line)
        if md.version(name.strip()) != ver.strip():
            sys.exit(1)
import torch, safetensors.torch  # noqa: F401
PY
}
if ! check_pytorch; then
    echo "setup_venv.sh: installing the CPU-only torch and safetensors into $venv (about 1 GB)..." >&2
    "$py" -m pip install --quiet --disable-pip-version-check -r "$pytorch_req" >"$here/.venv/pip-install-pytorch.log" 2>&1 \
        || { tail -20 "$here/.venv/pip-install-pytorch.log" >&2; fail "pip install -r $pytorch_req failed (log: $venv/pip-install-pytorch.log)"; }
    check_pytorch || fail "torch/safetensors installed but the import/version check still fails; see $venv/pip-install-pytorch.log"
fi
