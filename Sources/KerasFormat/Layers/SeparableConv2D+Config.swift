import KerasGraph

extension SeparableConv2D: ConfigEncodable {
    /// Decodes a `SeparableConv2D` config, or Keras 1 `SeparableConvolution2D` (`nb_filter`, `nb_row`, `nb_col`,
    /// `subsample`, `border_mode`, `dim_ordering`, `bias`, `b_regularizer`, …).
    package init(config c: LayerConfig) throws {
        guard let kernel = try c.positiveTuple(["kernel_size"], count: 2) ?? c.positivePair("nb_row", "nb_col") else {
            throw c.error("missing `kernel_size`")
        }
        self.init(
            common: try c.common(), filters: try c.positiveInt("filters", "nb_filter", max: LayerConfig.maxDimension), kernelSize: kernel,
            strides: try c.positiveTuple(["strides", "subsample"], count: 2) ?? [1, 1],
            padding: try c.windowPadding(), dataFormat: try c.dataFormat(),
            dilationRate: try c.positiveTuple(["dilation_rate"], count: 2) ?? [1, 1],
            depthMultiplier: try c.positiveInt("depth_multiplier", default: 1),
            activation: try c.activation(), useBias: try c.bool("use_bias") ?? c.bool("bias") ?? true,
            depthwiseInitializer: try c.anyKerasObject("depthwise_initializer", "init") ?? .glorotUniform,
            pointwiseInitializer: try c.anyKerasObject("pointwise_initializer", "init") ?? .glorotUniform,
            biasInitializer: try c.anyKerasObject("bias_initializer") ?? .zeros,
            depthwiseRegularizer: try c.anyKerasObject("depthwise_regularizer"),
            pointwiseRegularizer: try c.anyKerasObject("pointwise_regularizer"),
            biasRegularizer: try c.anyKerasObject("bias_regularizer", "b_regularizer"),
            activityRegularizer: try c.anyKerasObject("activity_regularizer"),
            depthwiseConstraint: try c.anyKerasObject("depthwise_constraint"),
            pointwiseConstraint: try c.anyKerasObject("pointwise_constraint"),
            biasConstraint: try c.anyKerasObject("bias_constraint", "b_constraint"),
            dimOrdering: try c.dimOrdering())
    }

    /// ``ConfigEncoding/depthwiseConvolution(_:_:)``.
    package func configJSON(dialect: ConfigDialect) -> JSONValue { ConfigEncoding.depthwiseConvolution(self, dialect) }
}
