import KerasGraph

extension ZeroPadding2D: ConfigEncodable {
    /// Decodes a `ZeroPadding2D` config: `padding` as an int, a pair `(rows, cols)`, a pair of pairs
    /// `((top, bottom), (left, right))`, or Keras 1's 4-tuple / `{"top_pad", …}` dict (default 1); `data_format`
    /// (Keras 1: `dim_ordering`, which Keras 1 did not save for this layer: such layers read as channels-last).
    package init(config c: LayerConfig) throws {
        self.init(common: try c.common(), padding: try c.sidePairs("padding", axes: 2, default: [[1, 1], [1, 1]]),
                  dataFormat: try c.dataFormat())
    }

    /// `padding` (a pair of pairs), `data_format`, in both dialects.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        .object(ConfigEncoding.base(common, dialect) + [
            ("padding", .array(padding.map(ConfigEncoding.ints))), ("data_format", .string(dataFormat.rawValue)),
        ])
    }
}
