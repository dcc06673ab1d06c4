public import Foundation

/// A Keras model opened from a file: its graph (layers, weights, activation parameters), inference, and writing.
/// The front door of KerasPort:
///
/// ```swift
/// import KerasPort
///
/// let model = try KerasModel(contentsOf: URL(fileURLWithPath: "model.h5"))
/// let y = try model.predict([Tensor(shape: [1, 28, 28, 1], repeating: 0.5)])
/// for a in model.activations { print(a.layer, a.kind, a.alphaShape) }
/// try model.write(to: URL(fileURLWithPath: "model.keras"), format: .keras)
/// ```
///
/// Any file flavour opens (legacy `.h5`, `.weights.h5` and sharded weights with `architecture:`, `.keras`); the
/// kind is detected from the content, not the name. Opening reads every weight and compiles the model for
/// inference; a model holding a layer KerasPort cannot run still opens (for inspection and conversion) and its
/// ``predict(_:)`` throws an error naming that layer.
///
/// Immutable and `Sendable`: ``predict(_:)`` may be called from many threads at once.
public final class KerasModel: Sendable {
    /// The file the model was read from.
    public let url: URL
    /// The file's kind.
    public let format: KerasFileFormat
    /// `keras_version` as the file states it, when it does.
    public let kerasVersion: String?
    /// The model graph: typed layers, topology and weights.
    ///
    /// A runnable model keeps the kernels it runs on the direct GEMM kernel only in that kernel's packed layout
    /// (one copy of the weights in memory, not two); this property rebuilds them (bit for bit) at each read, a copy
    /// of those weights: keep the result rather than reading it repeatedly. See `CompiledModel.graph`.
    public var graph: ModelGraph {
        switch compiled {
        case .success(let model): return model.graph
        case .failure: return uncompiledGraph!   // set whenever compiling failed
        }
    }
    /// The graph without the packed kernels' values (inputs, outputs, activation parameters need no more).
    private var structure: ModelGraph {
        switch compiled {
        case .success(let model): return model.structure
        case .failure: return uncompiledGraph!   // set whenever compiling failed
        }
    }
    /// The graph of a model that did not compile (else `nil`: the compiled model holds it).
    private let uncompiledGraph: ModelGraph?
    /// The compiled model, or why the model cannot run.
    private let compiled: Result<CompiledModel, KerasPortError>

    /// Opens the Keras file at `url`.
    ///
    /// - Parameters:
    ///   - url: a model or weights file.
    ///   - architecture: a `model.to_json()` file, needed for weights-only files.
    /// - Throws: ``KerasPortError`` naming the file, and the layer or weight at fault.
    public init(contentsOf url: URL, architecture: URL? = nil) throws(KerasPortError) {
        self.url = url
        let outcome: (compiled: Result<CompiledModel, KerasPortError>, uncompiled: ModelGraph?)
        do {
            let file = try KerasFile.open(url.path, architecture: architecture?.path)
            format = file.format
            kerasVersion = file.kerasVersion
            // Compiled while the file is closed on another thread.
            outcome = try KerasFile.withGraph(of: consume file) { graph in
                do {
                    return (.success(try CompiledModel(graph)), nil)
                } catch {
                    return (.failure(KerasPortError.wrapping(error, kind: .unsupported, file: url)), graph)
                }
            }
        } catch {
            var e = KerasPortError.wrapping(error, kind: .invalidFile, file: url)
            if !FileManager.default.fileExists(atPath: url.path) { e.kind = .fileNotFound }
            throw e
        }
        compiled = outcome.compiled
        uncompiledGraph = outcome.uncompiled
    }

    /// The model's inputs, in order: name and shape (batch axis first, `nil` where any size fits).
    public var inputs: [(name: String, shape: [Int?])] {
        let shapes = (try? compiled.get().inputShapes) ?? []
        return structure.inputs.enumerated().map { i, ref in (ref.layer, i < shapes.count ? shapes[i] ?? [] : []) }
    }

    /// The model's outputs, in order: the producing layer's name and the shape, when it is known.
    public var outputs: [(name: String, shape: [Int?]?)] {
        let shapes = (try? compiled.get().outputShapes) ?? []
        return structure.outputs.enumerated().map { i, ref in (ref.layer, i < shapes.count ? shapes[i] : nil) }
    }

    /// True when KerasPort can run every layer of the model.
    public var isRunnable: Bool {
        if case .success = compiled { return true }
        return false
    }

