import ArgumentParser
import Foundation
import KerasExport
import KerasPort

extension KerasPortCommand {
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export a model to another framework's format (ONNX, PyTorch).",
            discussion: """
                --format onnx writes an ONNX model (standard ops, float32, dynamic batch axis) whose inputs and \
                outputs keep Keras' names and channels-last shapes, so .npy inputs made for Keras feed it unchanged. \
                --triton DIR also writes a Triton model repository entry: DIR/NAME/config.pbtxt and \
                DIR/NAME/1/model.onnx (OUT may then be left out). --format pytorch writes OUT/model.safetensors \
                and OUT/model.py (a torch.nn.Module taking and returning Keras' layout). Layers carrying Python \
                code (Lambda) are refused: neither format can hold it.
                """)

        @OptionGroup var model: ModelOptions

        @Option(name: .long, help: "Target format: onnx or pytorch.")
        var format: String

        @Argument(help: "The output: a .onnx file (optional with --triton), or a folder for pytorch.")
        var output: String?

        @Flag(name: .long, help: "pytorch: image inputs and outputs (rank 4 and 5) channels-first (NCHW).")
        var channelsFirst = false

        @Option(name: .long, help: "ONNX opset, \(ONNXExporter.supportedOpsets.lowerBound)–\(ONNXExporter.supportedOpsets.upperBound).")
        var opset: Int = ONNXExporter.defaultOpset

        @Option(name: .long, help: "Layout inside the graph: nchw (convolution stacks channels-first, one transpose at each end) or nhwc (channels-last everywhere, transposes around each convolution).")
        var layout: String = "nchw"

        @Option(name: .long, help: "PReLU as: prelu (ONNX PRelu, slope laid out to broadcast) or decomposed (relu(x) − α·relu(−x), faster in ONNX Runtime on large tensors).")
        var preluForm: String = "prelu"

        @Option(name: .long, help: "onnx: export only these outputs (comma-separated ONNX output names, i.e. the Keras layer names; name_1, … for a layer's further outputs) and the layers they need, e.g. to leave out a part that has no ONNX mapping.")
        var outputs: String?

        @Option(name: .long, help: "Also write a Triton model repository entry under this folder.")
        var triton: String?

        @Option(name: .long, help: "The Triton model name (default: OUT's name without extension, else the Keras model's name).")
        var tritonName: String?

        @Option(name: .long, help: "Triton max_batch_size.")
        var maxBatchSize: Int = 8

        @Flag(name: .long, help: "Replace existing output files.")
        var force = false

        enum Target { case onnx, pytorch }

        func target() throws -> Target {
            switch format {
            case "onnx": return .onnx
            case "pytorch": return .pytorch
            default: throw ValidationError("unknown --format `\(format)`: use onnx or pytorch")
            }
        }

        func validate() throws {
            _ = try target()
            guard ONNXExporter.supportedOpsets.contains(opset) else {
                throw ValidationError("--opset \(opset) is not supported: give \(ONNXExporter.supportedOpsets.lowerBound)–\(ONNXExporter.supportedOpsets.upperBound)")
            }
            guard ONNXExportOptions.Layout(rawValue: layout) != nil else {
                throw ValidationError("unknown --layout `\(layout)`: use nchw or nhwc")
            }
            guard ONNXExportOptions.PReLUForm(rawValue: preluForm) != nil else {
                throw ValidationError("unknown --prelu-form `\(preluForm)`: use prelu or decomposed")
            }
            if try target() == .pytorch {
                if output == nil { throw ValidationError("--format pytorch needs an output folder") }
                if triton != nil { throw ValidationError("--triton applies to --format onnx") }
                if outputs != nil { throw ValidationError("--outputs applies to --format onnx") }
            }
            if output == nil && triton == nil { throw ValidationError("give OUT.onnx, --triton DIR, or both") }
            if maxBatchSize < 1 { throw ValidationError("--max-batch-size must be at least 1") }
            if let name = tritonName, !TritonModelRepository.isValidName(name) {
                throw ValidationError("--triton-name `\(name)`: use letters, digits, `_`, `-` or `.`")
            }
        }

        func run() throws {
            // Python code in a model (Lambda bytecode) has no place in ONNX or PyTorch files: refuse it, by name.
            let architecture = try KerasFile.open(model.model, architecture: model.config).architecture
            if let first = architecture.layersCarryingExecutableCode.first {
                throw ExportError(message: "\(model.model): \(first); KerasPort never runs it and cannot export it "
                                  + "(\(format) has no way to hold Python code)")
            }
            switch try target() {
            case .onnx:
                try exportONNX()
            case .pytorch:
                print(try ExportPyTorch.run(model: model.model, config: model.config, outputDirectory: output ?? "",
                                            channelsFirst: channelsFirst))
            }
        }

        func exportONNX() throws {
            let graph = try KerasFile.open(model.model, architecture: model.config).loadGraph()
            let options = ONNXExportOptions(opset: opset, layout: ONNXExportOptions.Layout(rawValue: layout) ?? .nchw,
                                            preluForm: ONNXExportOptions.PReLUForm(rawValue: preluForm) ?? .prelu,
                                            producerVersion: KerasPortVersion.string,
                                            outputs: outputs.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } })
            let exported: (model: Data, inputs: [ONNXTensorSignature], outputs: [ONNXTensorSignature])
            do {
                exported = try ONNXExporter.exportWithSignature(graph, options: options)
            } catch {
                throw ModelFileError(file: model.model, underlying: error)
            }
            let data = exported.model
            if let output {
                let url = URL(fileURLWithPath: output)
                let protected = [model.model] + (model.config.map { [$0] } ?? [])
                if protected.contains(where: { URL(fileURLWithPath: $0).standardizedFileURL == url.standardizedFileURL }) {
                    throw ExportError(message: "\(output): the output would overwrite an input file")
                }
                if !force && FileManager.default.fileExists(atPath: output) {
                    throw ExportError(message: "\(output) exists (use --force to overwrite)")
                }
                try data.write(to: url, options: .atomic)
                print("wrote \(output) (ONNX opset \(opset), \(layout), \(data.count) bytes)")
            }
            if let triton {
                let name = tritonName ?? output.map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent }
                    ?? graph.name
                let repo = TritonModelRepository(name: name, maxBatchSize: maxBatchSize, inputs: exported.inputs,
                                                 outputs: exported.outputs)
                let folder = try repo.write(model: data, to: URL(fileURLWithPath: triton, isDirectory: true), force: force)
                print("wrote \(folder.path)/config.pbtxt and \(folder.path)/1/model.onnx")
            }
        }
    }
}

struct ExportError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
