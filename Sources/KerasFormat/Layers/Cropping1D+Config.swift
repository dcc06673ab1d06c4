import KerasGraph

extension Cropping1D: ConfigEncodable {
    /// Decodes a `Cropping1D` config: `cropping`, an int or a pair `[start, end]` (default 1).
    package init(config c: LayerConfig) throws {
        self.init(common: try c.common(), cropping: try c.sidePairs("cropping", axes: 1, default: [[1, 1]])[0])
    }

    /// `cropping` (a pair) in both dialects.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        .object(ConfigEncoding.base(common, dialect) + [("cropping", ConfigEncoding.ints(cropping))])
    }
}
