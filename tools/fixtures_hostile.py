"""Crafts the hostile model files of issue 17 into Fixtures/hostile/, as an attacker would, with h5py and zipfile.

Run with the pinned venv:  tools/.venv/bin/python tools/fixtures_hostile.py [--no-lambda]

Every file starts from one of our own fixtures (Fixtures/models/example/model.h5, a tf_keras 2.21 legacy .h5, and
Fixtures/models/prelu_k3/model.keras, a Keras 3.15.1 archive) and changes one thing:

  external_storage.h5            weight `logits/kernel:0` stored "externally" in ../secrets/marker.bin
                                 (h5py create_dataset(external=...), libhdf5 H5Pset_external)
  external_storage_unread.h5     the same trick on a dataset under /optimizer_weights, a group the reader skips
  external_storage.keras         the archive's model.weights.h5 with `layers/dense/vars/0` stored externally
  virtual_dataset.h5             `logits/kernel:0` a virtual dataset mapping ../secrets/source.h5:/secret
  external_link.h5               `logits/kernel:0` an external link to ../secrets/source.h5:/secret
  external_link_group.h5         /optimizer_weights an external link to ../secrets/source.h5:/
  unknown_filter.h5              `logits/kernel:0` chunked with filter id 32123 (registered nowhere)
  symlink.keras                  `config.json` a symlink member pointing at ../secrets/marker.bin
  traversal.keras                an extra member `../../keras-port-escape.json`
  absolute.keras                 an extra member `/tmp/keras-port-absolute.json`
  bomb.keras                     model.weights.h5 followed by 64 MiB of zeros (deflated: ~64 KB)
  many_members.keras             4,097 members (the limit is 4,096), all central-directory entries of one file
  lambda_k2.h5                   a tf_keras model with a Lambda layer (marshalled Python bytecode in its config)
  lambda_k3.keras                a Keras 3 model with a Lambda layer (the same, Keras 3's `__lambda__` form)

plus secrets/marker.bin (4 KiB of the marker string) and secrets/source.h5 (a dataset /secret holding the marker's
bytes), which the tests copy next to a work folder: relative names resolve against the working directory
(external storage) or the referring file's folder (virtual datasets, external links), so a test that runs
`keras-port` in <tmp>/work with the secrets in <tmp>/secrets reproduces the attack on any machine.

The script checks each attack is real: with h5py (its own libhdf5), reading the crafted weight from the work layout
returns the marker bytes, so a reader without the refusals would copy the secret out. Nearly deterministic (fixed
zip timestamps, no random data): a run rewrites the same bytes except 2 bytes of virtual_dataset.h5 and the Lambda
models' save dates. About 680 KB in all (many_members.keras is the largest, 266 KB).
"""
from __future__ import annotations

import argparse
import io
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib
from pathlib import Path

import h5py
import numpy as np

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "Fixtures" / "hostile"
EXAMPLE_H5 = REPO / "Fixtures" / "models" / "example" / "model.h5"
BASE_KERAS = REPO / "Fixtures" / "models" / "prelu_k3" / "model.keras"

MARKER = b"KERASPORT-SECRET"  # 16 bytes; the tests look for it in every output file
KERNEL = "model_weights/logits/logits/kernel:0"  # (36, 3) float32 = 432 bytes
KERAS_VAR = "layers/dense/vars/0"  # (4, 5) float32 = 80 bytes
MEMBER_LIMIT = 4096  # KerasArchiveReader.memberLimit
ZIP_TIME = (2020, 1, 1, 0, 0, 0)


