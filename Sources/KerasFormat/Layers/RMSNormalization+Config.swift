import KerasGraph

extension RMSNormalization: ConfigEncodable {
    /// Decodes a Keras 3 `RMSNormalization` config: `axis` (an int or a list, default -1), `epsilon` (≥ 0, default
    /// 1e-6).
    package init(config c: LayerConfig) throws {
        self.init(common: try c.common(), axis: try c.axes("axis") ?? [-1],
                  epsilon: try c.boundedDouble("epsilon", default: 1e-6, minimum: 0))
    }

    /// `axis` (a list, as a built Keras 3 layer writes it), `epsilon`. The class is Keras 3 only
    /// (``KerasVersionRestricted``).
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        .object(ConfigEncoding.base(common, dialect) + [("axis", ConfigEncoding.ints(axis)), ("epsilon", .number(epsilon))])
    }
}

extension RMSNormalization: KerasVersionRestricted {
    package func writeProblem(format: KerasWriteFormat) -> String? { keras3OnlyProblem(format) }
}
