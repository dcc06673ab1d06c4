import KerasGraph

extension GroupedQueryAttention: ConfigEncodable {
    /// Decodes a Keras 3 `GroupedQueryAttention` config (`head_dim`, `num_query_heads`, `num_key_value_heads`,
    /// `dropout`, `use_bias`, `use_gate`, `sliding_window`, initializers, regularizers, constraints, `seed`) and the
    /// roles of the call inputs, as ``MultiHeadAttention``.
    package init(config c: LayerConfig) throws {
        self.init(
            common: try c.common(),
            headDim: try c.positiveInt("head_dim", max: LayerConfig.maxDimension),
            numQueryHeads: try c.positiveInt("num_query_heads", max: LayerConfig.maxDimension),
            numKeyValueHeads: try c.positiveInt("num_key_value_heads", max: LayerConfig.maxDimension),
            dropout: c.value("dropout") == nil ? 0 : try c.rate("dropout"),
            useBias: try c.bool("use_bias", default: true),
            useGate: try c.bool("use_gate", default: false),
            slidingWindow: c.value("sliding_window") == nil ? nil : try c.positiveInt("sliding_window", max: Int(Int32.max)),
            kernelInitializer: try c.anyKerasObject("kernel_initializer") ?? .glorotUniform,
            biasInitializer: try c.anyKerasObject("bias_initializer") ?? .zeros,
            kernelRegularizer: try c.anyKerasObject("kernel_regularizer"),
            biasRegularizer: try c.anyKerasObject("bias_regularizer"),
            activityRegularizer: try c.anyKerasObject("activity_regularizer"),
            kernelConstraint: try c.anyKerasObject("kernel_constraint"),
            biasConstraint: try c.anyKerasObject("bias_constraint"),
            seed: try c.seed(),
            roles: try c.multiHeadAttentionRoles())
    }

    /// Keras 3.15's `get_config` keys in order. The layer has no Keras 2 form (tf_keras has no such class; the
    /// Keras 2 dialect writes the same keys, which tf_keras cannot load).
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        typealias E = ConfigEncoding
        return .object(E.base(common, dialect) + [
            ("head_dim", .number(Double(headDim))), ("num_query_heads", .number(Double(numQueryHeads))),
            ("num_key_value_heads", .number(Double(numKeyValueHeads))), ("use_bias", .bool(useBias)),
            ("use_gate", .bool(useGate)), ("sliding_window", E.int(slidingWindow)), ("dropout", .number(dropout)),
            ("kernel_initializer", E.object(kernelInitializer, .initializer, dialect)),
            ("bias_initializer", E.object(biasInitializer, .initializer, dialect)),
            ("kernel_regularizer", E.object(kernelRegularizer, .regularizer, dialect)),
            ("bias_regularizer", E.object(biasRegularizer, .regularizer, dialect)),
            ("activity_regularizer", E.object(activityRegularizer, .regularizer, dialect)),
            ("kernel_constraint", E.object(kernelConstraint, .constraint, dialect)),
            ("bias_constraint", E.object(biasConstraint, .constraint, dialect)),
            ("seed", E.int(seed)),
        ])
    }
}
