import KerasGraph

extension Conv2D: ConfigEncodable {
    /// Decodes a `Conv2D` config, or Keras 1 `Convolution2D` / `AtrousConvolution2D` (`nb_filter`, `nb_row`,
    /// `nb_col`, `subsample`, `border_mode`, `dim_ordering`, `atrous_rate`, `bias`, `init`, `W_regularizer`, …).
    /// A Keras 1 `dim_ordering` is kept in ``dimOrdering`` (and `th` makes the layer channels-first).
    package init(config c: LayerConfig) throws {
        let filters = try c.positiveInt("filters", "nb_filter", max: LayerConfig.maxDimension)
        let groups = try c.positiveInt("groups", default: 1)
        guard filters % groups == 0 else { throw c.error("`filters` (\(filters)) must be divisible by `groups` (\(groups))") }
        let (kernel, strides, dilation) = try c.convolutionWindow(
            rank: 2, legacyKernel: ("nb_row", "nb_col"), strideKeys: ["strides", "subsample"],
            dilationKeys: ["dilation_rate", "atrous_rate"], refuseStridedDilation: true)
        self.init(
            common: try c.common(), filters: filters, kernelSize: kernel, strides: strides,
            padding: try c.windowPadding(), dataFormat: try c.dataFormat(), dilationRate: dilation,
            groups: groups, activation: try c.activation(), useBias: try c.bool("use_bias") ?? c.bool("bias") ?? true)
        try c.decodeKernelAndBiasObjects(into: &self, keras1: true)
        dimOrdering = try c.dimOrdering()
    }

    /// The same keys in both dialects: `filters, kernel_size, strides, padding, data_format, dilation_rate, groups,
    /// activation, use_bias`, initializers, regularizers (with `activity_regularizer`), constraints.
    /// ``dimOrdering`` is not written (it is a Keras 1 key; `data_format` carries the layout).
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
