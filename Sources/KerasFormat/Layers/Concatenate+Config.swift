import KerasGraph

extension Concatenate: ConfigEncodable {
    /// Decodes a `Concatenate` config: `axis` (default -1; a one-element list, as some loaders leave it, is read as
    /// its element).
    package init(config c: LayerConfig) throws {
        let axes = try c.axes("axis") ?? [-1]
        guard axes.count == 1 else { throw c.error("`axis` must be one integer, found \(axes)") }
        self.init(common: try c.common(), axis: axes[0])
    }

    /// `axis` in both dialects.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        .object(ConfigEncoding.base(common, dialect) + [("axis", .number(Double(axis)))])
    }
}
