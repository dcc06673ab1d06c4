import KerasGraph

extension RepeatVector: ConfigEncodable {
    /// Decodes a `RepeatVector` config: `n` > 0.
    package init(config c: LayerConfig) throws {
        self.init(common: try c.common(), n: try c.positiveInt("n", max: LayerConfig.maxDimension))
    }

    /// `n` in both dialects.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        .object(ConfigEncoding.base(common, dialect) + [("n", .number(Double(n)))])
    }
}
