import KerasGraph

extension ZeroPadding3D: ConfigEncodable {
    /// Decodes a `ZeroPadding3D` config: `padding` as an int, three ints (each symmetric) or three pairs (default 1),
    /// `data_format`.
    package init(config c: LayerConfig) throws {
        self.init(common: try c.common(), padding: try c.sidePairs("padding", axes: 3, default: [[1, 1], [1, 1], [1, 1]]),
                  dataFormat: try c.dataFormat())
    }

    /// `padding` (three pairs), `data_format`, in both dialects.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        .object(ConfigEncoding.base(common, dialect) + [
            ("padding", .array(padding.map(ConfigEncoding.ints))), ("data_format", .string(dataFormat.rawValue)),
        ])
    }
}
