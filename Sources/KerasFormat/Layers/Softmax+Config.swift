public import KerasGraph

extension Softmax: ConfigEncodable {
    /// Decodes a `Softmax` config: `axis`, an int or a list (default -1).
    public init(config c: LayerConfig) throws {
        self.init(common: try c.common(), axis: try c.axes("axis") ?? [-1])
    }

    /// `axis` (an int for one axis, a list for several) in both dialects.
    public func configJSON(dialect: ConfigDialect) -> JSONValue {
        .object(ConfigEncoding.base(common, dialect) + [("axis", ConfigEncoding.axis(axis))])
    }
}
