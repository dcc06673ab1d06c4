import KerasGraph

extension DepthwiseConv2D: ConfigEncodable {
    /// Decodes a `DepthwiseConv2D` config (`kernel_size`, `strides`, `padding`, `depth_multiplier`, `data_format`,
    /// `dilation_rate`, `activation`, `use_bias`, depthwise/bias initializers, regularizers, constraints).
    /// ``kernelWeightName`` follows the config's dialect: `kernel` for Keras 3, `depthwise_kernel` otherwise.
    package init(config c: LayerConfig) throws {
        guard let kernel = try c.positiveTuple(["kernel_size"], count: 2) else { throw c.error("missing `kernel_size`") }
        self.init(
            common: try c.common(), kernelSize: kernel,
            strides: try c.positiveTuple(["strides", "subsample"], count: 2) ?? [1, 1],
            padding: try c.windowPadding(), depthMultiplier: try c.positiveInt("depth_multiplier", default: 1),
            dataFormat: try c.dataFormat(), dilationRate: try c.positiveTuple(["dilation_rate"], count: 2) ?? [1, 1],
            activation: try c.activation(), useBias: try c.bool("use_bias", default: true),
            depthwiseInitializer: try c.anyKerasObject("depthwise_initializer") ?? .glorotUniform,
            biasInitializer: try c.anyKerasObject("bias_initializer") ?? .zeros,
            depthwiseRegularizer: try c.anyKerasObject("depthwise_regularizer"),
            biasRegularizer: try c.anyKerasObject("bias_regularizer"),
            activityRegularizer: try c.anyKerasObject("activity_regularizer"),
            depthwiseConstraint: try c.anyKerasObject("depthwise_constraint"),
            biasConstraint: try c.anyKerasObject("bias_constraint"),
            kernelWeightName: c.dialect == .keras3 ? DepthwiseConv2D.keras3KernelName : DepthwiseConv2D.keras2KernelName)
    }

    /// ``ConfigEncoding/depthwiseConvolution(_:_:)``.
    package func configJSON(dialect: ConfigDialect) -> JSONValue { ConfigEncoding.depthwiseConvolution(self, dialect) }
}
