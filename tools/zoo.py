#!/usr/bin/env python3
"""The real-world model zoo: builds, on demand, every keras.applications model of Keras 3.15 and of tf_keras 2.21,
plus SRGAN generator/discriminator, ESPCN, an any-size generator, a bidirectional LSTM+GRU text model and a
transformer encoder block (both versions), with random seeded weights, into tools/.cache/zoo/<id>/ (gitignored):

    model.h5 (tf_keras: legacy .h5; Keras 3: legacy .h5 too) and model.keras (Keras 3), input_<run>_<i>.npy,
    expected_<run>_<i>.npy (Keras' model(x, training=False)), manifest.json (written last: a model is cached
    when its manifest exists; a rebuild, --force, writes a new folder that replaces the old one when complete).

    tools/.venv/bin/python tools/zoo.py                 # everything not cached yet (both versions)
    tools/.venv/bin/python tools/zoo.py --quick         # the quick subset (tools/test.sh)
    tools/.venv/bin/python tools/zoo.py --only resnet50,densenet121_k2,srgan_generator
    tools/.venv/bin/python tools/zoo.py --list          # ids (imports both Kerases: ~1 min)
    tools/.venv/bin/python tools/zoo.py --fixtures      # the small committed Fixtures/models/realworld/*

Ids are `<lowercase name>_<k2|k3>` (`resnet50_k3`, `densenet121_k2`, `srgan_generator_k2`); `--only` takes ids or
names (a name selects both versions). Sizes: keras.applications at 96×96×3, 1000 classes (every architecture accepts
it with weights=None); custom models at the sizes their descriptions give. Weights: tools/zoo_models.randomize.
Each Keras runs in its own subprocess (Keras 2 and 3 do not share a process cleanly).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import fixtures_common as C  # noqa: E402

CACHE = HERE / ".cache" / "zoo"
VERSIONS = ("k2", "k3")
# Random images whose BatchNormalization statistics calibrate a keras.applications model (plus run 0's inputs).
CALIBRATION = 16

# Small, fast, and passing on this branch: the subset tools/test.sh runs (tools/zoo.sh --quick).
# Largest share of the bound a relative 1e-6 input change may move Keras' own output by (see build_one).
COND_RATIO = 0.25

QUICK = ["slash_names_k2", "anysize_generator_k2", "anysize_generator_k3", "srgan_discriminator_k2", "mobilenet_k2",
         "espcn_k2", "text_rnn_k3"]

NOISE = ("absl::InitializeLog", "cudart_stub.cc", "Could not find cuda drivers", "oneDNN custom operations",
         "computation placer", "Unable to register", "cuda_", "TF-TRT", "rebuild TensorFlow", "AVX", "E0000",
         "W0000", "I0000")


def model_ids(version: str):
    import zoo_models as Z

    # The biggest architectures last, so that a partial run has covered the most models.
    big = ["efficientnetb5", "efficientnetb6", "efficientnetv2m", "resnetrs200", "regnety160", "regnetx320",
           "efficientnetb7", "nasnetlarge", "resnetrs270", "regnety320", "resnetrs350", "efficientnetv2l",
           "resnetrs420", "convnextbase", "convnextlarge", "convnextxlarge"]
    names = sorted(Z.application_names(), key=lambda n: (big.index(n.lower()) if n.lower() in big else -1, n))
    apps = [f"{n.lower()}_{version}" for n in names]
    return [f"{n}_{version}" for n in Z.CUSTOM if version in Z.ONLY_IN.get(n, VERSIONS)] + apps


def selected(ids, only):
    if not only:
        return ids
    # In the order of `only` (a rebuild can put the models that matter most first).
    want = [o.strip().lower() for o in only if o.strip()]
    rank = {w: k for k, w in reversed(list(enumerate(want)))}
    picked = [i for i in ids if i in rank or i.rsplit("_", 1)[0] in rank]
    return sorted(picked, key=lambda i: rank.get(i, rank.get(i.rsplit("_", 1)[0])))


def build_one(mid: str, version: str, out: Path) -> dict:
    import numpy as np
    import zoo_models as Z

    keras = C.keras_module()
    base = mid.rsplit("_", 1)[0]
    t0 = time.time()
    rng = np.random.default_rng(Z.seed(mid))
    keras.utils.set_random_seed(Z.seed(mid) % (2**31))
    if base in Z.CUSTOM:
        builder, kwargs, _, description = Z.CUSTOM[base]
        model = builder(**kwargs)
        kind = "custom"
        runs_inputs = [Z.custom_inputs(base, model, rng, 0)]
        if base in ("espcn", "anysize_generator"):
            runs_inputs.append(Z.custom_inputs(base, model, rng, 1))
        calib = _with_run_inputs(Z.custom_inputs(base, model, rng, 0), runs_inputs[0])
    else:
        name = next(n for n in Z.application_names() if n.lower() == base)
        model = Z.build_application(name)
        kind = "application"
        description = f"keras.applications.{name}(weights=None, input_shape=({Z.APP_SIZE}, {Z.APP_SIZE}, 3))"
        runs_inputs = [[rng.uniform(-1.0, 1.0, size=(Z.BATCH, Z.APP_SIZE, Z.APP_SIZE, 3)).astype(np.float32)]]
        calib = _with_run_inputs([rng.uniform(-1.0, 1.0, size=(CALIBRATION, Z.APP_SIZE, Z.APP_SIZE, 3))
                                  .astype(np.float32)], runs_inputs[0])
    # A model whose output Keras itself moves by more than a quarter of the bound for a relative 1e-6 input change
    # cannot be checked at the bound: its residual branches are damped further (halved, up to 3 times; the same
    # seed, so a well-conditioned model is built exactly once and never changes).
    state, damping = rng.bit_generator.state, 1.0
    for attempt in range(4):
        rng.bit_generator.state = state
        Z.randomize(model, rng, calib, damping)
        cond = Z.conditioning(model, runs_inputs[0], np.random.default_rng(0))
        if cond["input_1e-6_bound_ratio"] <= COND_RATIO or not model._zoo_residual_damping["branch_batch_norms"] \
                or attempt == 3:
            break
        damping /= 2

    # Written into a fresh folder (<cache>/.building/<id>, out of reach of `<cache>/*/manifest.json`), which replaces
    # the cached one only once the model is complete (others may be reading the cache meanwhile).
    final, out = out, out.parent / ".building" / out.name
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    files = []
    model.save(str(out / "model.h5"))
    files.append({"file": "model.h5", "format": "keras2_h5" if C.legacy() else "keras3_h5"})
    if not C.legacy():
        with C.frozen_save_clock():
            model.save(str(out / "model.keras"))
        files.append({"file": "model.keras", "format": "keras"})

    runs = []
    for r, inputs in enumerate(runs_inputs):
        ys = C.run_model(model, inputs)
        ins, outs = [], []
        for i, x in enumerate(inputs):
            np.save(out / f"input_{r}_{i}.npy", x)
            ins.append(f"input_{r}_{i}.npy")
        for i, y in enumerate(ys):
            y = np.asarray(y, dtype=np.float32)
            np.save(out / f"expected_{r}_{i}.npy", y)
            outs.append(f"expected_{r}_{i}.npy")
        runs.append({"inputs": ins, "outputs": outs, "input_shapes": [list(x.shape) for x in inputs],
                     "output_absmax": max(float(np.max(np.abs(np.asarray(y)))) for y in ys),
                     "output_std": [float(np.std(np.asarray(y))) for y in ys]})
    manifest = {
        "id": mid, "name": base, "version": version, "kind": kind, "description": description,
        **C.versions(),
        "params": int(model.count_params()),
        "files": files, "runs": runs,
        "classes": Z.class_counts(model),
        "layer_classes": Z.layer_classes(model),
        "activations": Z.activation_params(model),
        "seed": Z.seed(mid),
        "calibration_samples": int(calib[0].shape[0]),
        "conditioning": cond,
        "residual_damping": getattr(model, "_zoo_residual_damping", None),
        "build_seconds": round(time.time() - t0, 1),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1))
    old = out.parent / f"{final.name}.old"
    if old.exists():
        shutil.rmtree(old)
    if final.exists():
        final.rename(old)
    out.rename(final)
    shutil.rmtree(old, ignore_errors=True)
    return manifest


def _with_run_inputs(calib, run_inputs):
    """The calibration batch with the inputs of run 0 appended (same shapes), so that the BatchNormalization
    statistics describe the inputs the model is checked on too."""
    import numpy as np

    if [a.shape[1:] for a in calib] != [a.shape[1:] for a in run_inputs]:
        return calib
    return [np.concatenate([a, b.astype(a.dtype)]) for a, b in zip(calib, run_inputs)]


def take_lock(lock: Path) -> bool:
    """One builder per model when several zoo.py run at once: an exclusive lock file holding the builder's pid
    (a lock whose process is gone is taken over)."""
    lock.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            os.write(fd, str(os.getpid()).encode())
            os.close(fd)
            return True
        except FileExistsError:
            try:
                pid = int(lock.read_text().strip() or "0")
                os.kill(pid, 0)
                return False
            except (ValueError, ProcessLookupError, FileNotFoundError):
                lock.unlink(missing_ok=True)
            except PermissionError:
                return False
    return False


def worker(version: str, only, force: bool, list_only: bool) -> int:
    C.configure_environment()
    if version == "k2":
        os.environ["TF_USE_LEGACY_KERAS"] = "1"
    C.quiet_tensorflow()
    ids = selected(model_ids(version), only)
    if list_only:
        for i in ids:
            print(i)
        return 0
    failed = 0
    for mid in ids:
        out = CACHE / mid
        if (out / "manifest.json").exists() and not force:
            print(f"{mid}: cached", flush=True)
            continue
        lock = CACHE / f".{mid}.lock"
        if not take_lock(lock):
            print(f"{mid}: being built by another zoo.py (pid in {lock.name})", flush=True)
            continue
        try:
            m = build_one(mid, version, out)
            c = m["conditioning"]
            print(f"{mid}: built ({m['params']} params, {m['build_seconds']} s; output max "
                  f"{c['output_absmax']:.3g}, a 1e-6 input change moves it by {c['input_1e-6_output_delta']:.2g}"
                  f"{', PAST THE BOUND: ill-conditioned' if c['input_1e-6_bound_excess'] > 0 else ''})", flush=True)
        except Exception as e:  # one model failing never stops the others (a cached one stays as it was)
            failed += 1
            shutil.rmtree(out.parent / ".building" / out.name, ignore_errors=True)
            print(f"{mid}: FAILED to build: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}",
                  flush=True)
            traceback.print_exc(limit=3)
        lock.unlink(missing_ok=True)
        import gc

        C.keras_module().backend.clear_session()
        gc.collect()
    return 1 if failed else 0


def run_worker(version: str, args_list) -> int:
    env = dict(os.environ)
    if version == "k2":
        env["TF_USE_LEGACY_KERAS"] = "1"
    else:
        env.pop("TF_USE_LEGACY_KERAS", None)
    p = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--worker", version] + args_list, env=env,
                         stderr=subprocess.PIPE, text=True)
    for line in p.stderr:
        if not any(n in line for n in NOISE):
            sys.stderr.write(line)
    return p.wait()


def make_fixtures() -> int:
    """The small committed real-world fixtures (Fixtures/models/realworld/<name>_<k2|k3>/), in the layout of every
    other fixture (tools/fixtures_common.emit), from the same builders at tiny sizes."""
    rc = 0
    for v in VERSIONS:
        rc |= run_worker(v, ["--fixtures"])
    return rc


def fixtures_worker(version: str) -> int:
    C.configure_environment()
    if version == "k2":
        os.environ["TF_USE_LEGACY_KERAS"] = "1"
    C.quiet_tensorflow()
    import numpy as np
    import zoo_models as Z

    keras = C.keras_module()
    for base, (builder, _, tiny, description) in Z.CUSTOM.items():
        if tiny is None or version not in Z.ONLY_IN.get(base, VERSIONS):
            continue
        name = f"realworld/{base}_{version}"
        rng = np.random.default_rng(C.seed_for(name))
        keras.utils.set_random_seed(C.seed_for(name))
        model = builder(**tiny)
        inputs = Z.custom_inputs(base, model, rng, 0)
        Z.randomize(model, rng, Z.custom_inputs(base, model, rng, 0))
        covers = sorted(Z.class_counts(model))
        formats = ["keras2_h5"] if version == "k2" else ["keras"]
        C.emit(name, model, inputs, description=f"tiny {description} ({tiny})", covers=covers, formats=formats,
               notes=["made by tools/zoo.py --fixtures (tools/zoo_models.py builders at tiny sizes)"])
        print(f"{name}: written", flush=True)
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", help="comma-separated ids or names")
    ap.add_argument("--quick", action="store_true", help="the quick subset: " + ", ".join(QUICK))
    ap.add_argument("--list", action="store_true", help="print the ids and exit")
    ap.add_argument("--force", action="store_true", help="rebuild models already cached")
    ap.add_argument("--versions", default="k2,k3", help="k2, k3 or both (default)")
    ap.add_argument("--fixtures", action="store_true", help="write Fixtures/models/realworld/* instead")
    ap.add_argument("--worker", choices=VERSIONS, help=argparse.SUPPRESS)
    a = ap.parse_args()
    only = a.only.split(",") if a.only else (QUICK if a.quick else None)
    if a.worker:
        if a.fixtures:
            return fixtures_worker(a.worker)
        return worker(a.worker, only, a.force, a.list)
    if a.fixtures:
        return make_fixtures()
    rc = 0
    for v in [v for v in a.versions.split(",") if v in VERSIONS]:
        if only and not any(o.strip().lower().endswith("_" + v) or not o.strip().lower().endswith(("_k2", "_k3"))
                            for o in only):
            continue
        if only and not a.force and not a.list:
            ids = [o.strip().lower() for o in only]
            if all(i.endswith(("_k2", "_k3")) for i in ids) and \
                    all((CACHE / i / "manifest.json").exists() for i in ids if i.endswith("_" + v)):
                continue  # every requested model of this version is cached: no need to start its Keras
        extra = (["--only", ",".join(only)] if only else []) + (["--force"] if a.force else []) + \
                (["--list"] if a.list else [])
        rc |= run_worker(v, extra)
    return rc


if __name__ == "__main__":
    sys.exit(main())
