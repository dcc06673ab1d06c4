#!/usr/bin/env python3
"""Mutation fuzzer for the keras-port CLI (Python standard library only).

Every fixture model file (legacy .h5, weights-only .h5 + JSON, Keras 3 .weights.h5, .keras archives, sharded
.weights.json, architecture JSON) and the .npy inputs are mutated -- bit flips, truncation, zeroed and shuffled
blocks, HDF5-metadata-targeted edits, structured JSON mutations (wrong types, missing keys, bad dimensions, cycles,
dangling references, unknown layers, NaN alphas, shared_axes out of range), corrupted / missing / traversal-named
zip members, symbolic-link members, too many members and zip bombs, corrupted .npy headers, and the crafted files of
Fixtures/hostile (tools/fixtures_hostile.py: external raw storage, virtual datasets, external links, an unknown
filter, Lambda bytecode) with their targets and filter ids rewritten -- and `keras-port inspect|predict|convert|edit` runs on each in a
subprocess with a CPU, address-space and wall-time limit.

Each run is classified:
  success      exit 0
  clean error  exit != 0, by a signal-free exit, with an `Error:` line naming one of the files involved
  unclear      exit != 0 without a signal, but the message is not one line naming a file (reported, not failed)
  crash        killed by a signal (other than the CPU/wall limit), e.g. a Swift trap or a segfault
  hang         over the wall time or CPU limit
  memory       an allocation failure under the address-space limit, or a peak RSS above --rss-mb
  damaged      the input files changed, a failed write left files behind in the output folder, or a file the run
               wrote (or its output) holds the secret marker of Fixtures/hostile/secrets (data from outside the model)
crash, hang, memory and damaged count as failures: the last line is `N passed, M failed`, exit 1 if M > 0.

Every case is a pure function of its case seed (derived from --seed and the run index) and the fixture set, so
`--replay SEED` rebuilds and re-runs one case and keeps its files. Crashes inside libhdf5 are told apart from
crashes in our code by the Swift runtime's backtrace.

    tools/fuzz.py --short                      # ~300 runs, the README test command's quick check
    tools/fuzz.py --runs 20000 --seed 1        # the full run (counts per file kind)
    tools/fuzz.py --replay 1234567890          # rebuild one case, run it verbosely, keep its files
    tools/fuzz.py --kinds npy,keras --runs 500 # only some file kinds
"""

from __future__ import annotations

import argparse
import concurrent.futures
import copy
import hashlib
import io
import json
import os
import random
import re
import resource
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KINDS = ["h5", "legacy-weights", "weights-h5", "keras", "sharded", "json", "npy", "write", "hostile"]

# Fixtures/hostile (tools/fixtures_hostile.py): crafted files whose data points at ../secrets/*, and the base fixture
# each was made from (for inputs and layer names).
MARKER = b"KERASPORT-SECRET"
HOSTILE_BASE = {".h5": "example", ".keras": "prelu_k3"}
HOSTILE_TARGETS = [b"../secrets/marker.bin", b"../secrets/source.h5"]
HOSTILE_REPLACEMENTS = [b"/proc/self/environ", b"/etc/passwd", b"../secrets/marker.bin", b"../secrets/source.h5",
                        b"secrets/marker.bin", b"/dev/zero", b"/dev/urandom", b"..", b"/", b"", b"../secrets/",
                        b"../../../../etc/shadow"]
FILTER_IDS = [32123, 1, 2, 3, 4, 5, 6, 32000, 32001, 307, 32004, 32008, 0, 0xFFFF, 256, 511]

# ----------------------------------------------------------------------------------------------------------------
# Corpus
# ----------------------------------------------------------------------------------------------------------------


@dataclass
class Entry:
    """One fuzzable model file of a fixture, with what is needed to run it."""

    kind: str
    fixture: str
    folder: Path
    file: str  # model / weights / index file name in folder
    config: str | None = None  # architecture JSON file name
    shards: list[str] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)  # input .npy file names
    outputs: int = 1
    leaky: list[str] = field(default_factory=list)  # LeakyReLU layer names (top level)
    prelu: list[str] = field(default_factory=list)  # PReLU layer names (top level)
    layers: list[str] = field(default_factory=list)


FORMAT_KIND = {
    "keras2_h5": "h5",
    "keras3_h5": "h5",
    "keras2_weights_legacy_h5": "legacy-weights",
    "keras1_weights_h5": "legacy-weights",
    "keras2_weights_h5": "weights-h5",
    "keras3_weights_h5": "weights-h5",
    "keras": "keras",
    "keras3_sharded": "sharded",
}


def load_corpus(fixtures: Path) -> dict[str, list[Entry]]:
    corpus: dict[str, list[Entry]] = {k: [] for k in KINDS}
    models = fixtures / "models"
    for folder in sorted(p for p in models.iterdir() if p.is_dir()):
        mpath = folder / "manifest.json"
        if not mpath.exists():
            continue
        m = json.loads(mpath.read_text())
        inputs = [i.get("file") for i in m.get("inputs", []) if i.get("file")]
        if not all((folder / i).exists() for i in inputs):
            inputs = []
        layers = m.get("layers", [])
        top = [l for l in layers if "/" not in l.get("name", "/")]
        common = dict(
            inputs=inputs,
            outputs=max(1, len(m.get("outputs", []))),
            leaky=[l["name"] for l in top if l.get("class_name") == "LeakyReLU"],
            prelu=[l["name"] for l in top if l.get("class_name") == "PReLU"],
            layers=[l["name"] for l in top],
        )
        for f in m.get("files", []):
            kind = FORMAT_KIND.get(f.get("format", ""))
            name = f.get("file")
            if not kind or not name or not (folder / name).exists():
                continue
            config = f.get("config")
            if config and not (folder / config).exists():
                continue
            if kind in ("legacy-weights", "weights-h5", "sharded") and not config:
                continue
            shards = [s for s in f.get("shards", [])]
            if kind == "sharded" and not all((folder / s).exists() for s in shards):
                continue
            e = Entry(kind=kind, fixture=folder.name, folder=folder, file=name, config=config, shards=shards, **common)
            corpus[kind].append(e)
            corpus["write"].append(Entry(kind="write", fixture=folder.name, folder=folder, file=name, config=config,
                                         shards=shards, **common))
            if config:
                # The architecture JSON, mutated, with the (intact) weights file it goes with.
                corpus["json"].append(Entry(kind="json", fixture=folder.name, folder=folder, file=name, config=config,
                                            shards=shards, **common))
        # A full-model .h5 with a separate architecture JSON overriding its own (exercises --config on full models).
        for f in m.get("files", []):
            if FORMAT_KIND.get(f.get("format", "")) == "h5" and (folder / "model.json").exists():
                corpus["json"].append(Entry(kind="json", fixture=folder.name, folder=folder, file=f["file"],
                                            config="model.json", **common))
                break
        # (Fixtures/hostile is loaded by load_hostile.)
        # .npy inputs: mutated, given to `predict` with a model that reads on its own.
        if inputs:
            for f in m.get("files", []):
                kind = FORMAT_KIND.get(f.get("format", ""))
                if kind in ("h5", "keras") and (folder / f["file"]).exists():
                    corpus["npy"].append(Entry(kind="npy", fixture=folder.name, folder=folder, file=f["file"], **common))
                    break
    load_hostile(fixtures, corpus)
    return corpus


def load_hostile(fixtures: Path, corpus: dict[str, list[Entry]]) -> None:
    hostile = fixtures / "hostile"
    if not hostile.is_dir():
        return
    for p in sorted(hostile.iterdir()):
        base = HOSTILE_BASE.get(p.suffix)
        if not p.is_file() or base is None:
            continue
        bm = fixtures / "models" / base / "manifest.json"
        m = json.loads(bm.read_text()) if bm.exists() else {}
        top = [l for l in m.get("layers", []) if "/" not in l.get("name", "/")]
        lam = p.name.startswith("lambda")
        corpus["hostile"].append(Entry(
            kind="hostile", fixture=p.name, folder=hostile, file=p.name,
            inputs=[] if lam else [i.get("file") for i in m.get("inputs", []) if i.get("file")],
            outputs=max(1, len(m.get("outputs", []))),
            leaky=["lrelu"] if lam else [l["name"] for l in top if l.get("class_name") == "LeakyReLU"],
            prelu=[] if lam else [l["name"] for l in top if l.get("class_name") == "PReLU"],
            layers=["lrelu"] if lam else [l["name"] for l in top]))


def mutate_hostile(data: bytes, name: str, rng: random.Random, ops: list[str], h5_head: bytes) -> bytes:
    """A crafted file of Fixtures/hostile, with its targets or filter id rewritten, or its bytes mutated."""
    r = rng.random()
    if r < 0.2:
        ops.append("as-crafted")
        return data
    if r < 0.5:
        def retarget(b: bytes) -> bytes:
            for t in HOSTILE_TARGETS:
                if t in b:
                    new = rng.choice(HOSTILE_REPLACEMENTS)[:len(t)]
                    b = b.replace(t, new + b"\0" * (len(t) - len(new)))
                    ops.append(f"target:{new.decode(errors='replace')}")
            return b
        if not name.endswith(".keras"):
            return retarget(data)
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:  # rewrite inside the members, with correct CRCs
                members = [zmember(i.filename, retarget(z.read(i.filename)), deflate=rng.random() < 0.3) for i in z.infolist()]
        except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError):
            return mutate_keras(data, rng, ops, h5_head)
        if not any(o.startswith("target:") for o in ops):
            return mutate_keras(data, rng, ops, h5_head)
        return build_zip(members)
    if r < 0.6 and struct.pack("<H", 32123) in data:
        fid = rng.choice(FILTER_IDS)
        ops.append(f"filter:{fid}")
        return data.replace(struct.pack("<H", 32123), struct.pack("<H", fid))
    if name.endswith(".keras"):
        return mutate_keras(data, rng, ops, h5_head)
    hot = interesting_offsets(data, HOSTILE_TARGETS + [b"HEAP", b"GCOL", b"OHDR", b"TREE"])
    return ByteMutator(rng, hot or None).mutate(data, ops)


