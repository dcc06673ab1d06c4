/// `keras.layers.Activation`: applies an activation function element-wise (softmax over an axis).
///
/// Named `ActivationLayer` in Swift so as not to clash with ``Activation``, the value it holds;
/// its Keras class name is `Activation`.
public struct ActivationLayer: WeightlessLayer {
    public var className: String { "Activation" }
    public var common: LayerCommon
    /// The function, and how the file spelled it.
    public var activation: Activation

    public init(common: LayerCommon, activation: Activation) {
        self.common = common
        self.activation = activation
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        [try singleInput(inputShapes)]
    }
}
