#!/usr/bin/env bash
# Regenerates Sources/ONNXProto/onnx.pb.swift from tools/onnx/onnx.proto. Not run by CI or tools/test.sh:
# the generated file is committed (building the plugin takes ~10 minutes on a small machine).
#
# tools/onnx/onnx.proto is onnx/onnx.proto from the PyPI `onnx` package pinned in tools/requirements-export.txt
# (onnx 1.23.2; proto2, package `onnx`, IR version 13). To take a newer one:
#   cp tools/.venv/lib/python3*/site-packages/onnx/onnx.proto tools/onnx/onnx.proto
#
# Needs protoc (Debian: apt-get install -y protobuf-compiler; 3.21 was used) and protoc-gen-swift from
# apple/swift-protobuf at the version Package.swift resolves (1.39.0 was used):
#   git clone https://github.com/apple/swift-protobuf /tmp/swift-protobuf
#   git -C /tmp/swift-protobuf checkout 1.39.0
#   (cd /tmp/swift-protobuf && swift build -c release --product protoc-gen-swift)
# Usage: tools/generate_onnx_proto.sh [PATH/TO/protoc-gen-swift]   (default /tmp/swift-protobuf/.build/release/protoc-gen-swift)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
plugin="${1:-/tmp/swift-protobuf/.build/release/protoc-gen-swift}"
[[ -x "$plugin" ]] || { echo "generate_onnx_proto.sh: protoc-gen-swift not found at $plugin" >&2; exit 1; }
command -v protoc >/dev/null || { echo "generate_onnx_proto.sh: protoc not found (apt-get install -y protobuf-compiler)" >&2; exit 1; }
protoc --plugin=protoc-gen-swift="$plugin" \
    --proto_path="$here/onnx" \
    --swift_opt=Visibility=Public \
    --swift_out="$root/Sources/ONNXProto" \
    onnx.proto
echo "wrote $root/Sources/ONNXProto/onnx.pb.swift"
