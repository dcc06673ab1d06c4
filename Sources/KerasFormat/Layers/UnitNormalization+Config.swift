import KerasGraph

extension UnitNormalization: ConfigEncodable {
    /// Decodes a `UnitNormalization` config: `axis` (an int or a list, default -1). The tiny-norm bound follows the
    /// Keras that wrote the file.
    package init(config c: LayerConfig) throws {
        self.init(common: try c.common(), axis: try c.axes("axis") ?? [-1],
                  tinyNormBound: c.dialect == .keras3 ? .keras3 : .keras2)
    }

    /// Both dialects: `axis` (an int for one axis, else a list).
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        .object(ConfigEncoding.base(common, dialect) + [("axis", ConfigEncoding.axis(axis))])
    }
}
