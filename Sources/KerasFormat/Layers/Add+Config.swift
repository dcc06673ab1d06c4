public import KerasGraph

extension Add: ConfigEncodable {
    /// Decodes a `Add` config (only the common keys).
    public init(config c: LayerConfig) throws {
        self.init(common: try c.common())
    }

    /// `name, trainable, dtype` in both dialects.
    public func configJSON(dialect: ConfigDialect) -> JSONValue {
        .object(ConfigEncoding.base(common, dialect))
    }
}
