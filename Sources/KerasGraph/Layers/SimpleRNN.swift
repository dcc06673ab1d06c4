/// `keras.layers.SimpleRNN`: `h = activation(x·kernel + bias + h·recurrent_kernel)` over the time axis
/// (see ``RecurrentLayer`` for weights and outputs).
public struct SimpleRNN: RecurrentLayer {
    public var className: String { "SimpleRNN" }
    public var kind: RecurrentKind { .simpleRNN }
    public var common: LayerCommon
    public var options: RecurrentOptions
    public var weights: [Weight]

    public init(common: LayerCommon, options: RecurrentOptions, weights: [Weight] = []) {
        self.common = common
        self.options = options
        self.weights = weights
    }
}
