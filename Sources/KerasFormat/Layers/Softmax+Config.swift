import KerasGraph

extension Softmax: ConfigEncodable {
    /// Decodes a `Softmax` config: `axis`, an int or a list (default -1).
    package init(config c: LayerConfig) throws {
        self.init(common: try c.common(), axis: try c.axes("axis") ?? [-1])
    }

    /// `axis` (an int for one axis, a list for several) in both dialects. Keras 3's legacy `.h5` loader drops a
    /// multi-axis list (it keeps `axis` only as a number or a one-element list), so such a layer reloads from a
    /// legacy `.h5` as `axis=-1` in Keras 3; `.keras` archives and Keras 2 keep it.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        .object(ConfigEncoding.base(common, dialect) + [("axis", ConfigEncoding.axis(axis))])
    }
}
