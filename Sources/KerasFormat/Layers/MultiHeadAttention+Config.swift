import KerasGraph

extension MultiHeadAttention: ConfigEncodable {
    /// Decodes a `MultiHeadAttention` config (`num_heads`, `key_dim`, `value_dim`, `dropout`, `use_bias`,
    /// `output_shape`, `attention_axes`; Keras 3 `use_gate`, `sliding_window`, `seed`; tf_keras
    /// `softmax_robust_masking` and the build shapes) and resolves the roles of the call inputs from the recorded
    /// call arguments. `flash_attention` (Keras 3) changes nothing at inference. tf_keras'
    /// `softmax_robust_masking=True` is refused (not implemented).
    package init(config c: LayerConfig) throws {
        let outputShape: [Int]? = try c.value("output_shape") == nil ? nil : {
            guard let list = try c.intList("output_shape"), !list.isEmpty, list.allSatisfy({ $0 > 0 }) else {
                throw c.error("`output_shape` must be a positive integer or a list of them")
            }
            return list
        }()
        let robust = try c.bool("softmax_robust_masking", default: false)
        if robust { throw c.error("`softmax_robust_masking=True` is not supported") }
        var layer = MultiHeadAttention(
            common: try c.common(),
            numHeads: try c.positiveInt("num_heads", max: LayerConfig.maxDimension),
            keyDim: try c.positiveInt("key_dim", max: LayerConfig.maxDimension),
            valueDim: c.value("value_dim") == nil ? nil : try c.positiveInt("value_dim", max: LayerConfig.maxDimension),
            dropout: c.value("dropout") == nil ? 0 : try c.rate("dropout"),
            useBias: try c.bool("use_bias", default: true),
            useGate: try c.bool("use_gate", default: false),
            outputShape: outputShape,
            attentionAxes: try c.intList("attention_axes"),
            slidingWindow: c.value("sliding_window") == nil ? nil : try c.positiveInt("sliding_window", max: Int(Int32.max)),
            softmaxRobustMasking: robust,
            kernelInitializer: try c.anyKerasObject("kernel_initializer") ?? .glorotUniform,
            biasInitializer: try c.anyKerasObject("bias_initializer") ?? .zeros,
            kernelRegularizer: try c.anyKerasObject("kernel_regularizer"),
            biasRegularizer: try c.anyKerasObject("bias_regularizer"),
            activityRegularizer: try c.anyKerasObject("activity_regularizer"),
            kernelConstraint: try c.anyKerasObject("kernel_constraint"),
            biasConstraint: try c.anyKerasObject("bias_constraint"),
            seed: try c.seed(),
            roles: try c.multiHeadAttentionRoles(),
            maskSemantics: c.dialect == .keras3 ? .keras3 : .keras2)
        layer.keras2BuildShapes = [try c.shape("query_shape"), try c.shape("key_shape"), try c.shape("value_shape")]
        self = layer
    }

    /// Keras 3: `num_heads, key_dim, value_dim, dropout, use_bias, use_gate, output_shape, attention_axes,
    /// sliding_window`, initializers, regularizers, constraints, `seed` (as Keras 3.15's `get_config`). Keras 2
    /// (tf_keras 2.21): the same without `use_gate`, `sliding_window` and `seed`, then `query_shape`, `key_shape`,
    /// `value_shape` (which tf_keras' `from_config` requires; `null` when the file did not record them) and
    /// `softmax_robust_masking`. A gated or sliding-window layer has no Keras 2 form (the keys are left out, which
    /// changes the computation).
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        typealias E = ConfigEncoding
        var m = E.base(common, dialect) + [
            ("num_heads", .number(Double(numHeads))), ("key_dim", .number(Double(keyDim))),
            ("value_dim", .number(Double(valueDim))), ("dropout", .number(dropout)), ("use_bias", .bool(useBias)),
        ]
        if dialect == .keras3 { m.append(("use_gate", .bool(useGate))) }
        m.append(("output_shape", outputShape.map(E.ints) ?? .null))
        m.append(("attention_axes", attentionAxes.map(E.ints) ?? .null))
        if dialect == .keras3 { m.append(("sliding_window", E.int(slidingWindow))) }
        m += [
            ("kernel_initializer", E.object(kernelInitializer, .initializer, dialect)),
            ("bias_initializer", E.object(biasInitializer, .initializer, dialect)),
            ("kernel_regularizer", E.object(kernelRegularizer, .regularizer, dialect)),
            ("bias_regularizer", E.object(biasRegularizer, .regularizer, dialect)),
            ("activity_regularizer", E.object(activityRegularizer, .regularizer, dialect)),
            ("kernel_constraint", E.object(kernelConstraint, .constraint, dialect)),
            ("bias_constraint", E.object(biasConstraint, .constraint, dialect)),
        ]
        if dialect == .keras3 {
            m.append(("seed", E.int(seed)))
        } else {
            let shapes = keras2BuildShapes + Array(repeating: nil, count: max(0, 3 - keras2BuildShapes.count))
            m += [("query_shape", E.shape(shapes[0])), ("key_shape", E.shape(shapes[1])),
                  ("value_shape", E.shape(shapes[2])), ("softmax_robust_masking", .bool(softmaxRobustMasking))]
        }
        return .object(m)
    }
}
