import KerasGraph

extension ZeroPadding1D: ConfigEncodable {
    /// Decodes a `ZeroPadding1D` config: `padding`, an int or a pair `[before, after]` (default 1), and Keras 3's
    /// `data_format`.
    package init(config c: LayerConfig) throws {
        let pairs = try c.sidePairs("padding", axes: 1, default: [[1, 1]])
        self.init(common: try c.common(), padding: pairs[0], dataFormat: try c.dataFormat())
    }

    /// Keras 2: `padding` (a pair). Keras 3: `padding`, `data_format`. tf_keras has no `data_format` here, so a
    /// channels-first layer has no Keras 2 form (the key is left out).
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        var m = ConfigEncoding.base(common, dialect) + [("padding", ConfigEncoding.ints(padding))]
        if dialect == .keras3 { m.append(("data_format", .string(dataFormat.rawValue))) }
        return .object(m)
    }
}
