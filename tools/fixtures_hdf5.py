"""Writes the small HDF5 fixtures for Tests/HDF5Tests into Fixtures/hdf5/ with h5py.

Run with the pinned venv:  tools/.venv/bin/python tools/fixtures_hdf5.py

The files exercise every string/attribute form Keras files use (VLEN ASCII/UTF-8 scalars and arrays,
fixed-length NULLPAD/NULLTERM/SPACEPAD, an element that fills every byte with no NUL, the empty list
stored as float64 (0,), chunked attributes `layer_names0`, `layer_names1`), datasets of several
dtypes (float16/32/64, integers, an int64 scalar, OPAQUE bfloat16 with attr dtype='bfloat16', a
big-endian float32, a chunked+gzip dataset), nested groups and a creation-ordered group. It also
writes a truncated HDF5 file and a text file named .h5.

Next to them it writes expected.json with the values it wrote (as h5py reads them back), so the
Swift tests compare against h5py, never against our own output. Non-finite floats are written as
the strings "inf", "-inf", "nan". The folder stays far below 200 KB.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import h5py
import numpy as np

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "Fixtures" / "hdf5"


def floats(values) -> list:
    """Flattened numbers as JSON-safe Python floats; non-finite ones as strings."""
    result = []
    for value in np.asarray(values, dtype=np.float64).ravel().tolist():
        if math.isnan(value):
            result.append("nan")
        elif math.isinf(value):
            result.append("inf" if value > 0 else "-inf")
        else:
            result.append(value)
    return result


def to_float32(values) -> np.ndarray:
    """float32 conversion with round-to-nearest; values beyond the float32 range become +-inf."""
    with np.errstate(over="ignore"):
        return np.asarray(values).astype(np.float32)


def low_level_string_attr(obj, name: str, values: list[bytes], size: int, pad, cset=h5py.h5t.CSET_ASCII,
                          scalar: bool = False) -> None:
    """A fixed-length string attribute with an explicit padding (h5py's high level only makes NULLPAD)."""
    tid = h5py.h5t.C_S1.copy()
    tid.set_size(size)
    tid.set_strpad(pad)
    tid.set_cset(cset)
    space = h5py.h5s.create(h5py.h5s.SCALAR) if scalar else h5py.h5s.create_simple((len(values),))
    attr = h5py.h5a.create(obj.id, name.encode(), tid, space)
    # Write the raw bytes through a memory type identical to the file type, so libhdf5 performs no
    # padding conversion: what is in `data` is exactly what lands in the file.
    data = np.array(values, dtype=f"S{size}")
    if scalar:
        data = data.reshape(())
    attr.write(data, mtype=tid)


def string_values(attr_value) -> list[str]:
    """h5py's view of a string attribute, decoded, as a flat list."""
    array = np.asarray(attr_value, dtype=object).ravel()
    return [v.decode("utf-8") if isinstance(v, bytes) else str(v) for v in array]


def describe_type(tid) -> dict:
    cls = tid.get_class()
    if cls == h5py.h5t.STRING:
        pads = {h5py.h5t.STR_NULLTERM: "nullTerminated", h5py.h5t.STR_NULLPAD: "nullPadded",
                h5py.h5t.STR_SPACEPAD: "spacePadded"}
        return {
            "class": "string",
            "variable": bool(tid.is_variable_str()),
            "size": None if tid.is_variable_str() else tid.get_size(),
            "encoding": "utf8" if tid.get_cset() == h5py.h5t.CSET_UTF8 else "ascii",
            "padding": pads[tid.get_strpad()],
        }
    names = {h5py.h5t.FLOAT: "float", h5py.h5t.INTEGER: "integer", h5py.h5t.OPAQUE: "opaque"}
    return {"class": names.get(cls, "other"), "size": tid.get_size()}


def write_strings(path: Path) -> dict:
    expected: dict = {"attributes": {}, "chunked": {}}
    with h5py.File(path, "w") as f:
        a = f.attrs
        a["vlen_ascii_scalar"] = b"hello ascii"                      # bytes -> VLEN ASCII scalar
        a["vlen_utf8_scalar"] = "h\u00e9llo w\u00f6rld \u2713"        # str -> VLEN UTF-8 scalar
        a.create("vlen_ascii_array", [b"conv", b"bn", b""], dtype=h5py.string_dtype("ascii"))
        a.create("vlen_utf8_array", ["d1", "d\u00fc2", "\u03bb_layer"], dtype=h5py.string_dtype("utf-8"))
        a.create("vlen_utf8_one_element", ["only"], dtype=h5py.string_dtype("utf-8"))
        # numpy 'S' arrays -> fixed-length NULLPAD ASCII; "eleven_char" fills all 11 bytes (no NUL).
        a["fixed_nullpad_array"] = np.array([b"short", b"eleven_char", b"x"], dtype="S11")
        a["fixed_nullpad_scalar"] = np.bytes_(b"fixed scalar")   # fixed-length scalar, fills every byte
        low_level_string_attr(f, "fixed_nullterm_array", [b"ab", b"cdefg", b""], 8, h5py.h5t.STR_NULLTERM)
        low_level_string_attr(f, "fixed_spacepad_array", [b"ab      ", b"cde     ", b"full_len"], 8,
                              h5py.h5t.STR_SPACEPAD)
        low_level_string_attr(f, "fixed_spacepad_scalar", [b"padded    "], 10, h5py.h5t.STR_SPACEPAD, scalar=True)
        low_level_string_attr(f, "fixed_utf8_nullpad_array", ["n\u00e9".encode(), "\u00fc\u00fc".encode()], 5,
                              h5py.h5t.STR_NULLPAD, cset=h5py.h5t.CSET_UTF8)
        a["empty_list"] = []                                      # h5py: float64, shape (0,)
        a.create("empty_vlen_strings", np.array([], dtype=object), dtype=h5py.string_dtype("utf-8"))
        a["empty_int32"] = np.zeros((0,), dtype=np.int32)
        a["float64_scalar"] = np.float64(3.141592653589793)
        a["int64_scalar"] = np.int64(-9007199254740993)
        a["float32_array"] = np.array([0.5, -1.25, 1e-3], dtype=np.float32)
        a["int32_array"] = np.array([1, -2, 2147483647], dtype=np.int32)
        a["uint8_array"] = np.array([0, 7, 255], dtype=np.uint8)
        a["float64_matrix"] = np.arange(6, dtype=np.float64).reshape(2, 3) / 4

        # Keras' save_attributes_to_hdf5_group chunking: numpy 'S' chunks name0, name1, ...
        g = f.create_group("chunked")
        names = [f"layer_{i:02d}".encode() for i in range(5)]
        for index, chunk in enumerate(np.array_split(np.asarray(names), 2)):
            g.attrs[f"layer_names{index}"] = chunk
        g.attrs["weight_names"] = np.asarray([b"k", b"b"])     # not chunked, also fixed-length
        expected["chunked"] = {"layer_names": [n.decode() for n in names], "weight_names": ["k", "b"]}

        f.create_dataset("with_attrs", data=np.zeros((2,), dtype=np.float32))
        f["with_attrs"].attrs["note"] = "attribute on a dataset"

    with h5py.File(path, "r") as f:
        for name in f.attrs:
            attr = f.attrs.get_id(name)
            entry = {"type": describe_type(attr.get_type()), "shape": list(attr.shape)}
            value = f.attrs[name]
            if entry["type"]["class"] == "string":
                entry["values"] = string_values(value)
            else:
                entry["values"] = floats(value)
                if entry["type"]["class"] == "integer":
                    entry["ints"] = [int(v) for v in np.asarray(value).ravel()]
            expected["attributes"][name] = entry
        expected["dataset_attribute"] = {"path": "/with_attrs", "name": "note", "value": f["with_attrs"].attrs["note"]}
    return expected


def write_datasets(path: Path) -> dict:
    expected: dict = {"datasets": {}}
    rng = np.random.default_rng(20240601)
    with h5py.File(path, "w") as f:
        f["f16"] = np.array([[0.5, -1.25, 65504.0], [1e-3, -0.0, 3.14159]], dtype=np.float16)
        f["f32"] = rng.standard_normal((3, 4)).astype(np.float32)
        f["f64"] = np.array([0.1, -2.5e-10, 1234567.891, 1e300, -1e300], dtype=np.float64)
        f["f32_big_endian"] = np.array([1.5, -2.25, 1e10], dtype=">f4")
        f["i8"] = np.array([-128, 0, 127], dtype=np.int8)
        f["i32"] = np.array([[1, -2], [300000, -2147483648]], dtype=np.int32)
        f["u16"] = np.array([0, 65535], dtype=np.uint16)
        f["i64_array"] = np.array([5, -6, 2**40], dtype=np.int64)
        f["iteration"] = np.int64(12345678901)                 # SCALAR dataspace, H5T_STD_I64LE
        f["empty_f32"] = np.zeros((0,), dtype=np.float32)
        f["scalar_f64"] = np.float64(2.75)

        # bfloat16 as Keras writes it: OPAQUE of 2 bytes (numpy 'V2'), attribute dtype='bfloat16'.
        bf_values = np.array([[1.0, -2.5], [0.15625, 3.3895313892515355e38], [-0.0, 1.5e-5]], dtype=np.float32)
        bits = (bf_values.view(np.uint32) >> 16).astype("<u2")
        # Keras writes an ml_dtypes bfloat16 array, which h5py stores as OPAQUE with an empty tag;
        # build exactly that type at the low level and write the raw uint16 bits through it.
        opaque = h5py.h5t.create(h5py.h5t.OPAQUE, 2)
        opaque.set_tag(b"")
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_obj_track_times(False)  # as h5py's high level does: no timestamps, reproducible bytes
        dsid = h5py.h5d.create(f.id, b"bf16", opaque, h5py.h5s.create_simple(bits.shape), dcpl=dcpl)
        dsid.write(h5py.h5s.ALL, h5py.h5s.ALL, bits.view(h5py.opaque_dtype(np.dtype("V2"))), mtype=opaque)
        f["bf16"].attrs["dtype"] = "bfloat16"
        # h5py's own opaque dtype carries a tag ("NUMPY:|V4").
        f.create_dataset("opaque_tagged", data=np.array([1, 2], dtype="<u4").view(h5py.opaque_dtype(np.dtype("V4"))))

        f.create_dataset("gzip", data=np.arange(200, dtype=np.float32).reshape(20, 10) / 8,
                         chunks=(5, 5), compression="gzip", compression_opts=4)
        nested = f.create_group("nested/a/b/c")
        nested["leaf"] = np.array([7.0, 8.0], dtype=np.float32)
        f["nested/a/sibling"] = np.array([1], dtype=np.int32)
        f["model_weights/d1/d1/kernel:0"] = np.arange(6, dtype=np.float32).reshape(2, 3)

        # Creation-order tracking makes libhdf5 use new-style object headers, which record
        # timestamps unless told not to: switch them off so the fixture is byte-reproducible.
        def untimed_group(parent, name: str, track_order: bool = False):
            gcpl = h5py.h5p.create(h5py.h5p.GROUP_CREATE)
            gcpl.set_obj_track_times(False)
            if track_order:
                gcpl.set_link_creation_order(h5py.h5p.CRT_ORDER_TRACKED | h5py.h5p.CRT_ORDER_INDEXED)
            h5py.h5g.create(parent.id, name.encode(), gcpl=gcpl)
            return parent[name]

        ordered = untimed_group(f, "ordered", track_order=True)
        untimed_group(ordered, "zeta")
        ordered.create_dataset("alpha", data=np.zeros((1,), dtype=np.float32), track_times=False)
        untimed_group(ordered, "mid")

        # Declared but never written (contiguous storage is allocated late, so the file stays
        # tiny): reading must be refused before allocating; the shape must still be readable.
        f.create_dataset("huge_unallocated", shape=(1 << 20, 1 << 20), dtype=np.float32)
        f.create_dataset("medium_unallocated", shape=(8192, 8192), dtype=np.float32)
        f.create_dataset("small_unallocated", shape=(4, 4), dtype=np.float32, fillvalue=1.5)

        f.create_dataset("strings_ds", data=np.array(["a", "b"], dtype=object), dtype=h5py.string_dtype())
        f["compound"] = np.array([(1, 2.0)], dtype=[("a", "i4"), ("b", "f8")])

        expected["bf16_bits"] = bits.ravel().astype(int).tolist()

    with h5py.File(path, "r") as f:
        for name in ["f16", "f32", "f64", "f32_big_endian", "i8", "i32", "u16", "i64_array", "iteration",
                     "empty_f32", "scalar_f64", "gzip", "nested/a/b/c/leaf", "model_weights/d1/d1/kernel:0"]:
            ds = f[name]
            expected["datasets"][name] = {
                "dtype": str(ds.dtype),
                "shape": list(ds.shape),
                "values": floats(ds[()]),
                # what a float32 read must give: h5py/numpy round-to-nearest of the stored value
                "float32": floats(to_float32(ds[()])),
            }
        expected["datasets"]["iteration"]["int"] = int(f["iteration"][()])
        expected["datasets"]["i64_array"]["ints"] = [int(v) for v in f["i64_array"][()]]
        expected["opaque_tagged"] = {"size": 4, "tag": f["opaque_tagged"].id.get_type().get_tag().decode(),
                                     "bytes": np.array([1, 2], dtype="<u4").view(np.uint8).astype(int).tolist()}
        expected["bf16"] = {"shape": list(f["bf16"].shape), "dtype_attr": f["bf16"].attrs["dtype"],
                            # bfloat16 keeps the top 16 bits: the exact widened values, not bf_values
                            "floats": floats((bits.astype(np.uint32) << 16).view(np.float32))}
        expected["ordered"] = {"creation": list(f["ordered"].keys()), "name": sorted(f["ordered"].keys())}
        walk: list = []
        f.visit(walk.append)
        expected["walk"] = walk
        expected["root_children"] = sorted(f.keys())
    return expected


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.iterdir():
        old.unlink()
    expected = {
        "h5py": h5py.__version__,
        "hdf5": h5py.version.hdf5_version,
        "strings": write_strings(OUT / "strings.h5"),
        "datasets": write_datasets(OUT / "datasets.h5"),
    }

    # A truncated HDF5 file: the first 2 KB of an HDF5 file whose superblock says it is longer.
    with h5py.File(OUT / "full_for_truncation.tmp", "w") as f:
        f["data"] = np.arange(4096, dtype=np.float32)
    data = (OUT / "full_for_truncation.tmp").read_bytes()
    (OUT / "full_for_truncation.tmp").unlink()
    (OUT / "truncated.h5").write_bytes(data[:2048])
    expected["truncated"] = {"original_size": len(data), "kept": 2048}

    (OUT / "not_hdf5.h5").write_text("this is a text file, not HDF5\n")

    (OUT / "expected.json").write_text(json.dumps(expected, indent=1, ensure_ascii=False) + "\n")
    total = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"wrote {len(list(OUT.iterdir()))} files, {total} bytes, into {OUT}")


if __name__ == "__main__":
    main()
