/// `keras.layers.GRU`: gates z, r, h (in that order along the `3·units` axis), `h = z·h + (1 − z)·ĥ`.
///
/// `resetAfter` (Keras 3 and tf.keras 2 default): `ĥ = activation(x·W_h + b_h + r·(h·U_h + b'_h))`, bias
/// `[2, 3·units]` (input bias, recurrent bias). Without it (Keras 2.0–2.2 default): `ĥ = activation(x·W_h + b_h +
/// (r·h)·U_h)`, bias `[3·units]`.
public struct GRU: RecurrentLayer {
    public var className: String { "GRU" }
    public var kind: RecurrentKind { .gru }
    public var common: LayerCommon
    public var options: RecurrentOptions
    public var resetAfter: Bool
    public var weights: [Weight]

    public init(common: LayerCommon, options: RecurrentOptions, resetAfter: Bool = true, weights: [Weight] = []) {
        self.common = common
        self.options = options
        self.resetAfter = resetAfter
        self.weights = weights
    }

    public var biasShape: [Int] { resetAfter ? [2, 3 * options.units] : [3 * options.units] }
}
