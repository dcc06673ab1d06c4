/// `keras.layers.ELU`: `f(x) = x` for `x > 0`, `alpha · (exp(x) - 1)` otherwise.
public struct ELU: WeightlessLayer {
    public var className: String { "ELU" }
    public var common: LayerCommon
    /// The scale of the negative part; Keras' default is 1.
    public var alpha: Float

    public init(common: LayerCommon, alpha: Float = 1) {
        self.common = common
        self.alpha = alpha
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        [try singleInput(inputShapes)]
    }
}