def marker_bytes(n: int) -> bytes:
    return (MARKER * (n // len(MARKER) + 1))[:n]


def replace_h5(name: str, edit) -> Path:
    dst = OUT / name
    shutil.copyfile(EXAMPLE_H5, dst)
    with h5py.File(dst, "r+") as f:
        edit(f)
    return dst


def kernel_spec(f) -> tuple[tuple[int, ...], np.dtype]:
    d = f[KERNEL]
    return d.shape, d.dtype


def make_external_storage(f, path: str = KERNEL) -> None:
    shape, dtype = kernel_spec(f) if KERNEL in f else ((36, 3), np.dtype("float32"))
    if path in f:
        del f[path]
    size = int(np.prod(shape)) * dtype.itemsize
    f.create_dataset(path, shape=shape, dtype=dtype, external=[("../secrets/marker.bin", 0, size)])


def make_virtual(f) -> None:
    shape, dtype = kernel_spec(f)
    del f[KERNEL]
    layout = h5py.VirtualLayout(shape=shape, dtype=dtype)
    layout[...] = h5py.VirtualSource("../secrets/source.h5", "secret", shape=shape, dtype=dtype)
    f.create_virtual_dataset(KERNEL, layout)


def make_external_link(f) -> None:
    del f[KERNEL]
    f[KERNEL] = h5py.ExternalLink("../secrets/source.h5", "/secret")


def make_unknown_filter(f) -> None:
    shape, dtype = kernel_spec(f)
    values = f[KERNEL][...]
    del f[KERNEL]
    d = f.create_dataset(KERNEL, shape=shape, dtype=dtype, chunks=shape, compression=32123, allow_unknown_filter=True)
    d.id.write_direct_chunk((0, 0), values.tobytes(), filter_mask=0)


def keras_members(base: Path) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(base) as z:
        return [(i, z.read(i.filename)) for i in z.infolist()]


def write_zip(path: Path, members: list[tuple[zipfile.ZipInfo | str, bytes]]) -> None:
    with zipfile.ZipFile(path, "w") as z:
        for info, data in members:
            if isinstance(info, str):
                info = zipfile.ZipInfo(info, ZIP_TIME)
            else:
                info = zipfile.ZipInfo(info.filename, ZIP_TIME) if not info.external_attr >> 28 == 0o12 else info
            z.writestr(info, data)


def plain(members) -> list[tuple[str, bytes]]:
    return [(i.filename, d) for i, d in members]


def external_storage_keras(path: Path) -> None:
    members = plain(keras_members(BASE_KERAS))
    out = []
    for name, data in members:
        if name == "model.weights.h5":
            with tempfile.TemporaryDirectory() as tmp:
                p = Path(tmp) / "w.h5"
                p.write_bytes(data)
                with h5py.File(p, "r+") as f:
                    d = f[KERAS_VAR]
                    shape, dtype = d.shape, d.dtype
                    del f[KERAS_VAR]
                    f.create_dataset(KERAS_VAR, shape=shape, dtype=dtype,
                                     external=[("../secrets/marker.bin", 0, int(np.prod(shape)) * dtype.itemsize)])
                data = p.read_bytes()
        out.append((name, data))
    write_zip(path, out)


def symlink_keras(path: Path) -> None:
    out: list = []
    for name, data in plain(keras_members(BASE_KERAS)):
        if name == "config.json":
            info = zipfile.ZipInfo("config.json", ZIP_TIME)
            info.create_system = 3  # Unix
            info.external_attr = (0o120777 << 16)  # S_IFLNK
            out.append((info, b"../secrets/marker.bin"))
        else:
            out.append((name, data))
    with zipfile.ZipFile(path, "w") as z:
        for info, data in out:
            z.writestr(info if isinstance(info, zipfile.ZipInfo) else zipfile.ZipInfo(info, ZIP_TIME), data)


def extra_member_keras(path: Path, member: str) -> None:
    members = plain(keras_members(BASE_KERAS))
    members.insert(0, (member, b'{"escaped": true}\n'))
    write_zip(path, members)


def bomb_keras(path: Path) -> None:
    """model.weights.h5 = the real weights file + 64 MiB of zeros, deflated: it declares 64 MiB from ~64 KB."""
    out = []
    for name, data in plain(keras_members(BASE_KERAS)):
        out.append((name, data + bytes(64 << 20) if name == "model.weights.h5" else data))
    with zipfile.ZipFile(path, "w") as z:
        for name, data in out:
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)


def many_members_keras(path: Path) -> None:
    """The real archive's members, then central-directory entries up to MEMBER_LIMIT + 1 that all name one small
    stored file (`assets/x`): every entry is valid, the archive stays ~200 KB."""
    base = plain(keras_members(BASE_KERAS))
    body = bytearray()
    central = bytearray()

    def add(name: bytes, data: bytes, offset: int | None = None) -> None:
        nonlocal body, central
        crc = zlib.crc32(data)
        if offset is None:
            offset = len(body)
            body += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 0, 0, 0x21, crc, len(data), len(data), len(name), 0)
            body += name + data
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 0x031E, 20, 0, 0, 0, 0x21, crc, len(data), len(data),
                               len(name), 0, 0, 0, 0, 0o100644 << 16, offset) + name

    for name, data in base:
        add(name.encode(), data)
    shared = len(body)
    add(b"assets/x", b"x")
    for _ in range(MEMBER_LIMIT + 1 - len(base) - 1):
        add(b"assets/x", b"x", shared)
    count = MEMBER_LIMIT + 1
    out = body + central + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(central), len(body), 0)
    path.write_bytes(bytes(out))


