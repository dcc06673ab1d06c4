import KerasGraph

extension SeparableConv1D: ConfigEncodable {
    /// Decodes a `SeparableConv1D` config (`padding` valid, same or causal).
    package init(config c: LayerConfig) throws {
        guard let kernel = try c.positiveTuple(["kernel_size"], count: 1) else {
            throw c.error("missing `kernel_size`")
        }
        self.init(
            common: try c.common(), filters: try c.positiveInt("filters", max: LayerConfig.maxDimension), kernelSize: kernel,
            strides: try c.positiveTuple(["strides"], count: 1) ?? [1],
            padding: try c.windowPadding(allowCausal: true), dataFormat: try c.dataFormat(),
            dilationRate: try c.positiveTuple(["dilation_rate"], count: 1) ?? [1],
            depthMultiplier: try c.positiveInt("depth_multiplier", default: 1),
            activation: try c.activation(), useBias: try c.bool("use_bias", default: true),
            depthwiseInitializer: try c.anyKerasObject("depthwise_initializer") ?? .glorotUniform,
            pointwiseInitializer: try c.anyKerasObject("pointwise_initializer") ?? .glorotUniform,
            biasInitializer: try c.anyKerasObject("bias_initializer") ?? .zeros,
            depthwiseRegularizer: try c.anyKerasObject("depthwise_regularizer"),
            pointwiseRegularizer: try c.anyKerasObject("pointwise_regularizer"),
            biasRegularizer: try c.anyKerasObject("bias_regularizer"),
            activityRegularizer: try c.anyKerasObject("activity_regularizer"),
            depthwiseConstraint: try c.anyKerasObject("depthwise_constraint"),
            pointwiseConstraint: try c.anyKerasObject("pointwise_constraint"),
            biasConstraint: try c.anyKerasObject("bias_constraint"))
    }

    /// Keras 2 (tf_keras order): `filters, kernel_size, strides, padding, data_format, dilation_rate, activation,
    /// use_bias`, bias initializer/regularizer, `activity_regularizer`, bias constraint, then `depth_multiplier` and
    /// the depthwise/pointwise objects. tf_keras also writes `groups: 1` and unused `kernel_initializer`,
    /// `kernel_regularizer`, `kernel_constraint`, which Keras 3 rejects, so they are left out. Keras 3: `depth_multiplier, filters, kernel_size,
    /// strides, padding, data_format, dilation_rate, activation, use_bias`, then depthwise/pointwise/bias
    /// initializers, regularizers (with `activity_regularizer`), constraints.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        typealias E = ConfigEncoding
        let head: [(String, JSONValue)] = [
            ("filters", .number(Double(filters))), ("kernel_size", E.ints(kernelSize)), ("strides", E.ints(strides)),
            ("padding", .string(padding.rawValue)), ("data_format", .string(dataFormat.rawValue)),
            ("dilation_rate", E.ints(dilationRate)),
        ]
        let act: [(String, JSONValue)] = [("activation", E.activation(activation, dialect)), ("use_bias", .bool(useBias))]
        let multiplier: (String, JSONValue) = ("depth_multiplier", .number(Double(depthMultiplier)))
        if dialect == .keras3 {
            return .object(E.base(common, dialect) + [multiplier] + head + act + [
                ("depthwise_initializer", E.object(depthwiseInitializer, .initializer, dialect)),
                ("pointwise_initializer", E.object(pointwiseInitializer, .initializer, dialect)),
                ("bias_initializer", E.object(biasInitializer, .initializer, dialect)),
                ("depthwise_regularizer", E.object(depthwiseRegularizer, .regularizer, dialect)),
                ("pointwise_regularizer", E.object(pointwiseRegularizer, .regularizer, dialect)),
                ("bias_regularizer", E.object(biasRegularizer, .regularizer, dialect)),
                ("activity_regularizer", E.object(activityRegularizer, .regularizer, dialect)),
                ("depthwise_constraint", E.object(depthwiseConstraint, .constraint, dialect)),
                ("pointwise_constraint", E.object(pointwiseConstraint, .constraint, dialect)),
                ("bias_constraint", E.object(biasConstraint, .constraint, dialect)),
            ])
        }
        return .object(E.base(common, dialect) + head + act + [
            ("bias_initializer", E.object(biasInitializer, .initializer, dialect)),
            ("bias_regularizer", E.object(biasRegularizer, .regularizer, dialect)),
            ("activity_regularizer", E.object(activityRegularizer, .regularizer, dialect)),
            ("bias_constraint", E.object(biasConstraint, .constraint, dialect)),
            multiplier,
            ("depthwise_initializer", E.object(depthwiseInitializer, .initializer, dialect)),
            ("pointwise_initializer", E.object(pointwiseInitializer, .initializer, dialect)),
            ("depthwise_regularizer", E.object(depthwiseRegularizer, .regularizer, dialect)),
            ("pointwise_regularizer", E.object(pointwiseRegularizer, .regularizer, dialect)),
            ("depthwise_constraint", E.object(depthwiseConstraint, .constraint, dialect)),
            ("pointwise_constraint", E.object(pointwiseConstraint, .constraint, dialect)),
        ])
    }
}
