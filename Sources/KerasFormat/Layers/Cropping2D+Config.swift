import KerasGraph

extension Cropping2D: ConfigEncodable {
    /// Decodes a `Cropping2D` config: `cropping` as an int, a pair `(rows, cols)` or a pair of pairs
    /// `((top, bottom), (left, right))` (default 0); `data_format` (Keras 1: `dim_ordering`, not saved by Keras 1:
    /// such layers read as channels-last).
    package init(config c: LayerConfig) throws {
        self.init(common: try c.common(), cropping: try c.sidePairs("cropping", axes: 2, default: [[0, 0], [0, 0]]),
                  dataFormat: try c.dataFormat())
    }

    /// `cropping` (a pair of pairs), `data_format`, in both dialects.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        .object(ConfigEncoding.base(common, dialect) + [
            ("cropping", .array(cropping.map(ConfigEncoding.ints))), ("data_format", .string(dataFormat.rawValue)),
        ])
    }
}
