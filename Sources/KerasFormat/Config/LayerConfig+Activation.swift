import KerasGraph

extension LayerConfig {
    /// The activation in `key` (default `activation`): a string identifier or a serialized object,
    /// `linear` when absent or `null`.
    ///
    /// `leaky_relu` as a *function* defaults to slope 0.2 (Keras' `activations.leaky_relu`), unlike the
    /// `LeakyReLU` layer's 0.3. `hard_sigmoid` follows the file's Keras version.
    package func activation(_ key: String = "activation") throws -> Activation {
        guard let v = value(key) else { return .linear }
        switch v {
        case let .string(s):
            return Activation(try activationFunction(named: s, key: key), spelling: .name(s))
        case .object:
            guard case let .string(cls)? = v["class_name"] else { throw error("`\(key)` object has no `class_name`") }
            let inner = v["config"] ?? .object([])
            let sub = LayerConfig(className: cls, name: name, config: inner, dialect: dialect, kerasVersion: kerasVersion)
            let f: ActivationFunction
            switch cls {
            case "LeakyReLU":
                let slope = try sub.float("negative_slope") ?? sub.float("alpha") ?? LeakyReLU.defaultSlope
                f = .leakyReLU(negativeSlope: slope)
            case "ReLU":
                let slope = try sub.float("negative_slope", default: 0)
                guard sub.value("max_value") == nil, try sub.double("threshold", default: 0) == 0 else {
                    throw error("`\(key)`: ReLU object with max_value or threshold is not supported as an activation")
                }
                f = slope == 0 ? .relu : .leakyReLU(negativeSlope: slope)
            case "ELU":
                f = .elu(alpha: try sub.float("alpha", default: 1))
            case "Softmax":
                f = .softmax(axis: try sub.intList("axis")?.first ?? -1)
            case "Activation":
                guard let name = try sub.string("activation") else { throw error("`\(key)`: Activation object without `activation`") }
                f = try activationFunction(named: name, key: key)
            default:
                // A serialized function: {"module": "keras.activations", "class_name": "function", "config": "relu"}
                if case let .string(fname)? = v["config"] {
                    f = try activationFunction(named: fname, key: key)
                } else {
                    f = try activationFunction(named: cls, key: key)
                }
            }
            return Activation(f, spelling: .object(className: cls, config: inner))
        default:
            throw error("`\(key)` must be a string or an object, found \(v.kindName)")
        }
    }

    /// Every activation identifier ``activationFunction(named:key:)`` decodes (without the `keras.activations.`
    /// prefix, which it also accepts).
    package static let activationNames: [String] = [
        "linear", "relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "sigmoid", "hard_sigmoid", "tanh", "softmax",
        "softplus", "softsign", "swish", "silu", "exponential", "mish", "hard_silu", "hard_swish", "log_softmax",
        "celu", "hard_shrink", "hard_tanh", "log_sigmoid", "soft_shrink", "sparse_plus", "sparse_sigmoid",
        "squareplus", "tanh_shrink", "sparsemax",
    ]

    /// The function for a Keras activation identifier.
    package func activationFunction(named raw: String, key: String = "activation") throws -> ActivationFunction {
        let s = raw.hasPrefix("keras.activations.") ? String(raw.dropFirst("keras.activations.".count)) : raw
        switch s {
        case "linear", "None": return .linear
        case "relu": return .relu
        case "relu6": return .relu6
        case "leaky_relu", "LeakyReLU": return .leakyReLU(negativeSlope: 0.2)
        case "elu": return .elu(alpha: 1)
        case "selu": return .selu
        case "gelu": return .gelu(approximate: false)  // keras.activations.gelu(x, approximate=False) in Keras 2 and 3
        case "sigmoid": return .sigmoid
        case "hard_sigmoid": return .hardSigmoid(dialect == .keras3 ? .keras3 : .keras2)
        case "tanh": return .tanh
        case "softmax": return .softmax(axis: -1)
        case "softplus": return .softplus
        case "softsign": return .softsign
        case "swish", "silu": return .swish
        case "exponential": return .exponential
        case "mish": return .mish
        case "hard_silu", "hard_swish": return .hardSilu
        case "log_softmax": return .logSoftmax(axis: -1)
        case "celu": return .celu(alpha: 1)
        case "hard_shrink": return .hardShrink(threshold: 0.5)
        case "hard_tanh": return .hardTanh
        case "log_sigmoid": return .logSigmoid
        case "soft_shrink": return .softShrink(threshold: 0.5)
        case "sparse_plus": return .sparsePlus
        case "sparse_sigmoid": return .sparseSigmoid
        case "squareplus": return .squareplus(b: 4)
        case "tanh_shrink": return .tanhShrink
        case "sparsemax": return .sparsemax(axis: -1)
        case "glu":
            throw error("activation `glu` in `\(key)` halves the last axis, which the layer's output shape does not allow for; KerasPort does not run it")
        case "threshold":
            throw error("activation `threshold` in `\(key)` needs `threshold` and `default_value` arguments, which Keras cannot pass to an activation given by name")
        default: throw error("unknown activation `\(raw)` in `\(key)`")
        }
    }
}
