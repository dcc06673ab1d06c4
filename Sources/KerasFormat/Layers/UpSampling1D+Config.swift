import KerasGraph

extension UpSampling1D: ConfigEncodable {
    /// Decodes an `UpSampling1D` config: `size` (Keras 1: `length`) ≥ 1, default 2.
    package init(config c: LayerConfig) throws {
        self.init(common: try c.common(), size: try c.positiveInt("size", "length", default: 2))
    }

    /// `size` in both dialects.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        .object(ConfigEncoding.base(common, dialect) + [("size", .number(Double(size)))])
    }
}
