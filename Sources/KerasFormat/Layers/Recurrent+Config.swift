import KerasGraph

extension RecurrentOptions {
    /// Decodes the options `SimpleRNN`, `LSTM` and `GRU` share. `recurrent_activation` defaults to `sigmoid`
    /// (Keras 3, tf.keras), or `hard_sigmoid` for Keras 1 and Keras 2.0–2.2 files, whose defaults those were.
    package init(config c: LayerConfig, kind: RecurrentKind) throws {
        let legacyHardSigmoid = c.dialect == .keras1
            || (c.kerasVersion.map { v in ["2.0", "2.1", "2.2"].contains { v.hasPrefix($0 + ".") } && !v.contains("tf") } ?? false)
        var recurrent = Activation(.sigmoid, spelling: .name("sigmoid"))
        if kind != .simpleRNN {
            if c.value("recurrent_activation") != nil || c.value("inner_activation") != nil {
                recurrent = try c.activation(c.value("recurrent_activation") != nil ? "recurrent_activation" : "inner_activation")
            } else if legacyHardSigmoid {
                recurrent = Activation(try c.activationFunction(named: "hard_sigmoid"), spelling: .name("hard_sigmoid"))
            }
        }
        let activation = c.value("activation") == nil ? Activation(.tanh, spelling: .name("tanh")) : try c.activation()
        var implementation: Int?
        if case .number? = c.value("implementation") { implementation = try c.int("implementation") }
        self.init(
            units: try c.positiveInt("units", "output_dim", max: LayerConfig.maxDimension),
            activation: activation,
            recurrentActivation: recurrent,
            useBias: try c.bool("use_bias", default: true),
            returnSequences: try c.bool("return_sequences", default: false),
            returnState: try c.bool("return_state", default: false),
            goBackwards: try c.bool("go_backwards", default: false),
            stateful: try c.bool("stateful", default: false),
            unroll: try c.bool("unroll", default: false),
            timeMajor: try c.bool("time_major", default: false),
            zeroOutputForMask: try c.bool("zero_output_for_mask", default: false),
            dropout: try c.double("dropout", default: 0),
            recurrentDropout: try c.double("recurrent_dropout", default: 0),
            implementation: implementation,
            seed: try c.seed(),
            kernelInitializer: try c.anyKerasObject("kernel_initializer", "init"),
            recurrentInitializer: try c.anyKerasObject("recurrent_initializer", "inner_init"),
            biasInitializer: try c.anyKerasObject("bias_initializer"),
            kernelRegularizer: try c.anyKerasObject("kernel_regularizer", "W_regularizer"),
            recurrentRegularizer: try c.anyKerasObject("recurrent_regularizer", "U_regularizer"),
            biasRegularizer: try c.anyKerasObject("bias_regularizer", "b_regularizer"),
            activityRegularizer: try c.anyKerasObject("activity_regularizer"),
            kernelConstraint: try c.anyKerasObject("kernel_constraint"),
            recurrentConstraint: try c.anyKerasObject("recurrent_constraint"),
            biasConstraint: try c.anyKerasObject("bias_constraint"))
    }