# ----------------------------------------------------------------------------------------------------------------
# Byte mutations
# ----------------------------------------------------------------------------------------------------------------

INTERESTING_BYTES = [0x00, 0xFF, 0x7F, 0x80, 0x01, 0xFE, 0x20, 0x41]
INTERESTING_INTS = [0, 1, 2, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000,
                    0xFFFFFFFF, 0x100000000, 0x7FFFFFFFFFFFFFFF, 0x8000000000000000, 0xFFFFFFFFFFFFFFFF,
                    10**12, 4096, 65535, 1 << 40]

HDF5_SIGNATURES = [b"\x89HDF\r\n\x1a\n", b"OHDR", b"OCHK", b"TREE", b"HEAP", b"SNOD", b"BTHD", b"BTIN", b"BTLF",
                   b"FRHP", b"FHDB", b"FHIB", b"FSHD", b"FSSE", b"GCOL", b"FARRAY", b"EAHD", b"EADB"]
HDF5_WORDS = [b"layer_names", b"weight_names", b"model_config", b"keras_version", b"backend", b"training_config",
              b"model_weights", b"vars", b"layers", b"kernel", b"bias", b"alpha", b"name", b"top_level_model_weights"]


def interesting_offsets(data: bytes, words: list[bytes]) -> list[int]:
    out: list[int] = []
    for w in words:
        start = 0
        while len(out) < 4000:
            i = data.find(w, start)
            if i < 0:
                break
            out.append(i)
            start = i + 1
    return out


class ByteMutator:
    """Stacked byte-level mutations, biased toward `hot` offsets (HDF5 metadata, zip headers, …)."""

    def __init__(self, rng: random.Random, hot: list[int] | None = None):
        self.rng = rng
        self.hot = hot or []

    def offset(self, n: int) -> int:
        if n <= 0:
            return 0
        r = self.rng.random()
        if self.hot and r < 0.55:
            base = self.rng.choice(self.hot)
            return max(0, min(n - 1, base + self.rng.randint(-64, 256)))
        if r < 0.75:
            return self.rng.randrange(min(n, 4096))
        return self.rng.randrange(n)

    def mutate(self, data: bytes, ops: list[str], count: int | None = None) -> bytes:
        b = bytearray(data)
        for _ in range(count or self.rng.choice([1, 1, 1, 2, 2, 3, 4, 8])):
            op = self.rng.choice(["bitflip", "bitflip", "byteset", "intset", "truncate", "zero", "shuffle", "swap",
                                  "insert", "delete", "dup"])
            b = self.apply(op, b, ops)
            if not b:
                break
        return bytes(b)

    def apply(self, op: str, b: bytearray, ops: list[str]) -> bytearray:
        rng = self.rng
        n = len(b)
        if n == 0:
            return b
        if op == "bitflip":
            k = rng.choice([1, 1, 2, 4, 8])
            offs = [self.offset(n) for _ in range(k)]
            for o in offs:
                b[o] ^= 1 << rng.randrange(8)
            ops.append(f"bitflip@{offs[0]}x{k}")
        elif op == "byteset":
            o = self.offset(n)
            v = rng.choice(INTERESTING_BYTES + [rng.randrange(256)])
            b[o] = v
            ops.append(f"byteset@{o}={v:#x}")
        elif op == "intset":
            size = rng.choice([1, 2, 4, 8])
            o = self.offset(n)
            v = rng.choice(INTERESTING_INTS) & ((1 << (8 * size)) - 1)
            if rng.random() < 0.3:
                v = (int.from_bytes(b[o:o + size].ljust(size, b"\0"), "little") + rng.choice([-1, 1, -8, 8, 1 << 12])) & ((1 << (8 * size)) - 1)
            b[o:o + size] = v.to_bytes(size, "little")
            del b[n:]
            ops.append(f"int{size * 8}@{o}={v:#x}")
        elif op == "truncate":
            r = rng.random()
            o = rng.randrange(min(n, 2048)) if r < 0.4 else (n - rng.randrange(1, min(n, 4096) + 1) if r < 0.6 else rng.randrange(n))
            del b[o:]
            ops.append(f"truncate@{o}")
        elif op == "zero":
            o = self.offset(n)
            ln = rng.choice([1, 4, 8, 16, 64, 256, 1024, 4096])
            b[o:o + ln] = bytes(len(b[o:o + ln]))
            ops.append(f"zero@{o}+{ln}")
        elif op == "shuffle":
            o = self.offset(n)
            ln = rng.choice([2, 4, 8, 16, 64])
            chunk = list(b[o:o + ln])
            rng.shuffle(chunk)
            b[o:o + len(chunk)] = bytes(chunk)
            ops.append(f"shuffle@{o}+{ln}")
        elif op == "swap":
            ln = rng.choice([4, 8, 16, 64, 512])
            if n > 2 * ln:
                o1, o2 = self.offset(n - ln), self.offset(n - ln)
                c1, c2 = bytes(b[o1:o1 + ln]), bytes(b[o2:o2 + ln])
                b[o1:o1 + ln] = c2
                b[o2:o2 + ln] = c1
                ops.append(f"swap@{o1},{o2}+{ln}")
        elif op == "insert":
            o = self.offset(n)
            ln = rng.choice([1, 2, 8, 64, 512])
            b[o:o] = bytes(rng.randrange(256) for _ in range(ln)) if rng.random() < 0.5 else bytes(ln)
            ops.append(f"insert@{o}+{ln}")
        elif op == "delete":
            o = self.offset(n)
            ln = rng.choice([1, 2, 8, 64, 512])
            del b[o:o + ln]
            ops.append(f"delete@{o}+{ln}")
        elif op == "dup":
            o = self.offset(n)
            ln = rng.choice([8, 64, 512, 4096])
            chunk = bytes(b[o:o + ln])
            d = self.offset(n)
            b[d:d] = chunk
            ops.append(f"dup@{o}+{ln}->{d}")
        return b


# ----------------------------------------------------------------------------------------------------------------
# Structured JSON mutations (Keras model configs)
# ----------------------------------------------------------------------------------------------------------------

HOSTILE_VALUES = [None, True, False, 0, -1, 1, 2, 3, 2**31, 2**63, -(2**63), 10**12, -(10**12), 10**18, 1e308,
                  float("nan"), float("inf"), float("-inf"), 0.5, -0.0, 1e-45, "", "x", "LeakyReLU", "PReLU", "Dense",
                  "../../../etc/passwd", "\u0000", "\ud800", "é" * 3, [], {}, [None], [-1], [0], [1, 2, 3],
                  {"class_name": "X", "config": {}}, {"class_name": None}, [[["x", 0, 0, {}]]]]
SHAPE_KEYS = {"batch_input_shape", "batch_shape", "input_shape", "target_shape", "build_input_shape", "kernel_size",
              "strides", "pool_size", "size", "dilation_rate", "cropping", "padding", "dims", "n", "axis", "axes",
              "units", "filters", "output_dim", "input_dim", "nb_filter", "nb_row", "nb_col", "depth_multiplier",
              "groups", "subsample", "pool_length", "filter_length", "length", "input_length", "shape", "keepdims"}
ALPHA_KEYS = {"alpha", "negative_slope", "max_value", "threshold", "theta", "epsilon", "momentum", "rate", "stddev"}
CLASS_NAMES = ["Dense", "LeakyReLU", "PReLU", "Conv2D", "Conv1D", "InputLayer", "Reshape", "Flatten", "Add",
               "Concatenate", "BatchNormalization", "Sequential", "Functional", "Model", "Lambda", "FooBarLayer",
               "Embedding", "DepthwiseConv2D", "SeparableConv2D", "Conv2DTranspose", "MaxPooling2D", "Permute",
               "RepeatVector", "Dot", "UpSampling2D", "ZeroPadding2D", "Cropping2D", "Softmax", "ELU", "ReLU", ""]


def walk(v, path=()):
    yield path, v
    if isinstance(v, dict):
        for k, c in v.items():
            yield from walk(c, path + (k,))
    elif isinstance(v, list):
        for i, c in enumerate(v):
            yield from walk(c, path + (i,))


def get_at(root, path):
    for p in path:
        root = root[p]
    return root


def set_at(root, path, value):
    if not path:
        return value
    parent = get_at(root, path[:-1])
    parent[path[-1]] = value
    return root


def is_ref(v) -> bool:
    return (isinstance(v, list) and len(v) in (3, 4) and isinstance(v[0], str) and isinstance(v[1], int)
            and isinstance(v[2], int))


