/// Keras 3's `keras.layers.ReversibleEmbedding`: an ``Embedding`` that, called with `reverse=True`, maps vectors
/// `[…, outputDim]` back to logits `[…, inputDim]` by `x · embeddingsᵀ` (tied weights) or `x · reverse_embeddings`,
/// optionally soft-capped: `tanh(logits / cap) · cap`.
///
/// Weights: `embeddings` `[inputDim, outputDim]`, then `reverse_embeddings` `[outputDim, inputDim]` when not tied.
/// A node's calls may differ in `reverse` (``callModes``); ``forCall(_:)`` gives the layer of one call.
public struct ReversibleEmbedding: CallSpecificLayer {
    public var className: String { "ReversibleEmbedding" }
    /// The lookup's options (`input_dim`, `output_dim`, `mask_zero`, initializer, …); its `common` is this layer's.
    public var embedding: Embedding
    public var common: LayerCommon {
        get { embedding.common }
        set { embedding.common = newValue }
    }
    public var tieWeights: Bool
    /// Keras' `reverse_dtype` (the dtype the reverse product is computed in), as written.
    public var reverseDtype: String?
    public var logitSoftCap: Double?
    /// `reverse` of each call of the node, as the model config records them.
    public var callModes: [Bool]
    /// Whether this instance computes the reverse direction (set by ``forCall(_:)``).
    public var reverse: Bool
    public var weights: [Weight]

    public init(embedding: Embedding, tieWeights: Bool = true, reverseDtype: String? = nil, logitSoftCap: Double? = nil,
                callModes: [Bool] = [], reverse: Bool = false, weights: [Weight] = []) {
        self.embedding = embedding
        self.tieWeights = tieWeights
        self.reverseDtype = reverseDtype
        self.logitSoftCap = logitSoftCap
        self.callModes = callModes
        self.reverse = reverse
        self.weights = weights
    }

    public func forCall(_ index: Int) -> any Layer {
        var copy = self
        copy.reverse = index < callModes.count ? callModes[index] : false
        return copy
    }

    public func weightSpecs(inputShapes: [Shape]) throws -> [WeightSpec] {
        _ = try outputShapes(inputShapes: inputShapes)
        let (i, o) = (embedding.inputDim, embedding.outputDim)
        return [WeightSpec(name: "embeddings", shape: [i, o])]
            + (tieWeights ? [] : [WeightSpec(name: "reverse_embeddings", shape: [o, i])])
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        guard reverse else { return try embedding.outputShapes(inputShapes: inputShapes) }
        let input = try singleInput(inputShapes)
        guard let last = input.last, last == nil || last == embedding.outputDim else {
            throw inputError("a reverse call needs input [..., \(embedding.outputDim)], got \(input.kerasDescription)")
        }
        return [Array(input.dropLast()) + [embedding.inputDim]]
    }
}
