/// `keras.layers.LSTM`: gates i, f, c, o (in that order along the `4·units` axis of the kernels and bias),
/// `c = f·c + i·activation(z_c)`, `h = o·activation(c)`, with `recurrent_activation` on i, f, o
/// (see ``RecurrentLayer`` for weights and outputs).
public struct LSTM: RecurrentLayer {
    public var className: String { "LSTM" }
    public var kind: RecurrentKind { .lstm }
    public var common: LayerCommon
    public var options: RecurrentOptions
    /// Initializer detail (adds 1 to the forget gate's initial bias); no effect on loaded weights.
    public var unitForgetBias: Bool
    public var weights: [Weight]

    public init(common: LayerCommon, options: RecurrentOptions, unitForgetBias: Bool = true, weights: [Weight] = []) {
        self.common = common
        self.options = options
        self.unitForgetBias = unitForgetBias
        self.weights = weights
    }
}