class JSONMutator:
    def __init__(self, rng: random.Random):
        self.rng = rng

    def hostile(self):
        v = self.rng.choice(HOSTILE_VALUES)
        return copy.deepcopy(v)

    def layer_lists(self, root):
        return [(p, v) for p, v in walk(root) if p and p[-1] == "layers" and isinstance(v, list)]

    def layer_names(self, root):
        names = []
        for p, v in walk(root):
            if isinstance(v, dict) and "class_name" in v and isinstance(v.get("config"), dict):
                n = v.get("name") or v["config"].get("name")
                if isinstance(n, str):
                    names.append(n)
        return names or ["x"]

    def mutate(self, root, ops: list[str], count: int | None = None):
        for _ in range(count or self.rng.choice([1, 1, 1, 2, 2, 3])):
            op = self.rng.choice(["value", "value", "delete", "type", "number", "drop_layer", "dup_layer",
                                  "swap_layers", "rename_layer", "ref", "ref", "class", "shared_axes", "alpha",
                                  "dims", "dims", "deep", "nest_model", "io_refs", "huge_list", "many_layers"])
            try:
                root = self.apply(op, root, ops)
            except (KeyError, IndexError, TypeError, ValueError, RecursionError):
                ops.append(f"{op}:skipped")
            if op in ("deep", "nest_model", "huge_list", "many_layers"):
                break  # big results: walking them again would only cost time
        return root

    def pick(self, root, pred):
        cands = [(p, v) for p, v in walk(root) if pred(p, v)]
        return self.rng.choice(cands) if cands else (None, None)

    def apply(self, op: str, root, ops: list[str]):
        rng = self.rng
        if op == "value":
            p, _ = self.pick(root, lambda p, v: bool(p))
            if p is None:
                return root
            nv = self.hostile()
            ops.append(f"value{list(p)[-3:]}={str(nv)[:30]}")
            return set_at(root, p, nv)
        if op == "delete":
            p, v = self.pick(root, lambda p, v: isinstance(v, dict) and v)
            if p is None:
                return root
            k = rng.choice(list(v.keys()))
            del v[k]
            ops.append(f"delete{list(p)[-2:]}.{k}")
            return root
        if op == "type":
            p, v = self.pick(root, lambda p, v: bool(p))
            if p is None:
                return root
            if isinstance(v, dict):
                nv = list(v.values())
            elif isinstance(v, list):
                nv = {str(i): x for i, x in enumerate(v)}
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                nv = str(v)
            elif isinstance(v, str):
                nv = [v] if rng.random() < 0.5 else len(v)
            else:
                nv = {"value": v}
            ops.append(f"type{list(p)[-2:]}")
            return set_at(root, p, nv)
        if op == "number":
            p, v = self.pick(root, lambda p, v: isinstance(v, (int, float)) and not isinstance(v, bool))
            if p is None:
                return root
            nv = rng.choice([-v, v + 1, v - 1, v * 1000, 0, -1, 2**40, 10**12, float("nan"), float("inf"), v + 0.5])
            ops.append(f"number{list(p)[-2:]}={nv}")
            return set_at(root, p, nv)
        if op in ("drop_layer", "dup_layer", "swap_layers"):
            lists = self.layer_lists(root)
            if not lists:
                return root
            p, layers = rng.choice(lists)
            if not layers:
                return root
            i = rng.randrange(len(layers))
            if op == "drop_layer":
                del layers[i]
            elif op == "dup_layer":
                layers.insert(rng.randrange(len(layers) + 1), copy.deepcopy(layers[i]))
            else:
                j = rng.randrange(len(layers))
                layers[i], layers[j] = layers[j], layers[i]
            ops.append(f"{op}#{i}")
            return root
        if op == "rename_layer":
            p, v = self.pick(root, lambda p, v: isinstance(v, dict) and "class_name" in v and isinstance(v.get("config"), dict))
            if p is None:
                return root
            new = rng.choice(["ghost", "", self.rng.choice(self.layer_names(root)), "a/b", "x" * 300])
            if "name" in v:
                v["name"] = new
            v["config"]["name"] = new
            ops.append(f"rename->{new[:20]}")
            return root
        if op == "ref":
            # Point a tensor reference (Keras 2 inbound triple or Keras 3 keras_history) somewhere else: itself
            # or a later layer (cycle), an unknown layer (dangling), a node or tensor index that does not exist.
            p, v = self.pick(root, lambda p, v: is_ref(v))
            if p is None:
                return root
            names = self.layer_names(root)
            what = rng.choice(["layer", "layer", "node", "tensor", "shape"])
            if what == "layer":
                v[0] = rng.choice(names + ["ghost"])
            elif what == "node":
                v[1] = rng.choice([1, 2, 5, -1, 10**6, 2**62])
            elif what == "tensor":
                v[2] = rng.choice([1, 3, -1, 10**6])
            else:
                v[:] = v[:2]
            ops.append(f"ref{what}->{str(v)[:40]}")
            return root
        if op == "class":
            p, v = self.pick(root, lambda p, v: isinstance(v, dict) and isinstance(v.get("class_name"), str))
            if p is None:
                return root
            v["class_name"] = rng.choice(CLASS_NAMES)
            ops.append(f"class->{v['class_name']}")
            return root
        if op == "shared_axes":
            p, v = self.pick(root, lambda p, v: isinstance(v, dict) and v.get("class_name") in ("PReLU", "LeakyReLU") and isinstance(v.get("config"), dict))
            if p is None:
                p, v = self.pick(root, lambda p, v: isinstance(v, dict) and isinstance(v.get("config"), dict) and "name" in v["config"])
                if p is None:
                    return root
            val = rng.choice([[0], [-1], [5], [1, 1], [1, 2, 3, 4, 5], 1, [], "1", [10**12], None, [-100], [2, 1], 4, [1.5]])
            v["config"]["shared_axes"] = val
            ops.append(f"shared_axes={val}")
            return root
        if op == "alpha":
            p, v = self.pick(root, lambda p, v: p and p[-1] in ALPHA_KEYS)
            if p is None:
                return root
            nv = rng.choice([float("nan"), float("inf"), float("-inf"), -1, 1e38, 1e39, -0.0, "0.3", None, [0.1]])
            ops.append(f"alpha{p[-1]}={nv}")
            return set_at(root, p, nv)
        if op == "dims":
            p, v = self.pick(root, lambda p, v: p and p[-1] in SHAPE_KEYS)
            if p is None:
                return root
            big = rng.choice([-1, 0, -5, 10**6, 10**9, 10**12, 2**62, 2**31, 65536])
            if isinstance(v, list) and v:
                v = list(v)
                v[rng.randrange(len(v))] = big
                if rng.random() < 0.2:
                    v = v + [big] * rng.randint(1, 40)
                nv = v
            else:
                nv = big if rng.random() < 0.8 else [big, big]
            ops.append(f"dims{p[-1]}={str(nv)[:40]}")
            return set_at(root, p, nv)
        if op == "deep":
            p, _ = self.pick(root, lambda p, v: bool(p))
            if p is None:
                return root
            depth = rng.choice([100, 400, 600, 5000, 100000])
            ops.append(f"deep{depth}")
            return set_at(root, p, f"__DEEP_{depth}__")
        if op == "nest_model":
            # A model used as a layer of itself, many levels deep (recursion depth of the parser and analysis).
            levels = rng.choice([2, 10, 60, 200])
            lists = self.layer_lists(root)
            if not lists or not isinstance(root, dict):
                return root
            model = copy.deepcopy(root)
            model.pop("keras_version", None)
            model.pop("backend", None)
            inner = model
            for k in range(levels):
                outer = copy.deepcopy(model)
                ol = self.layer_lists(outer)
                if not ol:
                    break
                # A shallow copy: the levels share their insides (built in linear time; JSON text is the same).
                entry = dict(inner)
                if isinstance(entry.get("config"), dict):
                    entry["config"] = dict(entry["config"])
                    entry["config"]["name"] = f"nested_{k}"
                entry["name"] = f"nested_{k}"
                ol[0][1].append(entry)
                inner = outer
            ops.append(f"nest_model{levels}")
            keep = {k: root[k] for k in ("keras_version", "backend") if k in root}
            inner.update(keep)
            return inner
        if op == "io_refs":
            p, v = self.pick(root, lambda p, v: p and p[-1] in ("input_layers", "output_layers"))
            if p is None:
                return root
            nv = rng.choice([[], [["ghost", 0, 0]], [[self.rng.choice(self.layer_names(root)), 0, 0]], "x", None,
                             [[self.rng.choice(self.layer_names(root)), 7, 0]], {"a": ["x", 0, 0]}])
            ops.append(f"{p[-1]}={str(nv)[:40]}")
            return set_at(root, p, nv)
        if op == "many_layers":
            # Thousands of uniquely named copies of one layer: parsing and analysis must stay near-linear.
            lists = self.layer_lists(root)
            if not lists:
                return root
            _, layers = rng.choice(lists)
            if not layers:
                return root
            src = layers[rng.randrange(len(layers))]
            n = rng.choice([2000, 20000])
            at = rng.randrange(len(layers) + 1)
            copies = []
            for k in range(n):
                c = dict(src)
                if isinstance(c.get("config"), dict):
                    c["config"] = dict(c["config"])
                    c["config"]["name"] = f"copy_{k}"
                if "name" in c:
                    c["name"] = f"copy_{k}"
                copies.append(c)
            layers[at:at] = copies
            ops.append(f"many_layers{n}")
            return root
        if op == "huge_list":
            p, v = self.pick(root, lambda p, v: isinstance(v, list))
            if p is None:
                return root
            n = rng.choice([1000, 100000])
            nv = v * (n // max(1, len(v))) if v and rng.random() < 0.5 else [rng.choice([1, None, 0])] * n
            ops.append(f"huge_list{list(p)[-1:]}x{n}")
            return set_at(root, p, nv)
        return root


def dump_json(v, rng: random.Random) -> bytes:
    try:
        text = json.dumps(v, allow_nan=True)
        if rng.random() < 0.2 and len(text) < 300_000 and "__DEEP_" not in text:
            text = json.dumps(v, indent=rng.choice([1, 2]))  # indentation of deep trees grows quadratically
    except (ValueError, RecursionError):
        text = "{}"
    text = re.sub(r'"__DEEP_(\d+)__"', lambda m: "[" * int(m.group(1)) + "1" + "]" * int(m.group(1)), text)
    return text.encode("utf-8", "surrogatepass")


def mutate_json_bytes(data: bytes, rng: random.Random, ops: list[str]) -> bytes:
    """A JSON file: structured mutation (80%) or byte-level damage (20%)."""
    if rng.random() < 0.8:
        try:
            root = json.loads(data)
        except (ValueError, RecursionError):
            root = None
        if root is not None:
            root = JSONMutator(rng).mutate(root, ops)
            return dump_json(root, rng)
    ops.append("json-bytes")
    hot = [m.start() for m in re.finditer(rb'["\[\]{}:,]', data)][:5000]
    return ByteMutator(rng, hot).mutate(data, ops)


def mutate_embedded_json(data: bytes, rng: random.Random, ops: list[str]) -> bytes:
    """Same-length edits of the JSON config stored inside an HDF5 file (the `model_config` attribute), so the
    HDF5 structure stays valid and the parser sees a damaged config."""
    start = data.find(b'{"class_name"')
    if start < 0:
        return ByteMutator(rng).mutate(data, ops)
    end = data.find(b"\x00", start)
    end = len(data) if end < 0 else end
    b = bytearray(data)
    text = data[start:end]
    for _ in range(rng.choice([1, 1, 2, 3])):
        choice = rng.random()
        if choice < 0.3:
            digits = [m.start() for m in re.finditer(rb"\d", text)]
            if digits:
                o = start + rng.choice(digits)
                b[o] = rng.choice(b"0123456789-.e")
                ops.append(f"cfgdigit@{o}")
                continue
        if choice < 0.55:
            words = [(m.start(), m.group()) for m in re.finditer(rb"true|false|null|NaN", text)]
            if words:
                o, w = rng.choice(words)
                repl = {4: [b"null", b"true", b"9999", b"-1e9", b"[{}]", b'"x"', b"1e99"],
                        5: [b"false", b"1e999", b"-9999", b'"xx"', b"[[[]]", b"{}   "],
                        3: [b"NaN", b"1e9", b"-1 ", b"[] "]}.get(len(w), [w])
                r = rng.choice(repl)
                b[start + o:start + o + len(w)] = r
                ops.append(f"cfgword@{start + o}={r.decode()}")
                continue
        if choice < 0.8:
            names = [m.start() for m in re.finditer(rb'"(class_name|name)": "', text)]
            if names:
                o = start + rng.choice(names) + rng.randint(10, 16)
                if o < end and chr(b[o]).isalnum():
                    b[o] = rng.choice(b"XYZqz_09")
                    ops.append(f"cfgname@{o}")
                    continue
        o = start + rng.randrange(max(1, len(text)))
        b[o] = rng.choice(b'[]{}",:0 ')
        ops.append(f"cfgpunct@{o}")
    return bytes(b)


def mutate_hdf5(data: bytes, rng: random.Random, ops: list[str]) -> bytes:
    if rng.random() < 0.2 and b'{"class_name"' in data:
        return mutate_embedded_json(data, rng, ops)
    hot = interesting_offsets(data, HDF5_SIGNATURES) + interesting_offsets(data, HDF5_WORDS) + [0]
    return ByteMutator(rng, hot).mutate(data, ops)


# ----------------------------------------------------------------------------------------------------------------
# ZIP (.keras) mutations: our own writer, so sizes, names, CRCs and methods can lie
# ----------------------------------------------------------------------------------------------------------------


@dataclass
class ZMember:
    name: bytes
    payload: bytes  # stored bytes (already compressed when method == 8)
    method: int = 0
    crc: int = 0
    usize: int = 0
    flags: int = 0
    is_dir: bool = False
    local_usize: int | None = None  # when the local header should disagree with the central directory
    zip64: bool = False
    is_symlink: bool = False


def zmember(name: str | bytes, data: bytes, deflate: bool = False) -> ZMember:
    nb = name.encode() if isinstance(name, str) else name
    if deflate:
        c = zlib.compressobj(6, zlib.DEFLATED, -15)
        payload = c.compress(data) + c.flush()
        return ZMember(nb, payload, 8, zlib.crc32(data), len(data))
    return ZMember(nb, data, 0, zlib.crc32(data), len(data))


def build_zip(members: list[ZMember]) -> bytes:
    out = bytearray()
    central = bytearray()
    for m in members:
        offset = len(out)
        csize, usize = len(m.payload), m.usize
        extra = b""
        c32, u32 = csize, usize
        if m.zip64 or usize >= 0xFFFFFFFF or csize >= 0xFFFFFFFF:
            extra = struct.pack("<HHQQ", 1, 16, usize, csize)
            c32 = u32 = 0xFFFFFFFF
        lu = m.local_usize if m.local_usize is not None else u32
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 45 if extra else 20, m.flags, m.method, 0, 0x21,
                           m.crc & 0xFFFFFFFF, c32, lu & 0xFFFFFFFF, len(m.name), len(extra)) + m.name + extra
        out += m.payload
        ext_attr = (0o40755 << 16 | 0x10) if m.is_dir else (0o120777 << 16) if m.is_symlink else (0o100644 << 16)
        cextra = extra
        if extra and offset >= 0xFFFFFFFF:
            cextra = struct.pack("<HHQQQ", 1, 24, usize, csize, offset)
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 0x031E, 45 if extra else 20, m.flags, m.method, 0,
                               0x21, m.crc & 0xFFFFFFFF, c32, u32, len(m.name), len(cextra), 0, 0, 0, ext_attr,
                               min(offset, 0xFFFFFFFF)) + m.name + cextra
    cd_offset = len(out)
    out += central
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), cd_offset, 0)
    return bytes(out)


