import KerasGraph

extension AdaptivePooling: ConfigEncodable {
    /// Decodes an `AdaptiveAveragePoolingND` / `AdaptiveMaxPoolingND` config (kind and rank from the class name):
    /// `output_size` (an int for every axis, or one value per axis, each ≥ 1), `data_format`.
    package init(config c: LayerConfig) throws {
        let name = c.className
        let kind: Kind = name.hasPrefix("AdaptiveMax") ? .max : .average
        let rank = name.hasSuffix("1D") ? 1 : name.hasSuffix("3D") ? 3 : 2
        guard let size = try c.positiveTuple(["output_size"], count: rank) else { throw c.error("missing `output_size`") }
        self.init(kind: kind, common: try c.common(), outputSize: size, dataFormat: try c.dataFormat())
    }

    /// `output_size` (a list), `data_format`, as Keras 3.15 writes them. The classes are Keras 3 only
    /// (``KerasVersionRestricted``).
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        .object(ConfigEncoding.base(common, dialect) + [
            ("output_size", ConfigEncoding.ints(outputSize)), ("data_format", .string(dataFormat.rawValue)),
        ])
    }
}

extension AdaptivePooling: KerasVersionRestricted {
    package func writeProblem(format: KerasWriteFormat) -> String? { keras3OnlyProblem(format) }
}
