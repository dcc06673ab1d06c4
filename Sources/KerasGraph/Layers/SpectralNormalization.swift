/// `keras.layers.SpectralNormalization` (Keras 3 and tf_keras 2.21): wraps a layer with a `kernel` (or `embeddings`)
/// weight. In training it divides that kernel by its largest singular value (power iteration with the stored
/// `vector_u`) and stores the result in the kernel; at inference both Keras versions call the wrapped layer with the
/// kernel as stored, so the wrapper is the wrapped layer there.
///
/// Weights: the wrapped layer's, then `vector_u` `[1, kernel's last axis]` (non-trainable).
public struct SpectralNormalization: Layer {
    public var className: String { "SpectralNormalization" }
    public var common: LayerCommon
    /// The wrapped layer (a single-input, single-output layer with a `kernel` or `embeddings` weight).
    public var layer: any Layer
    public var powerIterations: Int
    /// The stored power-iteration vector, once weights are bound.
    public var vectorU: Weight?

    public init(common: LayerCommon, layer: any Layer, powerIterations: Int = 1, vectorU: Weight? = nil) {
        self.common = common
        self.layer = layer
        self.powerIterations = powerIterations
        self.vectorU = vectorU
    }

    public var weights: [Weight] {
        get { layer.weights + (vectorU.map { [$0] } ?? []) }
        set {
            if let last = newValue.last, last.name == "vector_u" {
                vectorU = last
                layer.weights = Array(newValue.dropLast())
            } else {
                vectorU = nil
                layer.weights = newValue
            }
        }
    }

    public func weightSpecs(inputShapes: [Shape]) throws -> [WeightSpec] {
        let inner = try layer.weightSpecs(inputShapes: inputShapes)
        guard let kernel = inner.first(where: { $0.name == "kernel" }) ?? inner.first(where: { $0.name == "embeddings" }),
              let last = kernel.shape.last else {
            throw configError("the wrapped layer `\(layer.name)` (\(layer.className)) has no `kernel` or `embeddings` weight")
        }
        return inner + [WeightSpec(name: "vector_u", shape: [1, last])]
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        guard powerIterations > 0 else { throw configError("`power_iterations` must be > 0, got \(powerIterations)") }
        return try layer.outputShapes(inputShapes: inputShapes)
    }
}
