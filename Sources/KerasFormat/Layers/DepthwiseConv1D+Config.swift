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

    /// ``ConfigEncoding/depthwiseConvolution(_:_:)``.
    package func configJSON(dialect: ConfigDialect) -> JSONValue { ConfigEncoding.depthwiseConvolution(self, dialect) }
}
