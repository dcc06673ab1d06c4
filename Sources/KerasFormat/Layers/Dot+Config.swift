import KerasGraph

extension Dot: ConfigEncodable {
    /// Decodes a `Dot` config: `axes` (an int, or a list of one or two ints; none may be 0, the batch axis) and
    /// `normalize`.
    package init(config c: LayerConfig) throws {
        guard let axes = try c.axes("axes") else { throw c.error("missing `axes`") }
        guard axes.count <= 2, !axes.contains(0) else {
            throw c.error("`axes` must be one or two non-batch axes, found \(axes)")
        }
        self.init(common: try c.common(), axes: axes, normalize: try c.bool("normalize", default: false))
    }

    /// `axes` (an int for one, a list for two), `normalize`, in both dialects.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        .object(ConfigEncoding.base(common, dialect)
                + [("axes", ConfigEncoding.axis(axes)), ("normalize", .bool(normalize))])
    }
}
