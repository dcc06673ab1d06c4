import KerasGraph

extension Conv1DTranspose: ConfigEncodable {
    /// Decodes a `Conv1DTranspose` config: the `Conv1D` keys plus `output_padding` (`null`, an int or a tuple,
    /// each ≥ 0 and less than the stride). `groups` must be 1 (Keras 2 writes it; Keras 3 has no such key).
    package init(config c: LayerConfig) throws {
        let (kernel, strides, dilation) = try c.convolutionWindow(rank: 1, refuseStridedDilation: true)
        guard try c.int("groups", default: 1) == 1 else { throw c.error("`groups` must be 1 for Conv1DTranspose") }
        let outputPadding = try c.intTuple("output_padding", count: 1)
        if let op = outputPadding {
            for (p, s) in zip(op, strides) where p < 0 || p >= s {
                throw c.error("`output_padding` \(op) must be >= 0 and less than `strides` \(strides)")
            }
        }
        self.init(
            common: try c.common(), filters: try c.positiveInt("filters", max: LayerConfig.maxDimension), kernelSize: kernel, strides: strides,
            padding: try c.windowPadding(), outputPadding: outputPadding, dataFormat: try c.dataFormat(),
            dilationRate: dilation, activation: try c.activation(), useBias: try c.bool("use_bias", default: true))
        try c.decodeKernelAndBiasObjects(into: &self)
    }

    /// Keras 2: the `Conv1D` keys then `output_padding`, without the `groups: 1` tf_keras writes (Keras 3 rejects it). Keras 3: `filters, kernel_size, strides,
    /// padding, output_padding, data_format, dilation_rate, activation, use_bias`, initializers, regularizers,
    /// constraints.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        typealias E = ConfigEncoding
        let op: (String, JSONValue) = ("output_padding", outputPadding.map(E.ints) ?? .null)
        var m = E.base(common, dialect) + [
            ("filters", .number(Double(filters))), ("kernel_size", E.ints(kernelSize)), ("strides", E.ints(strides)),
            ("padding", .string(padding.rawValue)),
        ]
        if dialect == .keras3 { m.append(op) }
        m += [("data_format", .string(dataFormat.rawValue)), ("dilation_rate", E.ints(dilationRate))]
        m += [
            ("activation", E.activation(activation, dialect)), ("use_bias", .bool(useBias)),
        ] + E.kernelAndBiasObjects(self, dialect)
        if dialect != .keras3 { m.append(op) }
        return .object(m)
    }
}
