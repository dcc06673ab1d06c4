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
    /// Keras 3 `hard_silu` (alias `hard_swish`): x · relu6(x + 3) / 6.
    case hardSilu
    /// Keras 3 `celu`: max(x, 0) + alpha · expm1(min(x, 0) / alpha); by name alpha = 1.
    case celu(alpha: Float)
    /// Keras 3 `hard_shrink`: x where |x| > threshold, else 0; by name threshold = 0.5.
    case hardShrink(threshold: Float)
    /// Keras 3 `hard_tanh`: clip(x, −1, 1).
    case hardTanh
    /// Keras 3 `log_sigmoid`: −softplus(−x).
    case logSigmoid
    /// Keras 3 `soft_shrink`: x ∓ threshold outside [−threshold, threshold], else 0; by name threshold = 0.5.
    case softShrink(threshold: Float)
    /// Keras 3 `sparse_plus`: 0 for x ≤ −1, (x + 1)²/4 for x < 1, else x.
    case sparsePlus
    /// Keras 3 `sparse_sigmoid`: 0 for x ≤ −1, 1 for x ≥ 1, else (x + 1)/2.
    case sparseSigmoid
    /// Keras 3 `squareplus`: (x + √(x² + b)) / 2; by name b = 4.
    case squareplus(b: Float)
    /// Keras 3 `tanh_shrink`: x − tanh(x).
    case tanhShrink
    /// log(softmax(x)) over one axis (Keras 3 `log_softmax`; tf_keras resolves the name to `tf.nn.log_softmax`).
    case logSoftmax(axis: Int)
    /// Keras 3 `sparsemax` over one axis, exactly as Keras 3.15 computes it.
    case sparsemax(axis: Int)

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
