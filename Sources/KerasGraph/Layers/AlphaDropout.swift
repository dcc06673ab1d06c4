/// `keras.layers.AlphaDropout`: SELU-preserving dropout in training; the identity at inference.
public struct AlphaDropout: InferenceIdentityLayer {
    public var className: String { "AlphaDropout" }
    public var common: LayerCommon
    public var rate: Double
    /// The dropout mask's shape, or `nil` (Keras 3 writes the key; tf_keras does not).
    public var noiseShape: Shape?
    public var seed: Int?

    public init(common: LayerCommon, rate: Double, noiseShape: Shape? = nil, seed: Int? = nil) {
        self.common = common
        self.rate = rate
        self.noiseShape = noiseShape
        self.seed = seed
    }
}
