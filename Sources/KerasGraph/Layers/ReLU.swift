/// `keras.layers.ReLU`: `f(x) = min(x, maxValue)` for `x > threshold`,
/// `negativeSlope · (x - threshold)` otherwise (Keras 3 `activations.relu`; tf_keras `backend.relu`).
///
/// With the defaults (no max, slope 0, threshold 0) it is `max(x, 0)`. Keras 2 rounds the three values to
/// float32 in its config; they are kept as `Float`.
public struct ReLU: WeightlessLayer {
    public var className: String { "ReLU" }
    public var common: LayerCommon
    /// The largest output, or `nil` for none; ≥ 0.
    public var maxValue: Float?
    /// The slope below the threshold; ≥ 0.
    public var negativeSlope: Float
    /// Inputs at or below this give `negativeSlope · (x - threshold)`; ≥ 0.
    public var threshold: Float

    public init(common: LayerCommon, maxValue: Float? = nil, negativeSlope: Float = 0, threshold: Float = 0) {
        self.common = common
        self.maxValue = maxValue
        self.negativeSlope = negativeSlope
        self.threshold = threshold
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        [try singleInput(inputShapes)]
    }
}
