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
    /// prefix, which it also accepts): the names of ``ActivationFunction/byName(dialect:)`` and their aliases.
    package static let activationNames: [String] =
        ActivationFunction.byName(dialect: .keras3).map(\.kerasName)
        + ActivationFunction.nameAliases.map(\.alias).filter { $0 != "None" && $0 != "LeakyReLU" }

    /// The function for a Keras activation identifier.
    package func activationFunction(named raw: String, key: String = "activation") throws -> ActivationFunction {
        let s = raw.hasPrefix("keras.activations.") ? String(raw.dropFirst("keras.activations.".count)) : raw
        let name = ActivationFunction.nameAliases.first { $0.alias == s }?.name ?? s
        if let f = ActivationFunction.byName(dialect: dialect).first(where: { $0.kerasName == name }) { return f }
        switch s {
        case "glu":
            throw error("activation `glu` in `\(key)` halves the last axis, which the layer's output shape does not allow for; KerasPort does not run it")
        case "threshold":
            throw error("activation `threshold` in `\(key)` needs `threshold` and `default_value` arguments, which Keras cannot pass to an activation given by name")
        default: throw error("unknown activation `\(raw)` in `\(key)`")
        }
    }
}

extension ActivationFunction {
    /// Keras' identifier of this function (`keras.activations.<name>`), arguments aside. The one switch between
    /// activation names and functions: decoding a name (``LayerConfig/activationFunction(named:key:)``), the list of
    /// names (`keras-port layers`) and the inspect report all go through it and ``byName(dialect:)``.
    package var kerasName: String {
        switch self {
        case .linear: "linear"
        case .relu: "relu"
        case .relu6: "relu6"
        case .leakyReLU: "leaky_relu"
        case .elu: "elu"
        case .selu: "selu"
        case .gelu: "gelu"
        case .sigmoid: "sigmoid"
        case .hardSigmoid: "hard_sigmoid"
        case .tanh: "tanh"
        case .softmax: "softmax"
        case .softplus: "softplus"
        case .softsign: "softsign"
        case .swish: "swish"
        case .exponential: "exponential"
        case .mish: "mish"
        case .hardSilu: "hard_silu"
        case .logSoftmax: "log_softmax"
        case .celu: "celu"
        case .hardShrink: "hard_shrink"
        case .hardTanh: "hard_tanh"
        case .logSigmoid: "log_sigmoid"
        case .softShrink: "soft_shrink"
        case .sparsePlus: "sparse_plus"
        case .sparseSigmoid: "sparse_sigmoid"
        case .squareplus: "squareplus"
        case .tanhShrink: "tanh_shrink"
        case .sparsemax: "sparsemax"
        }
    }

    /// Every function Keras names, with the arguments the name alone gives it (`leaky_relu` as a function has slope
    /// 0.2, `gelu` is exact, `hard_sigmoid` follows the file's Keras version).
    package static func byName(dialect: ConfigDialect) -> [ActivationFunction] {
        [.linear, .relu, .relu6, .leakyReLU(negativeSlope: 0.2), .elu(alpha: 1), .selu, .gelu(approximate: false),
         .sigmoid, .hardSigmoid(dialect == .keras3 ? .keras3 : .keras2), .tanh, .softmax(axis: -1), .softplus,
         .softsign, .swish, .exponential, .mish, .hardSilu, .logSoftmax(axis: -1), .celu(alpha: 1),
         .hardShrink(threshold: 0.5), .hardTanh, .logSigmoid, .softShrink(threshold: 0.5), .sparsePlus,
         .sparseSigmoid, .squareplus(b: 4), .tanhShrink, .sparsemax(axis: -1)]
    }

    /// Other spellings Keras resolves to the same function.
    package static let nameAliases: [(alias: String, name: String)] = [
        ("silu", "swish"), ("hard_swish", "hard_silu"), ("None", "linear"), ("LeakyReLU", "leaky_relu"),
    ]
}
