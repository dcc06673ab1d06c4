import KerasGraph

extension Conv3D: ConfigEncodable {
    /// Decodes a `Conv3D` config (`filters`, `kernel_size`, `strides`, `padding` valid/same, `data_format`,
    /// `dilation_rate`, `groups`, `activation`, `use_bias`, initializers, regularizers, constraints).
    package init(config c: LayerConfig) throws {
        let filters = try c.positiveInt("filters", max: LayerConfig.maxDimension)
        let groups = try c.positiveInt("groups", default: 1)
        guard filters % groups == 0 else { throw c.error("`filters` (\(filters)) must be divisible by `groups` (\(groups))") }
        let (kernel, strides, dilation) = try c.convolutionWindow(rank: 3, refuseStridedDilation: true)
        self.init(
            common: try c.common(), filters: filters, kernelSize: kernel, strides: strides,
            padding: try c.windowPadding(), dataFormat: try c.dataFormat(), dilationRate: dilation,
            groups: groups, activation: try c.activation(), useBias: try c.bool("use_bias", default: true))
        try c.decodeKernelAndBiasObjects(into: &self)
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
