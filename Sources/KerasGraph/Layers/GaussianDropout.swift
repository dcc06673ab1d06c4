/// `keras.layers.GaussianDropout`: multiplies by 1-centred noise in training; the identity at inference.
public struct GaussianDropout: InferenceIdentityLayer {
    public var className: String { "GaussianDropout" }
    public var common: LayerCommon
    /// The drop probability, in [0, 1] (Keras 1: `p`).
    public var rate: Double
    public var seed: Int?

    public init(common: LayerCommon, rate: Double, seed: Int? = nil) {
        self.common = common
        self.rate = rate
        self.seed = seed
    }
}
