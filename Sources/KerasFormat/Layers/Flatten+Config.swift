import KerasGraph

extension Flatten: ConfigEncodable {
    /// Decodes a `Flatten` config: `data_format` (Keras 1 has none).
    package init(config c: LayerConfig) throws {
        self.init(common: try c.common(), dataFormat: try c.dataFormat())
    }

    /// `data_format` in both dialects.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        .object(ConfigEncoding.base(common, dialect) + [("data_format", .string(dataFormat.rawValue))])
    }
}
