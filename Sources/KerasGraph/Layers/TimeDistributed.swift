/// `keras.layers.TimeDistributed`: applies the wrapped layer to every step of `[batch, time, …]` input, as one
/// batch of `batch·time` samples.
///
/// Weights are the wrapped layer's.
public struct TimeDistributed: Layer {
    public var className: String { "TimeDistributed" }
    public var common: LayerCommon
    /// The wrapped layer (a single-input, single-output layer).
    public var layer: any Layer

    public init(common: LayerCommon, layer: any Layer) {
        self.common = common
        self.layer = layer
    }

    public var weights: [Weight] {
        get { layer.weights }
        set { layer.weights = newValue }
    }

    /// The wrapped layer's input shape: the step shape with an unknown batch.
    public func innerInputShape(_ inputShapes: [Shape]) throws -> Shape {
        let input = try singleInput(inputShapes)
        guard input.count >= 3 else {
            throw inputError("expected input [batch, time, …] of rank ≥ 3, got \(input.kerasDescription)")
        }
        return [nil] + Array(input.dropFirst(2))
    }

    public func weightSpecs(inputShapes: [Shape]) throws -> [WeightSpec] {
        try layer.weightSpecs(inputShapes: [try innerInputShape(inputShapes)])
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        let input = try singleInput(inputShapes)
        let inner = try layer.outputShapes(inputShapes: [try innerInputShape(inputShapes)])
        guard inner.count == 1, let out = inner.first, !out.isEmpty else {
            throw inputError("the wrapped layer `\(layer.name)` (\(layer.className)) must have one output with a batch axis")
        }
        return [[input[0], input[1]] + Array(out.dropFirst())]
    }
}
