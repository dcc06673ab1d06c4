/// `keras.layers.Dropout`: the identity at inference.
public struct Dropout: InferenceIdentityLayer {
    public var className: String { "Dropout" }
    public var common: LayerCommon
    /// The fraction of inputs dropped in training, in [0, 1].
    public var rate: Double
    /// The dropout mask's shape (`null` entries follow the input), or `nil`.
    public var noiseShape: Shape?
    public var seed: Int?

    public init(common: LayerCommon, rate: Double, noiseShape: Shape? = nil, seed: Int? = nil) {
        self.common = common
        self.rate = rate
        self.noiseShape = noiseShape
        self.seed = seed
    }
}
