import Foundation
import KerasFormat
import KerasGraph
import TensorModule

/// What `keras-port inspect` shows: the file's format and version, inputs and outputs, every layer (nested
/// models' layers with their model's name as a path prefix) with its output shape, parameters and inbound
/// layers, and the activation parameters — LeakyReLU/ReLU slopes and PReLU alphas — with warnings where
/// `max(x, αx)` and the piecewise definition disagree (alphas above 1), and negative alphas.
///
/// Building a report reads no weight values except the PReLU alphas.
package struct ModelReport {
    package struct WeightInfo {
        package var name: String
        package var shape: [Int]
        package var dtype: String
    }

    package struct AlphaInfo {
        package var shape: [Int]
        package var min: Float
        package var max: Float
        package var mean: Float
        package var values: [Float]
        /// Counts of alphas that are negative, above 1, or not finite.
        package var negative: Int
        package var aboveOne: Int
        package var nonFinite: Int
    }

    package struct LayerInfo {
        /// `dense`, or `backbone/dense` inside the nested model `backbone`.
        package var path: String
        /// The model the layer belongs to (the top model's name, or the nested model's).
        package var model: String
        package var className: String
        package var outputShapes: [Shape?]
        package var inbound: [String]
        package var parameterCount: Int
        package var weights: [WeightInfo]
        package var activation: String?
        package var negativeSlope: Float?
        package var maxValue: Float?
        package var threshold: Float?
        package var sharedAxes: [Int]?
        package var sharing: String?
        package var alpha: AlphaInfo?
        package var notes: [String]
        package var isNestedModel: Bool
        package var isSupported: Bool
        /// The Python code the layer's config carries (a Lambda's marshalled bytecode), which KerasPort never runs.
        package var executableCode: String?
    }

    package var file: String
    package var format: KerasFileFormat
    package var kerasVersion: String?
    package var backend: String?
    package var modelName: String
    package var modelClass: String
    package var inputs: [(name: String, shape: Shape?)]
    package var outputs: [(name: String, shape: Shape?)]
    package var layers: [LayerInfo]
    package var warnings: [String]
    package var totalParameters: Int
    package var trainableParameters: Int

    /// Builds the report for an opened file.
    /// - Parameters:
    ///   - file: the opened file.
    ///   - includeAlphaValues: keep every alpha value (for `--alphas` and `--json --alphas`).
    package init(file: KerasFile, includeAlphaValues: Bool = false) throws {
        self.file = file.path
        format = file.format
        kerasVersion = file.kerasVersion
        backend = file.backend
        let graph = file.architecture
        modelName = graph.name
        modelClass = graph.kind.rawValue
        inputs = graph.inputs.enumerated().map { ($1.layer, file.analysis.modelInputShapes[$0]) }
        outputs = graph.outputs.enumerated().map { ($1.layer, file.analysis.modelOutputShapes[$0]) }
        layers = []
        warnings = []
        totalParameters = 0
        trainableParameters = 0
        try collect(graph: graph, analysis: file.analysis, prefix: [], trainable: true, file: file, includeAlphaValues: includeAlphaValues)
        for l in layers where !l.isNestedModel {
            for note in l.notes { warnings.append("layer `\(l.path)` (\(l.className)): \(note)") }
        }
    }

    private mutating func collect(graph: ModelGraph, analysis: GraphAnalysis?, prefix: [String], trainable: Bool,
                                  file: KerasFile, includeAlphaValues: Bool) throws {
        for (n, node) in graph.nodes.enumerated() {
            let path = prefix + [node.name]
            let layer = node.layer
            var outs: [Shape?] = []
            if let analysis {
                if layer is InputLayer {
                    outs = [analysis.shape(of: TensorRef(layer: node.name))]
                } else if let o = analysis.outputShapes[GraphAnalysis.CallID(node: n, call: 0)] {
                    outs = o
                } else {
                    outs = [nil]
                }
            }
            var info = LayerInfo(path: path.joined(separator: "/"), model: prefix.last ?? graph.name, className: layer.className,
                                 outputShapes: outs,
                                 inbound: node.calls.first?.inputs.map(\.layer) ?? [],
                                 parameterCount: 0, weights: [], notes: [], isNestedModel: layer is NestedModel,
                                 isSupported: !(layer is OpaqueLayer))
            let stored = file.storedWeights(ofLayerAt: path)
            info.weights = stored.map { WeightInfo(name: $0.shortName, shape: $0.shape, dtype: $0.storageType.rawValue) }
            info.parameterCount = stored.reduce(0) { $0 + $1.count }
            describeActivation(layer, into: &info)
            if let code = ModelGraph.executableCode(in: layer) {
                info.executableCode = code
                info.notes.append("carries executable code: \(code); KerasPort never runs it (Keras runs it when loading with safe_mode=False)")
            }
            if let prelu = layer as? PReLU {
                info.sharedAxes = prelu.sharedAxes
                if let alpha = try file.loadWeights(ofLayerAt: path).first?.tensor {
                    info.alpha = Self.alphaInfo(alpha, keepValues: includeAlphaValues)
                    info.sharing = PReLU.sharing(ofAlphaShape: alpha.shape).rawValue
                    if let a = info.alpha {
                        if a.aboveOne > 0 {
                            info.notes.append("\(a.aboveOne) alphas > 1: max(x, alpha·x) differs from the piecewise definition here (KerasPort and Keras compute the piecewise form)")
                        }
                        if a.negative > 0 {
                            info.notes.append("\(a.negative) alphas < 0: the response is not monotonic (it equals max(x, alpha·x) there, as for every alpha ≤ 1)")
                        }
                        if a.nonFinite > 0 { info.notes.append("\(a.nonFinite) alphas are NaN or infinite") }
                    }
                }
            }
            layers.append(info)
            let layerTrainable = trainable && layer.common.trainable
            if !(layer is NestedModel) {
                totalParameters += info.parameterCount
                if layerTrainable {
                    trainableParameters += stored.filter { !$0.shortName.hasPrefix("moving_") }.reduce(0) { $0 + $1.count }
                }
            }
            if let nested = layer as? NestedModel {
                let inner = analysis.flatMap { a in nested.graph.nodes.isEmpty ? nil : a.nested[GraphAnalysis.CallID(node: n, call: 0)] }
                let before = layers.count - 1
                try collect(graph: nested.graph, analysis: inner, prefix: path, trainable: layerTrainable,
                            file: file, includeAlphaValues: includeAlphaValues)
                layers[before].parameterCount = layers[(before + 1)...].filter { $0.path.hasPrefix(info.path + "/") && !$0.isNestedModel }
                    .reduce(0) { $0 + $1.parameterCount }
            }
        }
    }

    private func describeActivation(_ layer: any Layer, into info: inout LayerInfo) {
        switch layer {
        case let l as LeakyReLU:
            info.negativeSlope = l.negativeSlope
            slopeNotes(l.negativeSlope, into: &info)
        case let l as ReLU:
            info.negativeSlope = l.negativeSlope
            info.maxValue = l.maxValue
            info.threshold = l.threshold
            if l.maxValue == nil && l.threshold == 0 { slopeNotes(l.negativeSlope, into: &info) }
        default:
            break
        }
        if let fn = Self.activation(of: layer) {
            info.activation = Self.name(of: fn.function)
            if case let .leakyReLU(s) = fn.function {
                info.negativeSlope = s
                slopeNotes(s, into: &info)
            }
        }
    }

    private func slopeNotes(_ s: Float, into info: inout LayerInfo) {
        if s > 1 {
            info.notes.append("slope \(s) > 1: max(x, slope·x) gives other results than the piecewise definition; Keras 3's NumPy backend computes the max form and disagrees with TensorFlow, JAX, PyTorch and KerasPort")
        } else if s < 0 {
            info.notes.append("slope \(s) < 0: Keras 3 refuses a negative negative_slope when loading this layer")
        }
        if !s.isFinite { info.notes.append("slope is not finite") }
    }

    /// The `activation` of layers that have one.
    static func activation(of layer: any Layer) -> Activation? {
        switch layer {
        case let l as Dense: return l.activation
        case let l as Conv1D: return l.activation
        case let l as Conv2D: return l.activation
        case let l as DepthwiseConv2D: return l.activation
        case let l as SeparableConv2D: return l.activation
        case let l as Conv3D: return l.activation
        case let l as Conv1DTranspose: return l.activation
        case let l as Conv3DTranspose: return l.activation
        case let l as DepthwiseConv1D: return l.activation
        case let l as SeparableConv1D: return l.activation
        case let l as Conv2DTranspose: return l.activation
        case let l as ActivationLayer: return l.activation
        default: return nil
        }
    }

    /// Keras' name of `f` (``ActivationFunction/kerasName``), with the arguments that differ from what the name alone
    /// gives.
    static func name(of f: ActivationFunction) -> String {
        switch f {
        case let .leakyReLU(s): return "leaky_relu(negative_slope=\(s))"
        case let .elu(a) where a != 1: return "elu(alpha=\(a))"
        case .gelu(approximate: true): return "gelu(approximate=True)"
        case let .hardSigmoid(v): return "hard_sigmoid(\(v.rawValue))"
        case let .softmax(axis) where axis != -1: return "softmax(axis=\(axis))"
        case let .celu(a) where a != 1: return "celu(alpha=\(a))"
        case let .hardShrink(t) where t != 0.5: return "hard_shrink(threshold=\(t))"
        case let .softShrink(t) where t != 0.5: return "soft_shrink(threshold=\(t))"
        case let .squareplus(b) where b != 4: return "squareplus(b=\(b))"
        case let .logSoftmax(axis) where axis != -1: return "log_softmax(axis=\(axis))"
        case let .sparsemax(axis) where axis != -1: return "sparsemax(axis=\(axis))"
        default: return f.kerasName
        }
    }

    static func alphaInfo(_ t: Tensor, keepValues: Bool) -> AlphaInfo {
        let finite = t.scalars.filter(\.isFinite)
        let mean = finite.isEmpty ? Float.nan : Float(finite.reduce(0.0) { $0 + Double($1) } / Double(finite.count))
        return AlphaInfo(shape: t.shape, min: t.scalars.min() ?? .nan, max: t.scalars.max() ?? .nan, mean: mean,
                         values: keepValues ? t.scalars : [],
                         negative: t.scalars.filter { $0 < 0 }.count, aboveOne: t.scalars.filter { $0 > 1 }.count,
                         nonFinite: t.count - finite.count)
    }

}
