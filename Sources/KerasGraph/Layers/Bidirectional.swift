/// `keras.layers.Bidirectional`: a recurrent layer run forwards and a copy (or the given `backward_layer`) run
/// backwards over the same input; the backward sequence is reversed back to input order before merging.
///
/// Weights: the forward layer's, then the backward layer's (Keras' order). Outputs: the merged output (`concat`
/// along the last axis, `sum`, `mul`, `ave`), or both outputs with `merge_mode=None`; then, with `return_state`,
/// the forward layer's states and the backward layer's states.
public struct Bidirectional: Layer {
    /// How the two directions' outputs are combined.
    public enum MergeMode: String, Sendable, Equatable, CaseIterable {
        case concat, sum, mul, ave
    }

    public var className: String { "Bidirectional" }
    public var common: LayerCommon
    public var forward: any RecurrentLayer
    public var backward: any RecurrentLayer
    /// `nil`: Keras' `merge_mode=None` (two outputs).
    public var mergeMode: MergeMode?
    /// Whether the config gave `backward_layer` (Keras 3 always writes it; tf_keras only when it was passed).
    public var hasBackwardLayerConfig: Bool

    public init(common: LayerCommon, forward: any RecurrentLayer, backward: any RecurrentLayer,
                mergeMode: MergeMode? = .concat, hasBackwardLayerConfig: Bool = true) {
        self.common = common
        self.forward = forward
        self.backward = backward
        self.mergeMode = mergeMode
        self.hasBackwardLayerConfig = hasBackwardLayerConfig
    }

    /// How many of ``weights`` belong to the forward layer.
    var forwardWeightCount: Int { forward.options.useBias ? 3 : 2 }

    public var weights: [Weight] {
        get { forward.weights + backward.weights }
        set {
            let n = min(forwardWeightCount, newValue.count)
            forward.weights = Array(newValue[..<n])
            backward.weights = Array(newValue[n...])
        }
    }

    /// The weight-name scope of each direction, as tf_keras and Keras 3 name them (`forward_lstm`, `backward_lstm`).
    public var forwardScope: String { forward.name.hasPrefix("forward_") ? forward.name : "forward_" + forward.name }
    public var backwardScope: String { backward.name.hasPrefix("backward_") ? backward.name : "backward_" + backward.name }

    public func weightSpecs(inputShapes: [Shape]) throws -> [WeightSpec] {
        let f = try forward.weightSpecs(inputShapes: inputShapes)
        let b = try backward.weightSpecs(inputShapes: inputShapes)
        return f.map { WeightSpec(name: forwardScope + "/" + $0.name, shape: $0.shape) }
            + b.map { WeightSpec(name: backwardScope + "/" + $0.name, shape: $0.shape) }
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        guard forward.options.returnSequences == backward.options.returnSequences,
              forward.options.returnState == backward.options.returnState else {
            throw configError("the forward and backward layers must agree on `return_sequences` and `return_state`")
        }
        guard backward.options.goBackwards != forward.options.goBackwards else {
            throw configError("the backward layer must run in the other direction (`go_backwards`) than the forward layer")
        }
        let f = try forward.outputShapes(inputShapes: inputShapes)
        let b = try backward.outputShapes(inputShapes: inputShapes)
        let fs = Array(f.dropFirst()), bs = Array(b.dropFirst())
        switch mergeMode {
        case nil:
            return [f[0], b[0]] + fs + bs
        case .concat?:
            var out = f[0]
            let last = out.count - 1
            if let x = f[0][last], let y = b[0][last] { out[last] = x + y } else { out[last] = nil }
            return [out] + fs + bs
        case .sum?, .mul?, .ave?:
            guard f[0] == b[0] else {
                throw configError("`merge_mode=\(mergeMode!.rawValue)` needs equal output shapes, got \(f[0].kerasDescription) and \(b[0].kerasDescription)")
            }
            return [f[0]] + fs + bs
        }
    }
}