    /// Every LeakyReLU and PReLU layer (nested models included), in model order, with its parameters.
    public var activations: [ActivationParameters] { ActivationParameters.all(in: structure) }

    /// Runs the model on one tensor per input (batch axis first, channels last, as Keras takes them) and returns
    /// one tensor per output.
    /// - Throws: ``KerasPortError`` of kind ``KerasPortError/Kind/unsupported`` when a layer cannot run, or
    ///   ``KerasPortError/Kind/invalidInput`` naming the input whose shape does not fit.
    public func predict(_ inputs: [Tensor]) throws(KerasPortError) -> [Tensor] {
        let model = try compiled.get()
        do {
            return try model.predict(inputs)
        } catch {
            throw KerasPortError.wrapping(error, kind: .invalidInput, file: url)
        }
    }

    /// Runs a single-input, single-output model on `values` laid out row-major in `shape` (batch axis first), for
    /// callers who do not want to use `Tensor`. Returns the output's values and shape.
    public func predict(_ values: [Float], shape: [Int]) throws(KerasPortError) -> (values: [Float], shape: [Int]) {
        let structure = self.structure
        guard structure.inputs.count == 1, structure.outputs.count == 1 else {
            throw KerasPortError(kind: .invalidInput, file: url, message: "\(url.path): predict(_:shape:) needs a model "
                                 + "with one input and one output; this one has \(structure.inputs.count) and "
                                 + "\(structure.outputs.count): use predict(_: [Tensor])")
        }
        guard let x = Tensor(validatingShape: shape, scalars: values) else {
            throw KerasPortError(kind: .invalidInput, file: url, message: "\(url.path): input: \(values.count) values "
                                 + "do not fill shape \(shape)")
        }
        let y = try predict([x])[0]
        return (y.scalars, y.shape)
    }

    /// Writes the model as `format` to `url` (complete or not at all; an existing file is replaced only with
    /// `overwrite`). `KerasWriteFormat(fileName:)` infers a format from a file name.
    public func write(to url: URL, format: KerasWriteFormat, overwrite: Bool = false) throws(KerasPortError) {
        do {
            try KerasFileWriter.write(graph, to: url.path, format: format, overwrite: overwrite,
                                      protecting: [self.url.path])
        } catch {
            throw KerasPortError.wrapping(error, kind: .writeFailed, file: url)
        }
    }
}

/// A LeakyReLU's or PReLU's parameters, as ``KerasModel/activations`` lists them.
public struct ActivationParameters: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case leakyReLU = "LeakyReLU"
        case pReLU = "PReLU"
    }

    /// The layer's path: `lrelu`, or `backbone/prelu` inside the nested model `backbone`.
    public var layer: String
    public var kind: Kind
    /// LeakyReLU's slope (`alpha` in Keras 2, `negative_slope` in Keras 3); `nil` for PReLU.
    public var slope: Float?
    /// PReLU's `shared_axes` (`nil` when none); `nil` for LeakyReLU.
    public var sharedAxes: [Int]?
    /// PReLU's alpha shape: the layer input's shape without the batch axis, shared axes set to 1; `[]` for LeakyReLU.
    public var alphaShape: [Int]
    /// PReLU's alphas, row-major; `[slope]` for LeakyReLU.
    public var alphas: [Float]

    /// True when some alpha is above 1, where `max(x, α·x)` differs from the piecewise definition (for every α ≤ 1,
    /// negative ones included, the two agree).
    public var differsFromMaxForm: Bool { alphas.contains { $0 > 1 } }

    static func all(in graph: ModelGraph, prefix: String = "") -> [ActivationParameters] {
        var out: [ActivationParameters] = []
        for node in graph.nodes {
            let path = prefix + node.name
            switch node.layer {
            case let l as LeakyReLU:
                out.append(ActivationParameters(layer: path, kind: .leakyReLU, slope: l.negativeSlope,
                                                sharedAxes: nil, alphaShape: [], alphas: [l.negativeSlope]))
            case let p as PReLU:
                let alpha = p.weights.first?.tensor
                out.append(ActivationParameters(layer: path, kind: .pReLU, slope: nil, sharedAxes: p.sharedAxes,
                                                alphaShape: alpha?.shape ?? [], alphas: alpha?.scalars ?? []))
            case let n as NestedModel:
                out += all(in: n.graph, prefix: path + "/")
            default:
                break
            }
        }
        return out
    }
}
