import KerasGraph

extension TimeDistributed: ConfigEncodable {
    /// Decodes a `TimeDistributed` config: `layer`, any layer config KerasPort decodes.
    ///
    /// - Throws: when the wrapped layer is of a class KerasPort does not decode (the registry then keeps the
    ///   wrapper opaque).
    package init(config c: LayerConfig) throws {
        guard let inner = try c.wrappedLayer("layer") else { throw c.error("missing `layer`") }
        if inner is OpaqueLayer {
            throw c.error("wraps `\(inner.className)`, a layer class KerasPort does not decode")
        }
        self.init(common: try c.common(), layer: inner)
    }

    /// `name, trainable, dtype, layer` in both dialects.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        .object(ConfigEncoding.base(common, dialect) + [("layer", ConfigEncoding.wrappedLayer(layer, dialect))])
    }
}
