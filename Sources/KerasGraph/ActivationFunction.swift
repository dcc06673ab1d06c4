/// An element-wise (or, for softmax, axis-wise) activation function, as named in a layer's
/// `activation` config or in an `Activation` layer.
public enum ActivationFunction: Sendable, Equatable {
    case linear
    case relu
    case relu6
    /// f(x) = x for x > 0, slope·x otherwise (piecewise, for any slope). The function's default slope is 0.2.
    case leakyReLU(negativeSlope: Float)
    case elu(alpha: Float)
    case selu
    case gelu(approximate: Bool)
    case sigmoid
    /// Keras 2: `clip(0.2·x + 0.5, 0, 1)`. Keras 3: `relu6(x + 3) / 6`.
    case hardSigmoid(HardSigmoidVariant)
    case tanh
    /// Softmax over one axis (negative counts from the end).
    case softmax(axis: Int)
    case softplus
    case softsign
    /// swish and silu are the same function, x·sigmoid(x).
    case swish
    case exponential
    case mish

    public enum HardSigmoidVariant: String, Sendable, Equatable {
        case keras2
        case keras3
    }
}

/// A layer's `activation`: the function, and how the file spelled it, so writers can spell it the same way.
public struct Activation: Sendable, Equatable {
    public var function: ActivationFunction
    public var spelling: Spelling

    public enum Spelling: Sendable, Equatable {
        /// A string identifier: `"relu"`, `"leaky_relu"`, `"silu"`, ….
        case name(String)
        /// A serialized layer or function object (`{"class_name": "LeakyReLU", "config": {...}}`).
        case object(className: String, config: JSONValue)
    }

    public init(_ function: ActivationFunction, spelling: Spelling) {
        self.function = function
        self.spelling = spelling
    }

    public static let linear = Activation(.linear, spelling: .name("linear"))
}