_BOMBS: dict[tuple[int, bytes], tuple[bytes, int]] = {}
_BOMB_LOCK = threading.Lock()
_ZERO_BLOCK: list[bytes] = []
_ZERO_CRC: dict[int, int] = {}


def zero_bomb(size: int, prefix: bytes = b"") -> tuple[bytes, int]:
    """A raw deflate stream of `prefix` + zeros up to `size` bytes (rounded to MiB), and its CRC-32.

    Built from one full-flushed 1 MiB block of compressed zeros repeated (full flush makes blocks independent
    and byte-aligned), so a 3 GiB bomb costs milliseconds to make; CRCs are cached per size."""
    with _BOMB_LOCK:
        key = (size, prefix)
        if key not in _BOMBS:
            if not _ZERO_BLOCK:
                c = zlib.compressobj(9, zlib.DEFLATED, -15)
                _ZERO_BLOCK.append(c.compress(bytes(1 << 20)) + c.flush(zlib.Z_FULL_FLUSH))
            mib = max(1, size >> 20)
            head = b""
            if prefix:
                c = zlib.compressobj(9, zlib.DEFLATED, -15)
                head = c.compress(prefix) + c.flush(zlib.Z_FULL_FLUSH)
            if mib not in _ZERO_CRC:
                crc, chunk = 0, bytes(1 << 20)
                for _ in range(mib):
                    crc = zlib.crc32(chunk, crc)
                _ZERO_CRC[mib] = crc
            crc = _ZERO_CRC[mib]
            if prefix:
                crc = zlib.crc32(prefix)
                chunk = bytes(1 << 20)
                for _ in range(mib):
                    crc = zlib.crc32(chunk, crc)
            _BOMBS[key] = (head + _ZERO_BLOCK[0] * mib + b"\x03\x00", crc)
        return _BOMBS[key]


TRAVERSAL_NAMES = ["../model.weights.h5", "../../../../tmp/keras-port-fuzz-escape", "/tmp/keras-port-fuzz-abs",
                   "config.json/../../evil", "..\\..\\evil.json", "./config.json", "model.weights.h5\x00.txt",
                   "a/" * 200 + "deep", "x" * 5000]


