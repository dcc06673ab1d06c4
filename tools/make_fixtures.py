#!/usr/bin/env python3
"""Regenerates Fixtures/ (except Fixtures/hdf5/) with REAL Keras, deterministically.

    tools/.venv/bin/python tools/make_fixtures.py            # everything (Keras 2, Keras 3, rewrites, probe, README)
    tools/.venv/bin/python tools/make_fixtures.py --only prelu_k3 --only fmt_k2   # a subset (no README rewrite)

Phases (each Keras runs in its own subprocess: Keras 2 and 3 do not share a process cleanly):
  --keras 2   tf_keras builders (tools/fixtures_k2.py), run with TF_USE_LEGACY_KERAS=1
  --keras 3   keras (TensorFlow backend) builders (tools/fixtures_k3.py)
  rewrites    synthetic variants made by rewriting real files with h5py (tools/fixtures_rewrite.py)
  probe       loads every fixture file with real Keras 3 and tf_keras (tools/check_interop.py workers) and records
              what happened in each manifest ("real_keras_load"); a declared loader that fails is an error
  README      Fixtures/README.md
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import fixtures_common as C  # noqa: E402  (imports no TensorFlow at module level)


def run_phase(keras_major: int, only) -> None:
    env = dict(os.environ)
    if keras_major == 2:
        env["TF_USE_LEGACY_KERAS"] = "1"
    else:
        env.pop("TF_USE_LEGACY_KERAS", None)
    cmd = [sys.executable, str(HERE / "make_fixtures.py"), "--keras", str(keras_major)]
    for o in only or []:
        cmd += ["--only", o]
    r = subprocess.run(cmd, env=env, stderr=subprocess.PIPE, text=True)
    noise = ("absl::InitializeLog", "cudart_stub.cc", "Could not find cuda drivers")
    for line in r.stderr.splitlines():
        if not any(n in line for n in noise):
            print(line, file=sys.stderr)
    if r.returncode != 0:
        sys.exit(f"make_fixtures.py: the Keras {keras_major} phase failed (exit {r.returncode})")


def builders(keras_major: int):
    C.configure_environment()
    if keras_major == 2:
        os.environ["TF_USE_LEGACY_KERAS"] = "1"
    C.quiet_tensorflow()
    if keras_major == 2:
        import fixtures_k2 as mod
    else:
        import fixtures_k3 as mod
    return mod.REGISTRY


def in_phase(keras_major: int, only) -> None:
    reg = builders(keras_major)
    for n, fn in reg:
        if only and n not in only:
            continue
        print(f"  [keras {keras_major}] {n}", flush=True)
        fn(n)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--keras", type=int, choices=[2, 3], help="internal: run one Keras phase in this process")
    ap.add_argument("--only", action="append", help="fixture name(s) to (re)build; default all")
    ap.add_argument("--skip-probe", action="store_true", help="do not load every file with real Keras afterwards")
    args = ap.parse_args()

    C.configure_environment()
    if args.keras:
        in_phase(args.keras, args.only)
        return

    C.MODELS.mkdir(parents=True, exist_ok=True)
    if not args.only:
        # Remove fixtures that are no longer generated (never touches Fixtures/hdf5/).
        import shutil
        for d in list(C.MODELS.iterdir()) + [C.FIXTURES / "activations"]:
            if d.is_dir():
                shutil.rmtree(d)
    print("Keras 2 (tf_keras) fixtures:", flush=True)
    run_phase(2, args.only)
    print("Keras 3 fixtures:", flush=True)
    run_phase(3, args.only)
    print("synthetic rewrites:", flush=True)
    import fixtures_rewrite
    fixtures_rewrite.run_all(args.only)
    if not args.skip_probe:
        print("probing every file with real Keras 3 and tf_keras:", flush=True)
        import check_interop
        ok = check_interop.probe_fixtures(args.only)
        if not ok:
            sys.exit("make_fixtures.py: a declared loader failed on a fixture file (see above)")
    if not args.only:
        import fixtures_readme
        fixtures_readme.write_readme()
    total = sum(p.stat().st_size for p in C.FIXTURES.rglob("*") if p.is_file() and "hdf5" not in p.relative_to(C.FIXTURES).parts[:1])
    print(f"Fixtures/ (without hdf5/): {total / 1024:.0f} KiB", flush=True)


if __name__ == "__main__":
    main()
