import KerasGraph

extension Dense: ConfigEncodable {
    /// Decodes a `Dense` config (Keras 1 `output_dim`/`bias`/`init`/`W_regularizer`, Keras 2/3 `units`/`use_bias`).
    package init(config c: LayerConfig) throws {
        self.init(
            common: try c.common(),
            units: try c.positiveInt("units", "output_dim", max: LayerConfig.maxDimension),
            activation: try c.activation(),
            useBias: try c.bool("use_bias") ?? c.bool("bias") ?? true)
        try c.decodeKernelAndBiasObjects(into: &self, keras1: true)
    }

    /// Keras 2: `units, activation, use_bias`, initializers, regularizers (with `activity_regularizer`), constraints.
    /// Keras 3: the same without `activity_regularizer` (Keras 3's `Dense.get_config` omits it; it is written after
    /// `bias_constraint` only when set, which Keras 3 accepts as a layer argument). Keras 3.13+'s
    /// `quantization_config: null` is not written: older Keras 3 releases reject the key.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        typealias E = ConfigEncoding
        var m = E.base(common, dialect) + [
            ("units", .number(Double(units))),
            ("activation", E.activation(activation, dialect)),
            ("use_bias", .bool(useBias)),
            ("kernel_initializer", E.object(kernelInitializer, .initializer, dialect)),
            ("bias_initializer", E.object(biasInitializer, .initializer, dialect)),
            ("kernel_regularizer", E.object(kernelRegularizer, .regularizer, dialect)),
            ("bias_regularizer", E.object(biasRegularizer, .regularizer, dialect)),
        ]
        if dialect != .keras3 { m.append(("activity_regularizer", E.object(activityRegularizer, .regularizer, dialect))) }
        m += [("kernel_constraint", E.object(kernelConstraint, .constraint, dialect)),
              ("bias_constraint", E.object(biasConstraint, .constraint, dialect))]
        if dialect == .keras3, activityRegularizer != nil {
            m.append(("activity_regularizer", E.object(activityRegularizer, .regularizer, dialect)))
        }
        return .object(m)
    }
}