def mutate_keras(data: bytes, rng: random.Random, ops: list[str], h5_head: bytes) -> bytes:
    if rng.random() < 0.25:
        hot = interesting_offsets(data, [b"PK\x03\x04", b"PK\x01\x02", b"PK\x05\x06", b"config.json",
                                         b"model.weights.h5", b"metadata.json"])
        ops.append("zip-bytes")
        return ByteMutator(rng, hot).mutate(data, ops)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        members = [zmember(i.filename, z.read(i.filename)) for i in z.infolist()]
    by = {m.name.decode(): m for m in members}
    op = rng.choice(["config", "config", "weights", "weights", "metadata", "drop", "traversal", "rename", "duplicate",
                     "bomb", "bomb", "lying", "method", "crc", "dir", "deflate", "encrypted", "symlink", "members"])
    ops.append(op)
    if op == "config" and "config.json" in by:
        m = by["config.json"]
        new = mutate_json_bytes(z_plain(m), rng, ops)
        by["config.json"] = zmember("config.json", new, deflate=rng.random() < 0.3)
    elif op == "weights" and "model.weights.h5" in by:
        new = mutate_hdf5(z_plain(by["model.weights.h5"]), rng, ops)
        by["model.weights.h5"] = zmember("model.weights.h5", new, deflate=rng.random() < 0.3)
    elif op == "metadata" and "metadata.json" in by:
        by["metadata.json"] = zmember("metadata.json", mutate_json_bytes(z_plain(by["metadata.json"]), rng, ops))
    elif op == "drop" and by:
        k = rng.choice(sorted(by))
        del by[k]
        ops.append(f"drop:{k}")
    elif op == "traversal":
        name = rng.choice(TRAVERSAL_NAMES)
        src = rng.choice(sorted(by)) if by else "config.json"
        m = copy.copy(by.get(src) or zmember(src, b"{}"))
        m.name = name.encode("utf-8", "surrogatepass")
        if rng.random() < 0.5 and src in by:
            del by[src]
        by[name] = m
        ops.append(f"traversal:{name[:30]}")
    elif op == "rename" and by:
        k = rng.choice(sorted(by))
        m = by.pop(k)
        new = rng.choice(["Config.json", "config.json ", "model.weights.h5/", "model.weights.npz", "weights.h5", ""])
        m.name = new.encode()
        by[new] = m
        ops.append(f"rename:{k}->{new}")
    elif op == "duplicate" and by:
        k = rng.choice(sorted(by))
        other = rng.choice(sorted(by))
        dup = copy.copy(by[other])
        dup.name = k.encode()
        items = list(by.values()) + [dup]
        rng.shuffle(items)
        return build_zip(items)
    elif op == "bomb":
        target = rng.choice(["model.weights.h5", "config.json", "metadata.json"])
        size = rng.choice([64 << 20, 1 << 30, 3 << 30])
        prefix = h5_head if target == "model.weights.h5" and rng.random() < 0.5 else b""
        payload, crc = zero_bomb(size, prefix)
        by[target] = ZMember(target.encode(), payload, 8, crc, len(prefix) + size)
        ops.append(f"bomb:{target}:{size >> 20}MiB{'+h5head' if prefix else ''}")
    elif op == "lying":
        # Declared sizes that disagree with the data: small declared, big actual (or the reverse), local vs central.
        target = rng.choice(sorted(by)) if by else "config.json"
        m = by.get(target) or zmember(target, b"{}")
        if rng.random() < 0.5:
            payload, crc = zero_bomb(64 << 20)
            m = ZMember(m.name, payload, 8, crc, rng.choice([10, 1000, 1 << 20]))
        else:
            m = copy.copy(m)
            choice = rng.choice(["huge", "zip64", "local", "small"])
            if choice == "huge":
                m.usize = rng.choice([0xFFFFFFFE, 7 << 30, 1 << 40, 2**63 - 1])
                m.zip64 = True
            elif choice == "zip64":
                m.zip64 = True
            elif choice == "local":
                m.local_usize = rng.choice([0, 1, 0xFFFFFFFF])
            else:
                m.usize = max(0, m.usize - rng.randint(1, 100))
            ops.append(f"lying:{choice}")
        by[target] = m
    elif op == "method" and by:
        k = rng.choice(sorted(by))
        m = copy.copy(by[k])
        m.method = rng.choice([1, 6, 9, 12, 14, 99, 8])
        by[k] = m
        ops.append(f"method:{k}={m.method}")
    elif op == "crc" and by:
        k = rng.choice(sorted(by))
        m = copy.copy(by[k])
        m.crc ^= 1 << rng.randrange(32)
        by[k] = m
    elif op == "dir" and by:
        k = rng.choice(sorted(by))
        m = copy.copy(by[k])
        m.is_dir = True
        if rng.random() < 0.5:
            m.payload, m.usize, m.crc = b"", 0, 0
        by[k] = m
    elif op == "deflate" and by:
        k = rng.choice(sorted(by))
        m = by[k]
        dm = zmember(k, z_plain(m), deflate=True)
        if rng.random() < 0.5 and len(dm.payload) > 8:
            p = bytearray(dm.payload)
            o = rng.randrange(len(p))
            p[o] ^= 0xFF
            dm.payload = bytes(p) if rng.random() < 0.5 else bytes(p[:o])
            ops.append(f"deflate-damaged@{o}")
        by[k] = dm
    elif op == "symlink" and by:
        # A member turned into a symbolic link (Unix mode S_IFLNK) whose content is a path outside the archive.
        k = rng.choice(sorted(by))
        target = rng.choice([b"../secrets/marker.bin", b"/etc/passwd", b"/proc/self/environ", b"config.json", b".."])
        m = zmember(k, target) if rng.random() < 0.7 else copy.copy(by[k])
        m.is_symlink = True
        by[k] = m
        ops.append(f"symlink:{k}->{target.decode()}")
    elif op == "members":
        # Many extra members (around the 4,096 limit), all central-directory entries of one tiny stored file.
        n = rng.choice([4000, 4093, 4094, 5000, 20000])
        items = list(by.values())
        extra = zmember("assets/x", b"x")
        return build_zip(items + [extra] * n)
    elif op == "encrypted" and by:
        k = rng.choice(sorted(by))
        m = copy.copy(by[k])
        m.flags |= 1
        by[k] = m
    items = list(by.values())
    if rng.random() < 0.2:
        rng.shuffle(items)
    return build_zip(items)


def z_plain(m: ZMember) -> bytes:
    if m.method == 8:
        return zlib.decompress(m.payload, -15)
    return m.payload


# ----------------------------------------------------------------------------------------------------------------
# .npy mutations
# ----------------------------------------------------------------------------------------------------------------

DESCRS = ["<f4", ">f4", "<f8", "<f2", "|b1", "<i8", "|u1", "<c8", "O", "<U3", "|V4", "f4", "<f16", "", "<f4<f4",
          "|S10", "<M8[s]", "<i4", ">i2", "=f4", "<f1"]


def npy_parts(data: bytes):
    if len(data) < 10 or data[:6] != b"\x93NUMPY":
        return None
    major = data[6]
    if major == 1:
        hl, hs = int.from_bytes(data[8:10], "little"), 10
    else:
        hl, hs = int.from_bytes(data[8:12], "little"), 12
    return major, hs, hl, data[hs:hs + hl], data[hs + hl:]


def npy_build(major: int, header: bytes, body: bytes) -> bytes:
    if major == 1:
        return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header) & 0xFFFF) + header + body
    return b"\x93NUMPY" + bytes([major, 0]) + struct.pack("<I", len(header)) + header + body


def mutate_npy(data: bytes, rng: random.Random, ops: list[str]) -> bytes:
    parts = npy_parts(data)
    if parts is None or rng.random() < 0.2:
        ops.append("npy-bytes")
        return ByteMutator(rng, list(range(0, 128, 4))).mutate(data, ops)
    major, hs, hl, header, body = parts
    text = header.decode("latin-1")
    m = re.search(r"'shape': \(([^)]*)\)", text)
    shape = [int(x) for x in m.group(1).split(",") if x.strip()] if m else [1]
    op = rng.choice(["descr", "shape", "shape", "fortran", "hlen", "version", "magic", "body", "header-bytes",
                     "header-text", "dict", "v3"])
    ops.append(op)
    if op == "descr":
        d = rng.choice(DESCRS)
        text = re.sub(r"'descr': '[^']*'", f"'descr': '{d}'", text)
        ops.append(d)
    elif op == "shape":
        choice = rng.choice(["neg", "huge", "empty", "many", "product", "zero", "overflow", "bigint", "float"])
        if choice == "neg":
            shape[rng.randrange(len(shape))] = -rng.choice([1, 3, 2**63])
        elif choice == "huge":
            shape = [10**12] + shape[1:]
        elif choice == "empty":
            shape = []
        elif choice == "many":
            shape = [1] * rng.choice([33, 64, 1000])
        elif choice == "product":
            shape = shape + [rng.choice([2, 3, 7])]
        elif choice == "zero":
            shape = [0] + shape[1:]
        elif choice == "overflow":
            shape = [2**32, 2**32, 2**32]
        elif choice == "bigint":
            shape = [int("9" * 400)]
        st = "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"
        if choice == "float":
            st = "(1.5, 2)"
        text = re.sub(r"'shape': \([^)]*\)", f"'shape': {st}", text)
        ops.append(choice)
    elif op == "fortran":
        text = text.replace("False", rng.choice(["True", "1", "None", "Fals", "'False'"]))
    elif op == "hlen":
        v = rng.choice([0, 1, hl - 1, hl + 1, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF, len(data)])
        raw = npy_build(major, text.encode("latin-1"), body)
        b = bytearray(raw)
        if major == 1:
            b[8:10] = struct.pack("<H", v & 0xFFFF)
        else:
            b[8:12] = struct.pack("<I", v & 0xFFFFFFFF)
        return bytes(b)
    elif op == "version":
        raw = bytearray(npy_build(major, text.encode("latin-1"), body))
        raw[6] = rng.choice([0, 2, 3, 4, 255])
        raw[7] = rng.choice([0, 0, 1])
        return bytes(raw)
    elif op == "magic":
        raw = bytearray(data)
        raw[rng.randrange(6)] ^= 0xFF
        return bytes(raw)
    elif op == "body":
        choice = rng.choice(["cut", "extra", "empty"])
        body = body[:rng.randrange(len(body) + 1)] if choice == "cut" else (body + bytes(rng.choice([1, 4, 100])) if choice == "extra" else b"")
    elif op == "header-bytes":
        hb = bytearray(text.encode("latin-1"))
        for _ in range(rng.choice([1, 2, 4])):
            hb[rng.randrange(len(hb))] = rng.randrange(256)
        return npy_build(major, bytes(hb), body)
    elif op == "header-text":
        text = rng.choice([
            "{'descr': '<f4', 'fortran_order': False, 'shape': (((((((((((((((((((((1,),),),),),),),),),),),),),),),),),),),),),), }",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), 'shape': (3,), }",
            "{'descr': '<f4', 'fortran_order': False}",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2,",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), 'extra': 1}",
            "{'descr': \"<f4\", 'fortran_order': False, 'shape': (1,)}",
            "{'descr': '<f4', 'fortran_order': False, 'shape': [1, 2]}",
            "{'descr': '<f4\\x00', 'fortran_order': False, 'shape': (1,)}",
            "{" * 5000,
            "",
            "{'descr': '" + "<" * 100000 + "', 'fortran_order': False, 'shape': (1,)}",
        ])
    elif op == "dict":
        text = text.replace("{", rng.choice(["[", "(", "{{", ""]), 1)
    elif op == "v3":
        hb = text.encode("latin-1")
        if rng.random() < 0.5:
            hb = hb.replace(b"<f4", b"\xff\xfe\xfd")
        return npy_build(3, hb, body)
    return npy_build(major, text.encode("latin-1"), body)


