import TensorModule

/// `keras.layers.LeakyReLU`: f(x) = x for x > 0, `negativeSlope`·x otherwise.
///
/// The piecewise definition holds for every slope, including slopes above 1, where it differs from
/// `max(x, slope·x)` (Keras 3's NumPy backend computes the max form). Keras 2 calls the slope `alpha`,
/// Keras 3 `negative_slope`; the layer's default is 0.3 in both.
public struct LeakyReLU: WeightlessLayer {
    public var className: String { "LeakyReLU" }
    public var common: LayerCommon
    public var negativeSlope: Float

    /// Keras 1/2's LeakyReLU calls `backend.relu(x, alpha)`, which falls back to plain `relu` when alpha is 0,
    /// so x = -inf gives 0 there, where Keras 3 (`tf.nn.leaky_relu`) gives NaN (-inf · 0). True for layers read
    /// from Keras 1/2 configs; it matters only for a zero slope at -inf.
    public var reluWhenSlopeIsZero: Bool

    /// The layer's default slope (Keras 1, 2 and 3).
    public static let defaultSlope: Float = 0.3

    public init(common: LayerCommon, negativeSlope: Float = LeakyReLU.defaultSlope, reluWhenSlopeIsZero: Bool = false) {
        self.common = common
        self.negativeSlope = negativeSlope
        self.reluWhenSlopeIsZero = reluWhenSlopeIsZero
    }

    /// True when `max(x, slope·x)` would give other results than the piecewise definition (slope > 1).
    public var maxFormDisagrees: Bool { negativeSlope > 1 }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        [try singleInput(inputShapes)]
    }
}
