import KerasGraph

extension Pipeline: ConfigEncodable {
    /// Decodes a Keras 3 `Pipeline` config: `layers`, a list of layer configs KerasPort decodes, and `name`.
    ///
    /// - Throws: when a layer is of a class KerasPort does not decode (the registry then keeps the pipeline opaque).
    package init(config c: LayerConfig) throws {
        guard case let .array(items)? = c.value("layers") else { throw c.error("`layers` must be a list of layers") }
        var layers: [any Layer] = []
        for (i, item) in items.enumerated() {
            guard case let .string(cls)? = item["class_name"] else { throw c.error("`layers[\(i)]` must be a layer object") }
            let inner = item["config"] ?? .object([])
            var name = "\(c.name)_\(i)"
            if case let .string(s)? = inner["name"] { name = s }
            let layer = try LayerRegistry.decode(LayerConfig(className: cls, name: name, config: inner, dialect: c.dialect,
                                                             kerasVersion: c.kerasVersion))
            if layer is OpaqueLayer { throw c.error("holds `\(cls)`, a layer class KerasPort does not decode") }
            layers.append(layer)
        }
        self.init(common: LayerCommon(name: c.name), layers: layers)
    }

    /// `layers, name`: all Keras 3.15's `Pipeline.get_config` writes (its constructor takes no `trainable` or
    /// `dtype`). The class is Keras 3 only (``KerasVersionRestricted``).
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        .object([("layers", .array(layers.map { ConfigEncoding.wrappedLayer($0, dialect) })), ("name", .string(common.name))])
    }
}

extension Pipeline: KerasVersionRestricted {
    package func writeProblem(format: KerasWriteFormat) -> String? {
        keras3OnlyProblem(format) ?? layers.lazy.compactMap { WriteCompatibility.problem($0, format: format) }.first
    }
}
