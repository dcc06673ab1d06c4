import KerasGraph

extension DepthwiseConv1D: ConfigEncodable {
    /// Decodes a `DepthwiseConv1D` config (`kernel_size`, `strides`, `padding`, `depth_multiplier`, `data_format`,
    /// `dilation_rate`, `activation`, `use_bias`, depthwise/bias initializers, regularizers, constraints).
    /// ``kernelWeightName`` follows the config's dialect: `kernel` for Keras 3, `depthwise_kernel` otherwise.
    package init(config c: LayerConfig) throws {
        guard let kernel = try c.positiveTuple(["kernel_size"], count: 1) else { throw c.error("missing `kernel_size`") }
        self.init(
            common: try c.common(), kernelSize: kernel,
            strides: try c.positiveTuple(["strides"], count: 1) ?? [1],
            padding: try c.windowPadding(allowCausal: true), depthMultiplier: try c.positiveInt("depth_multiplier", default: 1),
            dataFormat: try c.dataFormat(), dilationRate: try c.positiveTuple(["dilation_rate"], count: 1) ?? [1],
            activation: try c.activation(), useBias: try c.bool("use_bias", default: true),
            depthwiseInitializer: try c.anyKerasObject("depthwise_initializer") ?? .glorotUniform,
            biasInitializer: try c.anyKerasObject("bias_initializer") ?? .zeros,
            depthwiseRegularizer: try c.anyKerasObject("depthwise_regularizer"),
            biasRegularizer: try c.anyKerasObject("bias_regularizer"),
            activityRegularizer: try c.anyKerasObject("activity_regularizer"),
            depthwiseConstraint: try c.anyKerasObject("depthwise_constraint"),
            biasConstraint: try c.anyKerasObject("bias_constraint"),
            kernelWeightName: c.dialect == .keras3 ? DepthwiseConv1D.keras3KernelName : DepthwiseConv1D.keras2KernelName)
    }

    /// Keras 2 (tf_keras order): `kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias`,
    /// bias initializer/regularizer, `activity_regularizer`, bias constraint, `depth_multiplier`, depthwise
    /// initializer/regularizer/constraint; tf_keras also writes `groups: 1`, which Keras 3 rejects, so it is left out. Keras 3: `depth_multiplier, kernel_size, strides, padding, data_format,
    /// dilation_rate, activation, use_bias`, then initializers, regularizers, constraints (no `groups`).
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        typealias E = ConfigEncoding
        let window: [(String, JSONValue)] = [
            ("kernel_size", E.ints(kernelSize)), ("strides", E.ints(strides)), ("padding", .string(padding.rawValue)),
            ("data_format", .string(dataFormat.rawValue)), ("dilation_rate", E.ints(dilationRate)),
        ]
        let act: [(String, JSONValue)] = [("activation", E.activation(activation, dialect)), ("use_bias", .bool(useBias))]
        let multiplier: (String, JSONValue) = ("depth_multiplier", .number(Double(depthMultiplier)))
        if dialect == .keras3 {
            return .object(E.base(common, dialect) + [multiplier] + window + act + [
                ("depthwise_initializer", E.object(depthwiseInitializer, .initializer, dialect)),
                ("bias_initializer", E.object(biasInitializer, .initializer, dialect)),
                ("depthwise_regularizer", E.object(depthwiseRegularizer, .regularizer, dialect)),
                ("bias_regularizer", E.object(biasRegularizer, .regularizer, dialect)),
                ("activity_regularizer", E.object(activityRegularizer, .regularizer, dialect)),
                ("depthwise_constraint", E.object(depthwiseConstraint, .constraint, dialect)),
                ("bias_constraint", E.object(biasConstraint, .constraint, dialect)),
            ])
        }
        return .object(E.base(common, dialect) + window + act + [
            ("bias_initializer", E.object(biasInitializer, .initializer, dialect)),
            ("bias_regularizer", E.object(biasRegularizer, .regularizer, dialect)),
            ("activity_regularizer", E.object(activityRegularizer, .regularizer, dialect)),
            ("bias_constraint", E.object(biasConstraint, .constraint, dialect)),
            multiplier,
            ("depthwise_initializer", E.object(depthwiseInitializer, .initializer, dialect)),
            ("depthwise_regularizer", E.object(depthwiseRegularizer, .regularizer, dialect)),
            ("depthwise_constraint", E.object(depthwiseConstraint, .constraint, dialect)),
        ])
    }
}