LAMBDA_SCRIPT = r"""
import os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"; os.environ["CUDA_VISIBLE_DEVICES"] = ""
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"; os.environ.setdefault("KERAS_BACKEND", "tensorflow")
legacy = os.environ.get("TF_USE_LEGACY_KERAS") == "1"
if legacy:
    import tf_keras as keras
else:
    import keras
import numpy as np
out = sys.argv[1]
inp = keras.Input(shape=(4,), name="x")
h = keras.layers.Dense(3, name="dense")(inp)
h = keras.layers.Lambda(lambda t: t * 2.0 + 1.0, name="doubler")(h)
y = keras.layers.LeakyReLU(name="lrelu")(h)
model = keras.Model(inp, y, name="lambda_model")
w = model.get_layer("dense").get_weights()
model.get_layer("dense").set_weights([np.arange(12, dtype="float32").reshape(4, 3) / 10, np.zeros(3, "float32")])
model.save(out)
"""


def make_lambda(path: Path, legacy: bool) -> None:
    env = dict(os.environ)
    env["TF_USE_LEGACY_KERAS"] = "1" if legacy else "0"
    subprocess.run([sys.executable, "-c", LAMBDA_SCRIPT, str(path)], check=True, env=env)


def verify_attacks() -> None:
    """With h5py, the crafted weights really read the marker when followed from a work folder."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copytree(OUT / "secrets", root / "secrets")
        work = root / "work"
        work.mkdir()
        cwd = os.getcwd()
        os.chdir(work)
        try:
            for name in ["external_storage.h5", "virtual_dataset.h5", "external_link.h5"]:
                shutil.copyfile(OUT / name, work / name)
                with h5py.File(work / name, "r") as f:
                    got = f[KERNEL][...].tobytes()
                assert MARKER in got, f"{name}: the crafted weight does not read the marker ({got[:32]!r})"
            with h5py.File(work / "external_link.h5", "r") as f:
                pass
        finally:
            os.chdir(cwd)
    print("verified: external storage, virtual dataset and external link read the marker through h5py")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--no-lambda", action="store_true", help="skip the two Lambda models (they need TensorFlow)")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    secrets = OUT / "secrets"
    secrets.mkdir(exist_ok=True)
    (secrets / "marker.bin").write_bytes(marker_bytes(4096))
    with h5py.File(secrets / "source.h5", "w") as f:
        f.create_dataset("secret", data=np.frombuffer(marker_bytes(432), dtype="<f4").reshape(36, 3))

    replace_h5("external_storage.h5", make_external_storage)
    replace_h5("external_storage_unread.h5", lambda f: make_external_storage(f, "optimizer_weights/training/dense/kernel"))
    replace_h5("virtual_dataset.h5", make_virtual)
    replace_h5("external_link.h5", make_external_link)
    replace_h5("external_link_group.h5", lambda f: f.__setitem__("optimizer_weights", h5py.ExternalLink("../secrets/source.h5", "/")))
    replace_h5("unknown_filter.h5", make_unknown_filter)
    external_storage_keras(OUT / "external_storage.keras")
    symlink_keras(OUT / "symlink.keras")
    extra_member_keras(OUT / "traversal.keras", "../../keras-port-escape.json")
    extra_member_keras(OUT / "absolute.keras", "/tmp/keras-port-absolute.json")
    bomb_keras(OUT / "bomb.keras")
    many_members_keras(OUT / "many_members.keras")
    if not args.no_lambda:
        make_lambda(OUT / "lambda_k2.h5", legacy=True)
        make_lambda(OUT / "lambda_k3.keras", legacy=False)
    verify_attacks()
    total = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    print(f"wrote {len(list(OUT.rglob('*')))} files to {OUT} ({total // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