# ----------------------------------------------------------------------------------------------------------------
# Cases
# ----------------------------------------------------------------------------------------------------------------


@dataclass
class Case:
    seed: int
    kind: str
    fixture: str
    ops: list[str]
    argv: list[str]
    folder: Path  # holds the (mutated) inputs
    out: Path  # output folder for convert / edit / predict
    protected: list[Path]  # files that must be unchanged afterwards
    names: list[str]  # names an error message may cite
    fsize: int | None = None  # RLIMIT_FSIZE for the run (a full disk), SIGXFSZ ignored
    allowed_left: set[str] = field(default_factory=set)  # files that may stay in `out` after a failed write


def case_seed(master: int, index: int) -> int:
    return int.from_bytes(hashlib.sha256(f"{master}:{index}".encode()).digest()[:6], "big")


def pick_command(rng: random.Random, e: Entry, model: Path, config: Path | None, folder: Path, out: Path,
                 npy_override: Path | None = None) -> list[str]:
    cfg = ["--config", str(config)] if config else []
    inputs = [folder / i for i in e.inputs]
    if npy_override is not None and inputs:
        inputs[0] = npy_override
    r = rng.random()
    if npy_override is not None:
        r = 0.4 if rng.random() < 0.85 else 0.9
    if r < 0.35 or (0.35 <= r < 0.7 and not inputs):
        return ["inspect", str(model)] + cfg + rng.choice([[], ["--json"], ["--alphas"], ["--json", "--alphas"]])
    if r < 0.7:
        argv = ["predict", str(model)] + cfg
        for i in inputs:
            argv += ["--input", str(i)]
        if rng.random() < 0.5:
            for k in range(e.outputs):
                argv += ["--output", str(out / f"out_{k}.npy")]
        return argv
    if r < 0.85:
        ext = rng.choice(["model.keras", "model.weights.h5", "model.h5"])
        argv = ["convert", str(model), str(out / ext)] + cfg
        if ext == "model.weights.h5":
            argv += ["--architecture-json", str(out / "model.json")]
        return argv
    argv = ["edit", str(model), str(out / rng.choice(["edited.keras", "edited.h5"]))] + cfg
    if e.prelu and (rng.random() < 0.5 or not e.leaky):
        layer = rng.choice(e.prelu)
        argv += rng.choice([["--set-alpha", f"{layer}=0.25"], ["--to-leaky-relu", layer], ["--shared-axes", f"{layer}=1,2"]])
        if npy_override is not None:
            argv = argv[:-2] + ["--set-alpha-npy", f"{layer}={npy_override}"]
    elif e.leaky:
        layer = rng.choice(e.leaky)
        argv += rng.choice([["--set-slope", f"{layer}=0.1"], ["--to-prelu", layer]])
    else:
        argv += ["--set-slope", f"{rng.choice(e.layers or ['x'])}=0.1"]
    return argv


def make_case(seed: int, corpus: dict[str, list[Entry]], kinds: list[str], work: Path, h5_head: bytes) -> Case:
    rng = random.Random(seed)
    kind = rng.choice([k for k in kinds if corpus.get(k)])
    e = rng.choice(corpus[kind])
    folder = work / f"case-{seed}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    out = folder / "out"
    out.mkdir()
    ops: list[str] = []

    def copy_in(name: str) -> Path:
        dst = folder / name
        shutil.copyfile(e.folder / name, dst)
        return dst

    model = copy_in(e.file)
    config = copy_in(e.config) if e.config else None
    for s in e.shards:
        copy_in(s)
    for i in e.inputs:
        if kind == "hostile":
            base = HOSTILE_BASE.get(Path(e.file).suffix, "")
            shutil.copyfile(e.folder.parent / "models" / base / i, folder / i)
        else:
            copy_in(i)
    npy_override = None

    if kind == "h5" or kind == "legacy-weights" or kind == "weights-h5":
        target = model
        if config is not None and rng.random() < 0.15:
            target = config
            config.write_bytes(mutate_json_bytes(config.read_bytes(), rng, ops))
        else:
            model.write_bytes(mutate_hdf5(model.read_bytes(), rng, ops))
        ops.insert(0, target.name)
    elif kind == "keras":
        model.write_bytes(mutate_keras(model.read_bytes(), rng, ops, h5_head))
    elif kind == "sharded":
        r = rng.random()
        if r < 0.45:
            ops.append("index")
            model.write_bytes(mutate_sharded_index(model.read_bytes(), rng, ops, e.shards))
        elif r < 0.9 and e.shards:
            s = folder / rng.choice(e.shards)
            ops.append(s.name)
            s.write_bytes(mutate_hdf5(s.read_bytes(), rng, ops))
        elif e.shards:
            s = folder / rng.choice(e.shards)
            ops.append(f"rm:{s.name}")
            s.unlink()
    elif kind == "json":
        assert config is not None
        config.write_bytes(mutate_json_bytes(config.read_bytes(), rng, ops))
    elif kind == "npy":
        src = folder / e.inputs[0]
        npy_override = src
        src.write_bytes(mutate_npy(src.read_bytes(), rng, ops))
    elif kind == "write":
        return write_case(seed, rng, e, model, config, folder, out, ops)
    elif kind == "hostile":
        ops.insert(0, e.file)
        model.write_bytes(mutate_hostile(model.read_bytes(), e.file, rng, ops, h5_head))

    argv = pick_command(rng, e, model, config, folder, out, npy_override)
    protected = [p for p in folder.iterdir() if p.is_file()]
    names = [p.name for p in protected] + [p.name for p in out.iterdir()] + [Path(a).name for a in argv if "/" in a]
    names += [e.file] + ([e.config] if e.config else []) + e.shards + e.inputs
    # An edit names a layer on the command line; an error about that layer names it, not a file.
    names += [f"`{a.split('=')[0]}`" for k, a in enumerate(argv) if k > 0 and argv[k - 1].startswith("--") and argv[0] == "edit"
              and argv[k - 1] not in ("--config", "--format")]
    return Case(seed, kind, e.fixture, ops, argv, folder, out, protected, names)


def write_case(seed: int, rng: random.Random, e: Entry, model: Path, config: Path | None, folder: Path, out: Path,
               ops: list[str]) -> Case:
    """Writing under adverse conditions, from an intact input: a full disk (RLIMIT_FSIZE), an output folder that
    is missing or is a file, an unwritable place, the input itself as the output, an existing output."""
    cfg = ["--config", str(config)] if config else []
    ext = rng.choice(["model.keras", "model.weights.h5", "model.h5"])
    target = out / ext
    fault = rng.choice(["fsize", "fsize", "fsize", "notdir", "missingdir", "unwritable", "self", "exists",
                        "exists-force"])
    ops.append(fault)
    fsize = None
    allowed: set[str] = set()
    extra: list[str] = []
    if fault == "fsize":
        fsize = rng.choice([0, 1024, 4096, 16384, 40000, 65536, 150000])
        ops.append(str(fsize))
    elif fault == "notdir":
        (out / "blocker").write_bytes(b"a file, not a folder")
        allowed.add("blocker")
        target = out / "blocker" / ext
    elif fault == "missingdir":
        target = out / "no" / "such" / ext
    elif fault == "unwritable":
        target = Path("/sys") / f"keras-port-fuzz-{seed}{ext}"
    elif fault == "self":
        target = model
        extra = ["--force"]
    elif fault in ("exists", "exists-force"):
        target.write_bytes(b"an existing output that must survive a failed write\n")
        allowed.add(ext)
        if fault == "exists-force":
            extra = ["--force"]
    if rng.random() < 0.5 or not (e.leaky or e.prelu):
        argv = ["convert", str(model), str(target)] + cfg + extra
        if ext == "model.weights.h5" and rng.random() < 0.5:
            argv += ["--architecture-json", str(out / "model.json")]
    else:
        argv = ["edit", str(model), str(target)] + cfg + extra
        argv += ["--set-slope", f"{rng.choice(e.leaky)}=0.2"] if e.leaky else ["--set-alpha", f"{rng.choice(e.prelu)}=0.3"]
    protected = [p for p in folder.iterdir() if p.is_file()]
    if fault == "exists":
        protected.append(target)
    names = [p.name for p in protected] + [Path(a).name for a in argv if "/" in a] + [str(target.parent)]
    return Case(seed, "write", e.fixture, ops, argv, folder, out, protected, names, fsize, allowed)


