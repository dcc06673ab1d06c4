import KerasGraph

extension Conv1D: ConfigEncodable {
    /// Decodes a `Conv1D` config, or Keras 1 `Convolution1D` / `AtrousConvolution1D` (`nb_filter`, `filter_length`,
    /// `subsample_length`, `border_mode`, `atrous_rate`, `bias`, `init`, `W_regularizer`, …).
    package init(config c: LayerConfig) throws {
        let filters = try c.positiveInt("filters", "nb_filter", max: LayerConfig.maxDimension)
        let groups = try c.positiveInt("groups", default: 1)
        guard filters % groups == 0 else { throw c.error("`filters` (\(filters)) must be divisible by `groups` (\(groups))") }
        let (kernel, strides, dilation) = try c.convolutionWindow(
            rank: 1, kernelKeys: ["kernel_size", "filter_length"], strideKeys: ["strides", "subsample_length"],
            dilationKeys: ["dilation_rate", "atrous_rate"], refuseStridedDilation: true)
        self.init(
            common: try c.common(), filters: filters, kernelSize: kernel, strides: strides,
            padding: try c.windowPadding(allowCausal: true), dataFormat: try c.dataFormat(), dilationRate: dilation,
            groups: groups, activation: try c.activation(), useBias: try c.bool("use_bias") ?? c.bool("bias") ?? true)
        try c.decodeKernelAndBiasObjects(into: &self, keras1: true)
    }

    /// The same keys in both dialects: `filters, kernel_size, strides, padding, data_format, dilation_rate, groups,
    /// activation, use_bias`, initializers, regularizers (with `activity_regularizer`), constraints.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        typealias E = ConfigEncoding
        return .object(E.base(common, dialect) + [
            ("filters", .number(Double(filters))), ("kernel_size", E.ints(kernelSize)), ("strides", E.ints(strides)),
            ("padding", .string(padding.rawValue)), ("data_format", .string(dataFormat.rawValue)),
            ("dilation_rate", E.ints(dilationRate)), ("groups", .number(Double(groups))),
            ("activation", E.activation(activation, dialect)), ("use_bias", .bool(useBias)),
        ] + E.kernelAndBiasObjects(self, dialect))
    }
}
