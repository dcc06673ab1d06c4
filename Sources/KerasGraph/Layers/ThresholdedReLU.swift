/// `keras.layers.ThresholdedReLU` (Keras 1 and 2): `f(x) = x` for `x > theta`, 0 otherwise.
///
/// Keras 3 has no such class; its `ReLU(threshold: theta)` computes the same function (`x > threshold ? x : 0`
/// with slope 0 and no maximum), which is how a Keras 3 config spells it.
public struct ThresholdedReLU: WeightlessLayer {
    public var className: String { "ThresholdedReLU" }
    public var common: LayerCommon
    /// The threshold; ≥ 0. Keras' default is 1.
    public var theta: Float

    public init(common: LayerCommon, theta: Float = 1) {
        self.common = common
        self.theta = theta
    }

    /// The `ReLU` that computes the same function (the form Keras 3 can express).
    public var equivalentReLU: ReLU { ReLU(common: common, threshold: theta) }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        [try singleInput(inputShapes)]
    }
}
