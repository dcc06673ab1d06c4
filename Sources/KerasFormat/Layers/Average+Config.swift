import KerasGraph

extension Average: ConfigEncodable {
    /// Decodes a `Average` config (only the common keys).
    package init(config c: LayerConfig) throws {
        self.init(common: try c.common())
    }

    /// `name, trainable, dtype` in both dialects.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        .object(ConfigEncoding.base(common, dialect))
    }
}
