import KerasGraph

extension Masking: ConfigEncodable {
    /// Decodes a `Masking` config: `mask_value` (default 0).
    package init(config c: LayerConfig) throws {
        self.init(common: try c.common(), maskValue: try c.double("mask_value", default: 0))
    }

    /// `name, trainable, dtype, mask_value` in both dialects.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        .object(ConfigEncoding.base(common, dialect) + [("mask_value", .number(maskValue))])
    }
}
