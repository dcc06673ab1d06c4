public import Foundation

/// A Triton Inference Server model repository entry for an exported ONNX model:
/// `<repository>/<name>/config.pbtxt` (platform `onnxruntime_onnx`) and `<repository>/<name>/1/model.onnx`.
public struct TritonModelRepository: Sendable {
    public var name: String
    /// The largest batch Triton may form; the batch axis is left out of the declared dims.
    public var maxBatchSize: Int
    public var inputs: [ONNXTensorSignature]
    public var outputs: [ONNXTensorSignature]

    public init(name: String, maxBatchSize: Int, inputs: [ONNXTensorSignature], outputs: [ONNXTensorSignature]) {
        self.name = name
        self.maxBatchSize = maxBatchSize
        self.inputs = inputs
        self.outputs = outputs
    }

    /// Whether `name` is usable as a Triton model name and folder name.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && name.unicodeScalars.allSatisfy {
            CharacterSet.alphanumerics.contains($0) && $0.isASCII || "_-.".unicodeScalars.contains($0)
        }
    }

    /// `config.pbtxt` in protobuf text format (Triton's `inference.ModelConfig`).
    public var configText: String {
        func quoted(_ s: String) -> String {
            "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        func tensors(_ key: String, _ list: [ONNXTensorSignature]) -> String {
            let items = list.map { t in
                let dims = t.shape.dropFirst().map { $0.map(String.init) ?? "-1" }.joined(separator: ", ")
                return "  {\n    name: \(quoted(t.name))\n    data_type: \(t.elementType.tritonName)\n    dims: [ \(dims) ]\n  }"
            }
            return "\(key) [\n" + items.joined(separator: ",\n") + "\n]\n"
        }
        return "name: \(quoted(name))\nplatform: \"onnxruntime_onnx\"\nmax_batch_size: \(maxBatchSize)\n"
            + tensors("input", inputs) + tensors("output", outputs)
    }

    /// Writes `config.pbtxt` and `1/model.onnx` under `repository/name`; returns the model folder.
    /// - Throws: when the name is unusable, a file exists and `force` is off, or writing fails.
    @discardableResult
    public func write(model: Data, to repository: URL, force: Bool = false) throws -> URL {
        guard Self.isValidName(name) else {
            throw ONNXExportError("Triton model name `\(name)` must be letters, digits, `_`, `-` or `.`")
        }
        let folder = repository.appendingPathComponent(name, isDirectory: true)
        let version = folder.appendingPathComponent("1", isDirectory: true)
        let config = folder.appendingPathComponent("config.pbtxt"), onnx = version.appendingPathComponent("model.onnx")
        let fm = FileManager.default
        if !force {
            for f in [config, onnx] where fm.fileExists(atPath: f.path) {
                throw ONNXExportError("\(f.path) exists (use --force to overwrite)")
            }
        }
        try fm.createDirectory(at: version, withIntermediateDirectories: true)
        try model.write(to: onnx, options: .atomic)
        try Data(configText.utf8).write(to: config, options: .atomic)
        return folder
    }
}
