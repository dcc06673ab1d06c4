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

    /// ``ConfigEncoding/depthwiseConvolution(_:_:)``.
    package func configJSON(dialect: ConfigDialect) -> JSONValue { ConfigEncoding.depthwiseConvolution(self, dialect) }
}
