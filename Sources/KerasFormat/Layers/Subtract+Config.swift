import KerasGraph

extension Subtract: ConfigEncodable {
    /// Decodes a `Subtract` config (only the common keys).
    package init(config c: LayerConfig) throws {
        self.init(common: try c.common())
    }

    /// `name, trainable, dtype` in both dialects.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        .object(ConfigEncoding.base(common, dialect))
    }
}
