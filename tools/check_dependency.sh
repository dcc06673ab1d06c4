#!/usr/bin/env bash
# Proves that KerasPort can be depended on by version: clones this repository's HEAD into a temporary folder, tags
# it, and builds a fresh package that depends on the `KerasPort` product with `from:` (SwiftPM refuses packages
# with unsafeFlags there) and opens and runs the bundled example model in 5 lines.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)
work=$(mktemp -d /tmp/keras-port-dependency.XXXXXX)
trap 'rm -rf "$work"' EXIT
git clone --quiet "$root" "$work/KerasPort"
git -C "$work/KerasPort" tag 99.0.0
mkdir -p "$work/App/Sources/App"
cat > "$work/App/Package.swift" <<SWIFT
// swift-tools-version:6.0
import PackageDescription
let package = Package(
    name: "App",
    dependencies: [.package(url: "file://$work/KerasPort", from: "99.0.0")],
    targets: [.executableTarget(name: "App", dependencies: [.product(name: "KerasPort", package: "KerasPort")])]
)
SWIFT
cat > "$work/App/Sources/App/main.swift" <<'SWIFT'
import Foundation
import KerasPort
let model = try KerasModel(contentsOf: URL(fileURLWithPath: CommandLine.arguments[1]))
let y = try model.predict([Tensor(shape: [1, 8, 8, 3], repeating: 0.5)])
print(model.inputs[0].name, y[0].shape, model.activations.map(\.layer))
SWIFT
echo "=== building a fresh package that depends on KerasPort from: 99.0.0 (a local tag of HEAD)"
(cd "$work/App" && swift build >"$work/build.log" 2>&1) || { tail -30 "$work/build.log"; exit 1; }
out=$("$work/App/.build/debug/App" "$root/Fixtures/models/example/model.h5")
echo "$out"
[ "$out" = 'image [1, 3] ["prelu1", "lrelu2"]' ] || { echo "unexpected output from the dependent package" >&2; exit 1; }
# The package's machinery is not part of its API: `package` declarations (ops, LayerConfig, compiled layers), the
# HDF5 module and the CLI's KerasPortTooling are invisible to a dependent package.
cat > "$work/App/Sources/App/Internals.swift" <<'SWIFT'
import KerasPort
func internals() {
    _ = LayerConfig.self          // KerasFormat: package
    _ = GraphAnalysis.self        // KerasGraph: package
    _ = CompiledLayer.self        // KerasInference: package
    _ = ModelReport.self          // KerasPortTooling: not in the product
    _ = HDF5File.self             // HDF5: not re-exported
    _ = Ops.self                  // TensorModule ops: package
}
SWIFT
if (cd "$work/App" && swift build >"$work/internals.log" 2>&1); then
    echo "package internals are visible to a dependent package" >&2; exit 1
fi
for name in LayerConfig GraphAnalysis CompiledLayer ModelReport HDF5File Ops; do
    grep -q "$name" "$work/internals.log" || { echo "no error for $name:" >&2; tail -20 "$work/internals.log" >&2; exit 1; }
done
echo "package internals: invisible to the dependent package ($(grep -c 'error:' "$work/internals.log") errors, as expected)"
echo "dependency check: passed"