def mutate_sharded_index(data: bytes, rng: random.Random, ops: list[str], shards: list[str]) -> bytes:
    try:
        root = json.loads(data)
    except ValueError:
        return ByteMutator(rng).mutate(data, ops)
    wm = root.get("weight_map") if isinstance(root, dict) else None
    r = rng.random()
    if isinstance(wm, dict) and wm and r < 0.6:
        k = rng.choice(list(wm))
        wm[k] = rng.choice(["../model.json", "/etc/passwd", "..", "missing_00009.weights.h5", "", None, 7, [], [None],
                            rng.choice(shards) if shards else "x", ["a/b.h5"], "model.json",
                            [rng.choice(shards) if shards else "x"] * 3])
        ops.append(f"weight_map[{k[:20]}]={str(wm[k])[:30]}")
        return dump_json(root, rng)
    return mutate_json_bytes(data, rng, ops)


# ----------------------------------------------------------------------------------------------------------------
# Running
# ----------------------------------------------------------------------------------------------------------------

ALLOC_FAILURE = re.compile(r"Could not allocate|out of memory|Cannot allocate memory|bad_alloc|failed to allocate|"
                           r"allocation fail|mmap.*fail|ENOMEM|memory exhausted", re.I)


@dataclass
class Result:
    case: Case
    status: str
    detail: str
    seconds: float
    rss_mb: float
    stderr: str
    stdout: str
    returncode: int
    where: str = ""  # crash location: "libhdf5", "ours", "unknown"


def limits(mem_mb: int, cpu_s: int, fsize: int | None = None):
    def apply():
        os.setsid()
        resource.setrlimit(resource.RLIMIT_AS, (mem_mb << 20, mem_mb << 20))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 1))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        f = (512 << 20) if fsize is None else fsize
        resource.setrlimit(resource.RLIMIT_FSIZE, (f, f))
        # A write past the limit fails with EFBIG, as on a full disk, instead of killing the process.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    return apply


def sha(p: Path) -> str | None:
    try:
        return hashlib.sha256(p.read_bytes()).hexdigest()
    except OSError:
        return None


def run_case(binary: Path, c: Case, args) -> Result:
    before = {pth: sha(pth) for pth in c.protected}
    env = dict(os.environ)
    env.update({"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "SWIFT_BACKTRACE": "enable=yes,interactive=no,color=no,sanitize=no,threads=crashed,registers=none,images=none,limit=40,top=10,demangle=yes",
                "HDF5_USE_FILE_LOCKING": "FALSE"})
    start = time.monotonic()
    # Pipes, not files: RLIMIT_FSIZE (the full-disk cases) must not stop the error message itself.
    p = subprocess.Popen([str(binary)] + c.argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         stdin=subprocess.DEVNULL, env=env, cwd=str(c.folder),
                         preexec_fn=limits(args.mem_mb, args.cpu, c.fsize))
    captured: dict[str, bytes] = {}

    def drain(name, stream):
        chunks, total = [], 0
        while True:
            b = stream.read(65536)
            if not b:
                break
            if total < (1 << 20):
                chunks.append(b)
            total += len(b)
        captured[name] = b"".join(chunks)

    readers = [threading.Thread(target=drain, args=(n, st), daemon=True) for n, st in (("out", p.stdout), ("err", p.stderr))]
    for t in readers:
        t.start()
    timed_out = threading.Event()

    def kill():
        timed_out.set()
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    timer = threading.Timer(args.timeout, kill)
    timer.start()
    _, status, ru = os.wait4(p.pid, 0)
    timer.cancel()
    p.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - start
    try:
        os.killpg(p.pid, signal.SIGKILL)  # stray children (the backtracer)
    except (ProcessLookupError, PermissionError):
        pass
    for t in readers:
        t.join(timeout=5)
    p.stdout.close()
    p.stderr.close()
    stderr = captured.get("err", b"").decode("utf-8", "replace")
    stdout = captured.get("out", b"")[:4000].decode("utf-8", "replace")
    (c.folder / "stderr.txt").write_text(stderr)
    rss = ru.ru_maxrss / 1024.0
    rc = p.returncode
    after_ok = all(sha(pth) == h for pth, h in before.items())
    leftovers = sorted(x.name for x in c.out.iterdir() if x.name not in c.allowed_left) if c.out.exists() else []
    leftovers += [str(x) for x in Path("/sys").glob(f"keras-port-fuzz-{c.seed}*")]

    def res(status, detail, where=""):
        return Result(c, status, detail, seconds, rss, stderr, stdout, rc, where)

    if timed_out.is_set() or rc in (-signal.SIGXCPU,) or (rc == -signal.SIGKILL and seconds >= args.cpu):
        return res("hang", f"no exit after {seconds:.1f}s (limit {args.timeout}s wall, {args.cpu}s CPU)", crash_location(stderr))
    if rc < 0:
        if ALLOC_FAILURE.search(stderr):
            return res("memory", f"signal {signal.Signals(-rc).name} after an allocation failure (limit {args.mem_mb} MiB address space)")
        return res("crash", f"signal {signal.Signals(-rc).name}", crash_location(stderr))
    if rss > args.rss_mb:
        return res("memory", f"peak RSS {rss:.0f} MiB above {args.rss_mb} MiB")
    if not after_ok:
        return res("damaged", "an input file changed")
    leaked = marker_leaks(c)
    if leaked:
        return res("damaged", f"data from outside the model (the secret marker) in {leaked}")
    if rc == 0:
        return res("success", "")
    if rc != 0 and leftovers and c.argv[0] in ("convert", "edit"):
        return res("damaged", f"failed write left {leftovers} behind")
    if rc != 0 and leftovers and c.argv[0] == "predict" and any(x.startswith(".") for x in leftovers):
        return res("damaged", f"failed predict left temporary files {leftovers} behind")
    if ALLOC_FAILURE.search(stderr) and "Error:" not in stderr:
        return res("memory", "allocation failure")
    lines = [l for l in stderr.splitlines() if l.strip()]
    errs = [l for l in lines if l.startswith("Error:")]
    if len(errs) == 1 and any(n and n in errs[0] for n in c.names):
        extra = [l for l in lines if not l.startswith("Error:") and not l.startswith("Usage:") and not l.startswith("  See '")
                 and not l.startswith("warning: layer `")]  # convert/edit's warnings about Lambda bytecode
        if not extra:
            return res("clean", errs[0])
        return res("unclear", "extra stderr lines: " + " | ".join(extra[:3])[:300])
    return res("unclear", (errs[0] if errs else (lines[0] if lines else f"exit {rc}, no message"))[:300])


def marker_leaks(c: Case) -> list[str]:
    """Files the run wrote (anything in the output folder, anything new in the case folder) holding the marker."""
    inputs = {p.resolve() for p in c.protected}
    found = []
    for p in list(c.out.rglob("*")) + list(c.folder.glob("*")):
        try:
            if p.is_file() and p.resolve() not in inputs and p.name != "stderr.txt" and MARKER in p.read_bytes():
                found.append(p.name)
        except OSError:
            pass
    return found


FRAME = re.compile(r"^\s*\d+\s+.*? in (\S+)", re.M)


def crash_location(stderr: str) -> str:
    """Where a crash happened, from the Swift runtime's backtrace: the first frame in a known image."""
    for m in re.finditer(r"^\s*\d+ .*$", stderr, re.M):
        line = m.group(0)
        if "libhdf5" in line or re.search(r"\bH5[A-Z]\w*", line):
            return "libhdf5"
        if "libz" in line and "ZIPFoundation" not in line:
            return "zlib"
        if "ZIPFoundation" in line:
            return "ZIPFoundation"
        if re.search(r"keras-port|KerasFormat|KerasGraph|KerasInference|NumPyFormat|TensorModule|HDF5\.|\$s\d*HDF5", line):
            return "ours"
    if "Fatal error" in stderr or "fatal error" in stderr:
        return "ours"
    return "unknown"


def h5_head_bytes(fixtures: Path) -> bytes:
    """The first 2 KiB of a real .weights.h5, to make zip bombs that start like an HDF5 file."""
    for p in sorted((fixtures / "models").glob("*/model.keras")):
        with zipfile.ZipFile(p) as z:
            return z.read("model.weights.h5")[:2048]
    return b"\x89HDF\r\n\x1a\n"


def find_binary(arg: str | None) -> Path:
    if arg:
        return Path(arg).resolve()
    if os.environ.get("KERAS_PORT_BIN"):
        return Path(os.environ["KERAS_PORT_BIN"]).resolve()
    for cand in [".build-fuzz/release/keras-port", ".build/release/keras-port", ".build-fuzz/debug/keras-port",
                 ".build/debug/keras-port"]:
        p = ROOT / cand
        if p.exists():
            return p
    sys.exit("fuzz.py: no keras-port binary: build one (swift build -c release --product keras-port) or pass --binary")


