/// `keras.layers.GaussianNoise`: adds zero-mean noise in training; the identity at inference.
public struct GaussianNoise: InferenceIdentityLayer {
    public var className: String { "GaussianNoise" }
    public var common: LayerCommon
    /// The noise's standard deviation (Keras 1: `sigma`).
    public var stddev: Double
    public var seed: Int?

    public init(common: LayerCommon, stddev: Double, seed: Int? = nil) {
        self.common = common
        self.stddev = stddev
        self.seed = seed
    }
}
