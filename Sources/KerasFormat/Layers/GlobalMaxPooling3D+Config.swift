import KerasGraph

extension GlobalMaxPooling3D: ConfigEncodable {
    /// Decodes a `GlobalMaxPooling3D` config: `data_format`, `keepdims`.
    package init(config c: LayerConfig) throws {
        self.init(common: try c.common(), dataFormat: try c.dataFormat(), keepDims: try c.bool("keepdims", default: false))
    }

    /// `data_format, keepdims` in both dialects.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        .object(ConfigEncoding.base(common, dialect)
                + [("data_format", .string(dataFormat.rawValue)), ("keepdims", .bool(keepDims))])
    }
}
