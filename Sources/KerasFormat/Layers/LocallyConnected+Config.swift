import KerasGraph

extension LocallyConnected: ConfigEncodable {
    /// Decodes a tf_keras `LocallyConnected1D` / `LocallyConnected2D` config (the rank from the class name):
    /// `filters`, `kernel_size`, `strides`, `padding`, `data_format`, `activation`, `use_bias`, `implementation`
    /// (default 1), initializers, regularizers, constraints.
    package init(config c: LayerConfig) throws {
        let rank = c.className.hasSuffix("1D") ? 1 : 2
        guard let kernel = try c.positiveTuple(["kernel_size"], count: rank) else { throw c.error("missing `kernel_size`") }
        self.init(
            common: try c.common(),
            filters: try c.positiveInt("filters", max: LayerConfig.maxDimension),
            kernelSize: kernel,
            strides: try c.positiveTuple(["strides"], count: rank) ?? Array(repeating: 1, count: rank),
            padding: try c.windowPadding(),
            dataFormat: try c.dataFormat(),
            activation: try c.activation(),
            useBias: try c.bool("use_bias", default: true),
            implementation: try c.int("implementation", default: 1))
        try c.decodeKernelAndBiasObjects(into: &self)
    }

    /// tf_keras 2.21's `get_config` keys in order. The classes are tf_keras only (``KerasVersionRestricted``).
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        typealias E = ConfigEncoding
        return .object(E.base(common, dialect) + [
            ("filters", .number(Double(filters))), ("kernel_size", E.ints(kernelSize)), ("strides", E.ints(strides)),
            ("padding", .string(padding.rawValue)), ("data_format", .string(dataFormat.rawValue)),
            ("activation", E.activation(activation, dialect)), ("use_bias", .bool(useBias)),
        ] + E.kernelAndBiasObjects(self, dialect) + [("implementation", .number(Double(implementation)))])
    }
}

extension LocallyConnected: KerasVersionRestricted {
    package func writeProblem(format: KerasWriteFormat) -> String? { keras2OnlyProblem(format) }
}
