import ArgumentParser
import Foundation
import KerasPort
import KerasPortTooling

extension KerasPortCommand {
    struct Predict: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a model on .npy inputs and write .npy outputs.",
            discussion: """
                Inputs are given in the model's input order, outputs written in its output order. \
                float16/32/64 and integer .npy arrays are accepted (C order); outputs are float32.
                """)

        @OptionGroup var model: ModelOptions

        @Option(name: .long, help: "An input .npy file (repeat for each model input, in order).")
        var input: [String] = []

        @Option(name: .long, help: "Where to write an output .npy (repeat for each model output, in order).")
        var output: [String] = []

        @Flag(name: .long, help: "Print each output's shape and first values (the default when no --output is given).")
        var summary = false

        @Option(name: .long, help: "A folder of per-layer Keras outputs (<layer>.npy): report the first layer whose output diverges.")
        var compareLayers: String?

        @Option(name: .long, help: "Relative tolerance for --compare-layers.")
        var rtol: Float = 1e-4

        @Option(name: .long, help: "Absolute tolerance for --compare-layers.")
        var atol: Float = 1e-5

        func validate() throws {
            if input.isEmpty { throw ValidationError("give at least one --input X.npy") }
        }

        func run() throws {
            let compiled: CompiledModel
            do {
                // The graph is released once compiled: the model then holds the kernels it packed only once.
                // Handed over, not copied: the compiled model frees each kernel it packs as it goes. The file is
                // closed meanwhile, on another thread.
                compiled = try KerasFile.withGraph(at: model.model, architecture: model.config) { graph in
                    var graph: ModelGraph? = consume graph
                    return try naming(model.model) { try CompiledModel(graph.take()!) }
                }
            }
            let modelOutputs = compiled.structure.outputs
            if !output.isEmpty && output.count != modelOutputs.count {
                throw ValidationError("\(model.model): the model has \(modelOutputs.count) outputs (\(modelOutputs.map(\.layer).joined(separator: ", "))); give that many --output files, or none")
            }
            let inputs = try input.map { try readNPY(contentsOf: URL(fileURLWithPath: $0)) }
            let outputs: [Tensor]
            if let dir = compareLayers {
                var comparison = LayerComparison(folder: dir, rtol: rtol, atol: atol)
                outputs = try naming(model.model) {
                    try compiled.predict(inputs) { layer, call, outs in comparison.check(layer: layer, call: call, outputs: outs) }
                }
                print(comparison.report())
            } else {
                outputs = try naming(model.model) { try compiled.predict(inputs) }
            }
            for (t, path) in zip(outputs, output) { try writeNPY(t, to: URL(fileURLWithPath: path)) }
            if summary || output.isEmpty {
                for (i, t) in outputs.enumerated() {
                    let name = modelOutputs[i].layer
                    let head = t.scalars.prefix(8).map { String(format: "%.6g", Double($0)) }.joined(separator: ", ")
                    print("output \(i) `\(name)`: shape \(t.shape) [\(head)\(t.count > 8 ? ", …" : "")]")
                }
            }
        }
    }
}

/// An error about a model's layers (they name the layer, not the file), reported with the model file in front.
struct ModelFileError: Error, CustomStringConvertible {
    var file: String
    var underlying: any Error
    var description: String { "\(file): \(underlying)" }
}

/// Runs `body`; a graph or inference error is rethrown naming `file`, so the one-line message names the file too.
func naming<T>(_ file: String, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let e as GraphError {
        throw ModelFileError(file: file, underlying: e)
    } catch let e as InferenceError {
        throw ModelFileError(file: file, underlying: e)
    }
}
