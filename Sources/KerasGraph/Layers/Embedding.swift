/// `keras.layers.Embedding`: looks up rows of `embeddings` `[inputDim, outputDim]` by integer index.
///
/// Output shape: the input shape with `outputDim` appended. `maskZero` only affects masking of later
/// layers (index 0 still looks up row 0).
public struct Embedding: Layer {
    public var className: String { "Embedding" }
    public var common: LayerCommon
    /// The vocabulary size (the largest index + 1).
    public var inputDim: Int
    /// The embedding width.
    public var outputDim: Int
    public var maskZero: Bool
    /// Keras 1/2 `input_length` (dropped by Keras 3), kept for re-export.
    public var inputLength: Int?
    public var embeddingsInitializer: KerasObject?
    public var embeddingsRegularizer: KerasObject?
    public var activityRegularizer: KerasObject?
    public var embeddingsConstraint: KerasObject?
    /// One weight, `embeddings`.
    public var weights: [Weight]

    /// Keras' default, `RandomUniform(minval=-0.05, maxval=0.05)`.
    public static let defaultInitializer = KerasObject(
        className: "RandomUniform",
        config: .object([("minval", .number(-0.05)), ("maxval", .number(0.05)), ("seed", .null)]))

    public init(common: LayerCommon, inputDim: Int, outputDim: Int, maskZero: Bool = false, inputLength: Int? = nil,
                embeddingsInitializer: KerasObject? = Embedding.defaultInitializer,
                embeddingsRegularizer: KerasObject? = nil, activityRegularizer: KerasObject? = nil,
                embeddingsConstraint: KerasObject? = nil, weights: [Weight] = []) {
        self.common = common
        self.inputDim = inputDim
        self.outputDim = outputDim
        self.maskZero = maskZero
        self.inputLength = inputLength
        self.embeddingsInitializer = embeddingsInitializer
        self.embeddingsRegularizer = embeddingsRegularizer
        self.activityRegularizer = activityRegularizer
        self.embeddingsConstraint = embeddingsConstraint
        self.weights = weights
    }

    public func weightSpecs(inputShapes: [Shape]) throws -> [WeightSpec] {
        _ = try outputShapes(inputShapes: inputShapes)
        return [WeightSpec(name: "embeddings", shape: [inputDim, outputDim])]
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        guard inputDim > 0, outputDim > 0 else {
            throw configError("`input_dim` and `output_dim` must be positive, got \(inputDim) and \(outputDim)")
        }
        let input = try singleInput(inputShapes)
        guard !input.isEmpty else { throw inputError("expected an input with a batch axis, got ()") }
        return [input + [outputDim]]
    }
}