    /// The config keys in Keras' order for `kind`, with the cell-specific keys (`unit_forget_bias`, `reset_after`)
    /// given by the caller.
    ///
    /// Keras 2 (tf_keras): `return_sequences, return_state, go_backwards, stateful, unroll, [time_major], units,
    /// activation, [recurrent_activation], use_bias`, initializers, `[unit_forget_bias]`, regularizers (with
    /// `activity_regularizer`), constraints, `dropout, recurrent_dropout, [implementation], [reset_after]`.
    /// Keras 3: `return_sequences, return_state, go_backwards, stateful, unroll, zero_output_for_mask, units, …`,
    /// no `time_major` or `implementation`, and `seed` last for LSTM and GRU.
    func configEntries(common: LayerCommon, kind: RecurrentKind, dialect: ConfigDialect,
                       unitForgetBias: Bool? = nil, resetAfter: Bool? = nil) -> JSONValue {
        typealias E = ConfigEncoding
        var m = E.base(common, dialect) + [
            ("return_sequences", .bool(returnSequences)), ("return_state", .bool(returnState)),
            ("go_backwards", .bool(goBackwards)), ("stateful", .bool(stateful)), ("unroll", .bool(unroll)),
        ]
        if dialect == .keras3 {
            m.append(("zero_output_for_mask", .bool(zeroOutputForMask)))
        } else if timeMajor {
            // tf_keras writes `time_major: false` too, which Keras 3 rejects; left out when false (the default).
            m.append(("time_major", .bool(timeMajor)))
        }
        m += [("units", .number(Double(units))), ("activation", E.activation(activation, dialect))]
        if kind != .simpleRNN { m.append(("recurrent_activation", E.activation(recurrentActivation, dialect))) }
        m += [("use_bias", .bool(useBias)),
              ("kernel_initializer", E.object(kernelInitializer, .initializer, dialect)),
              ("recurrent_initializer", E.object(recurrentInitializer, .initializer, dialect)),
              ("bias_initializer", E.object(biasInitializer, .initializer, dialect))]
        if let unitForgetBias { m.append(("unit_forget_bias", .bool(unitForgetBias))) }
        m += [("kernel_regularizer", E.object(kernelRegularizer, .regularizer, dialect)),
              ("recurrent_regularizer", E.object(recurrentRegularizer, .regularizer, dialect)),
              ("bias_regularizer", E.object(biasRegularizer, .regularizer, dialect)),
              ("activity_regularizer", E.object(activityRegularizer, .regularizer, dialect)),
              ("kernel_constraint", E.object(kernelConstraint, .constraint, dialect)),
              ("recurrent_constraint", E.object(recurrentConstraint, .constraint, dialect)),
              ("bias_constraint", E.object(biasConstraint, .constraint, dialect)),
              ("dropout", .number(dropout)), ("recurrent_dropout", .number(recurrentDropout))]
        if dialect != .keras3, kind != .simpleRNN { m.append(("implementation", .number(Double(implementation ?? 2)))) }
        if let resetAfter { m.append(("reset_after", .bool(resetAfter))) }
        if dialect == .keras3, kind != .simpleRNN { m.append(("seed", E.int(seed))) }
        return .object(m)
    }
}

extension LayerConfig {
    /// A wrapped layer's config (`layer`, `backward_layer` of Bidirectional and TimeDistributed), decoded with the
    /// same registry; `nil` when absent.
    func wrappedLayer(_ key: String) throws -> (any Layer)? {
        guard let v = value(key) else { return nil }
        guard case .object = v, case let .string(cls)? = v["class_name"] else {
            throw error("`\(key)` must be a layer object with `class_name` and `config`")
        }
        let inner = v["config"] ?? .object([])
        let name: String
        if case let .string(s)? = inner["name"] { name = s } else { name = "\(self.name)_\(key)" }
        return try LayerRegistry.decode(LayerConfig(className: cls, name: name, config: inner, dialect: dialect,
                                                    kerasVersion: kerasVersion))
    }
}

extension ConfigEncoding {
    /// A wrapped layer as Keras writes it inside a wrapper's config: `{"module", "class_name", "config",
    /// "registered_name"}` (tf_keras 2.21 and Keras 3 both write `module` and `registered_name` here).
    static func wrappedLayer(_ layer: any Layer, _ dialect: ConfigDialect) -> JSONValue {
        guard let encodable = layer as? any ConfigEncodable else { return .null }
        return .object([("module", .string("keras.layers")),
                        ("class_name", .string(encodable.kerasClassName(dialect: dialect))),
                        ("config", encodable.configJSON(dialect: dialect)),
                        ("registered_name", .null)])
    }
}