def baseline(binary: Path, corpus, args, work: Path) -> list[str]:
    """Runs `inspect` on one unmutated file of each kind: the harness is only meaningful if these succeed."""
    problems = []
    for kind, entries in corpus.items():
        if not entries or kind in ("npy", "hostile"):
            continue
        e = entries[0]
        argv = ["inspect", str(e.folder / e.file)] + (["--config", str(e.folder / e.config)] if e.config else [])
        p = subprocess.run([str(binary)] + argv, capture_output=True, text=True, timeout=60,
                           preexec_fn=limits(args.mem_mb, args.cpu), env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
        if p.returncode != 0:
            problems.append(f"{kind}: {' '.join(argv)} -> exit {p.returncode}: {p.stderr.strip()[:200]}")
    return problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=2000, help="number of mutated inputs to run (default 2000)")
    ap.add_argument("--seed", type=int, default=1, help="master seed; case seeds derive from it and the run index")
    ap.add_argument("--short", action="store_true", help="a quick check: 300 runs (unless --runs is given), seed 1")
    ap.add_argument("--kinds", default=",".join(KINDS), help=f"comma-separated subset of {','.join(KINDS)}")
    ap.add_argument("--binary", help="keras-port executable (default: .build-fuzz/release, .build/release, …)")
    ap.add_argument("--fixtures", default=str(ROOT / "Fixtures"), help="the Fixtures folder")
    ap.add_argument("--jobs", type=int, default=2, help="parallel runs (default 2)")
    ap.add_argument("--timeout", type=float, default=20.0, help="wall-time limit per run, seconds")
    ap.add_argument("--cpu", type=int, default=15, help="CPU-time limit per run, seconds")
    ap.add_argument("--mem-mb", type=int, default=4096, help="address-space limit per run (RLIMIT_AS), MiB")
    ap.add_argument("--rss-mb", type=int, default=1024, help="peak resident memory above this is a memory blow-up")
    ap.add_argument("--work", help="work folder (default: a temporary folder, removed unless --keep)")
    ap.add_argument("--keep", action="store_true", help="keep every case folder")
    ap.add_argument("--failures", default=None, help="copy failing cases here (default: <work>/failures, kept)")
    ap.add_argument("--replay", help="comma-separated case seeds: rebuild and run only these, verbosely, keep files")
    ap.add_argument("--json-report", help="write per-kind counts and failures as JSON here")
    ap.add_argument("--show-unclear", type=int, default=8, help="how many distinct unclear messages to list")
    args = ap.parse_args()
    if args.short and "--runs" not in sys.argv:
        args.runs = 300

    binary = find_binary(args.binary)
    fixtures = Path(args.fixtures).resolve()
    corpus = load_corpus(fixtures)
    kinds = [k for k in args.kinds.split(",") if k]
    for k in kinds:
        if k not in KINDS:
            sys.exit(f"fuzz.py: unknown kind `{k}` (kinds: {', '.join(KINDS)})")
    kinds = [k for k in kinds if corpus.get(k)]
    if not kinds:
        sys.exit(f"fuzz.py: no fixture files found under {fixtures}/models")
    work = Path(args.work).resolve() if args.work else Path(tempfile.mkdtemp(prefix="keras-port-fuzz-"))
    work.mkdir(parents=True, exist_ok=True)
    failures_dir = Path(args.failures).resolve() if args.failures else work / "failures"
    h5_head = h5_head_bytes(fixtures)
    if (fixtures / "hostile" / "secrets").is_dir():
        # The crafted files point at ../secrets/* from their case folder, i.e. at <work>/secrets.
        shutil.copytree(fixtures / "hostile" / "secrets", work / "secrets", dirs_exist_ok=True)

    print(f"keras-port fuzz: binary {binary}")
    print(f"fixtures {fixtures}: " + ", ".join(f"{k} {len(corpus[k])}" for k in KINDS))
    problems = baseline(binary, corpus, args, work)
    if problems:
        print("baseline (unmutated files) FAILED — the counts below mean little:\n  " + "\n  ".join(problems))

    if args.replay:
        seeds = [int(s) for s in args.replay.split(",") if s.strip()]
        jobs = [(i, s) for i, s in enumerate(seeds)]
        args.keep = True
    else:
        jobs = [(i, case_seed(args.seed, i)) for i in range(args.runs)]
        print(f"master seed {args.seed}, {args.runs} runs, kinds {','.join(kinds)}, jobs {args.jobs}, "
              f"limits {args.timeout:g}s wall / {args.cpu}s CPU / {args.mem_mb} MiB AS / {args.rss_mb} MiB RSS")

    counts: dict[str, dict[str, int]] = {k: {} for k in kinds}
    failed: list[Result] = []
    unclear: dict[str, Result] = {}
    max_rss = 0.0
    max_secs = 0.0
    started = time.monotonic()
    lock = threading.Lock()
    done = 0

    def one(job):
        _, seed = job
        c = make_case(seed, corpus, kinds, work, h5_head)
        r = run_case(binary, c, args)
        return r

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for r in pool.map(one, jobs):
            c = r.case
            with lock:
                done += 1
                kc = counts.setdefault(c.kind, {})
                kc[r.status] = kc.get(r.status, 0) + 1
                kc["runs"] = kc.get("runs", 0) + 1
                max_rss = max(max_rss, r.rss_mb)
                max_secs = max(max_secs, r.seconds)
            if r.status in ("crash", "hang", "memory", "damaged"):
                failed.append(r)
                dst = failures_dir / f"{c.kind}-{c.seed}"
                shutil.rmtree(dst, ignore_errors=True)
                shutil.copytree(c.folder, dst, ignore=shutil.ignore_patterns("*.tmp"))
                (dst / "cmd.sh").write_text("#!/bin/sh\n# " + " ".join(c.ops) + "\n" + " ".join(
                    [shlex_quote(str(binary))] + [shlex_quote(a.replace(str(c.folder), str(dst))) for a in c.argv]) + "\n")
                print(f"  FAIL {r.status:7s} seed {c.seed} {c.kind} {c.fixture} [{' '.join(c.ops)[:100]}] "
                      f"{r.detail} {('in ' + r.where) if r.where else ''} -> {dst}", flush=True)
            elif r.status == "unclear":
                key = re.sub(r"\d+", "N", r.detail)[:120]
                unclear.setdefault(key, r)
            if args.replay:
                print(f"seed {c.seed}: {c.kind} {c.fixture} ops [{' '.join(c.ops)}]\n  $ keras-port {' '.join(c.argv)}\n"
                      f"  -> {r.status} (exit {r.returncode}, {r.seconds:.2f}s, {r.rss_mb:.0f} MiB) {r.detail} {r.where}\n"
                      f"  stderr: {r.stderr.strip()[:3000]}\n  files kept in {c.folder}")
            elif not args.keep:
                shutil.rmtree(c.folder, ignore_errors=True)
            if not args.replay and done % 500 == 0:
                el = time.monotonic() - started
                print(f"  … {done}/{len(jobs)} runs, {len(failed)} failed, {el:.0f}s", flush=True)

    elapsed = time.monotonic() - started
    statuses = ["clean", "unclear", "success", "crash", "hang", "memory", "damaged"]
    print(f"\n{'kind':16s} {'runs':>6s} " + " ".join(f"{s:>8s}" for s in statuses))
    tot = {s: 0 for s in statuses + ["runs"]}
    for k in kinds:
        kc = counts.get(k, {})
        print(f"{k:16s} {kc.get('runs', 0):6d} " + " ".join(f"{kc.get(s, 0):8d}" for s in statuses))
        for s in tot:
            tot[s] += kc.get(s, 0)
    print(f"{'total':16s} {tot['runs']:6d} " + " ".join(f"{tot[s]:8d}" for s in statuses))
    where: dict[str, int] = {}
    for r in failed:
        if r.status in ("crash", "hang"):
            where[r.where or "unknown"] = where.get(r.where or "unknown", 0) + 1
    if where:
        print("crash/hang locations: " + ", ".join(f"{k} {v}" for k, v in sorted(where.items())))
    print(f"elapsed {elapsed:.0f}s, slowest run {max_secs:.2f}s, peak RSS {max_rss:.0f} MiB")
    if unclear:
        print(f"unclear messages ({len(unclear)} distinct; showing {min(len(unclear), args.show_unclear)}):")
        for key, r in list(unclear.items())[:args.show_unclear]:
            print(f"  seed {r.case.seed} {r.case.kind}: {r.detail[:200]}")
    if failed:
        print("failing seeds (replay with --replay): " + ",".join(str(r.case.seed) for r in failed))
        print(f"failing cases copied to {failures_dir}")
    if args.json_report:
        Path(args.json_report).write_text(json.dumps({
            "master_seed": args.seed, "runs": tot["runs"], "counts": counts, "elapsed_s": elapsed,
            "failures": [{"seed": r.case.seed, "kind": r.case.kind, "fixture": r.case.fixture, "status": r.status,
                          "detail": r.detail, "where": r.where, "ops": r.case.ops, "argv": r.case.argv} for r in failed],
            "unclear": [{"seed": r.case.seed, "kind": r.case.kind, "detail": r.detail} for r in unclear.values()],
        }, indent=2))
    if not args.keep and not failed and not args.work:
        shutil.rmtree(work, ignore_errors=True)
    nfail = len(failed)
    print(f"{tot['runs'] - nfail} passed, {nfail} failed")
    return 1 if nfail else 0


def shlex_quote(s: str) -> str:
    import shlex
    return shlex.quote(s)


if __name__ == "__main__":
    sys.exit(main())
