import KerasGraph

extension Cropping3D: ConfigEncodable {
    /// Decodes a `Cropping3D` config: `cropping` as an int, three ints (each symmetric) or three pairs (default 1),
    /// `data_format`.
    package init(config c: LayerConfig) throws {
        self.init(common: try c.common(), cropping: try c.sidePairs("cropping", axes: 3, default: [[1, 1], [1, 1], [1, 1]]),
                  dataFormat: try c.dataFormat())
    }

    /// `cropping` (three pairs), `data_format`, in both dialects.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        .object(ConfigEncoding.base(common, dialect) + [
            ("cropping", .array(cropping.map(ConfigEncoding.ints))), ("data_format", .string(dataFormat.rawValue)),
        ])
    }
}
