#!/usr/bin/env python3
"""The access rule of KerasPort's modules, applied mechanically (issue 16: public only what users call).

Files matched by PACKAGE below hold machinery the modules share among themselves: every `public` in them becomes
`package` (Swift 5.9+ package access; the CLI, the examples and the test targets are members of the package and
keep seeing it). Every other file keeps `public` for what users call; in the few files listed in MIXED, entry
points stay `public` and helpers were made `package` by hand (review new declarations there).

    tools/access_rules.py --check   # lists files under a PACKAGE rule that still say `public` (exit 1 if any)
    tools/access_rules.py --apply   # rewrites them (run after merging new layer/op/emitter files, then build)

Only declaration keywords are rewritten: comment lines and string literals are left alone.
"""
import fnmatch
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent

# Files whose declarations are all `package` (glob patterns relative to the repository root; `**` spans folders).
PACKAGE = [
    "Sources/HDF5/**",                                   # all of it: only KerasFormat reads HDF5
    "Sources/TensorModule/**",                           # ops, kernels, runtime (Tensor itself is an exception)
    "Sources/KerasGraph/GraphAnalysis.swift",            # shape inference the codecs and the runtime share
    "Sources/KerasFormat/Config/**",                     # LayerConfig, registry, decoders' helpers, JSON
    "Sources/KerasFormat/Layers/**",                     # X+Config.swift: init(config:) and configJSON(dialect:)
    "Sources/KerasFormat/Weights/**",                    # weight assignment and layouts
    "Sources/KerasFormat/Files/KerasArchiveReader.swift",
    "Sources/KerasFormat/Writers/**",                    # writers' internals (entry points are exceptions)
    "Sources/KerasInference/**",                         # RunnableLayer, compiled layers, plans, masks
    "Sources/KerasExport/ONNX/ONNXLayerEmitter*",        # emitters and the graph builder
    "Sources/KerasExport/ONNX/ONNXGraphBuilder.swift",
    "Sources/KerasExport/PyTorch/PyTorchGraphEmitter*",
    "Sources/KerasExport/PyTorch/PyTorchPrelude.swift",
    "Sources/KerasPlot/**",                              # no product exposes these two modules
    "Sources/KerasPortTooling/**",
]

# Public front doors: `public` stays for the user-facing declarations, helpers in them are `package` by hand.
MIXED = [
    "Sources/TensorModule/Tensor.swift",                 # Tensor: shape, scalars, initialisers
    "Sources/TensorModule/TensorError.swift",
    "Sources/KerasFormat/Writers/KerasFileWriter.swift", # KerasFileWriter.write
    "Sources/KerasFormat/Writers/KerasWriteFormat.swift",
    "Sources/KerasFormat/Files/KerasFile.swift",         # KerasFile.open, loadGraph (not in a PACKAGE folder;
    "Sources/KerasFormat/FormatError.swift",             #   listed here as the files reviewed by hand)
    "Sources/KerasInference/CompiledModel.swift",        # CompiledModel(graph:), predict
    "Sources/KerasInference/InferenceError.swift",
]

PUBLIC = re.compile(r'(?<![\w."])public(?=[\s(])')


def matches(rel: str, patterns) -> bool:
    return any(fnmatch.fnmatch(rel, p.replace("**", "*")) for p in patterns)


def package_files():
    for path in sorted((ROOT / "Sources").rglob("*.swift")):
        rel = path.relative_to(ROOT).as_posix()
        if matches(rel, PACKAGE) and not matches(rel, MIXED):
            yield path, rel


def rewrite(text: str) -> str:
    out = []
    for line in text.split("\n"):
        stripped = line.lstrip()
        if stripped.startswith("//"):
            out.append(line)
            continue
        code, quote = line, line.find('"')
        head, tail = (code[:quote], code[quote:]) if quote >= 0 else (code, "")
        if re.match(r"public import ", head):
            out.append(line[len("public "):])   # a plain import: `package import` beside plain ones is ambiguous
            continue
        out.append(PUBLIC.sub("package", head) + tail)
    return "\n".join(out)


def main() -> int:
    mode = sys.argv[1] if len(sys.argv) > 1 else "--check"
    if mode not in ("--check", "--apply"):
        print(__doc__)
        return 64
    pending = []
    for path, rel in package_files():
        text = path.read_text()
        new = rewrite(text)
        if new != text:
            pending.append(rel)
            if mode == "--apply":
                path.write_text(new)
    for rel in pending:
        print(("rewrote " if mode == "--apply" else "public in a package-only file: ") + rel)
    return 1 if pending and mode == "--check" else 0


if __name__ == "__main__":
    sys.exit(main())
