import KerasGraph

extension SpectralNormalization: ConfigEncodable {
    /// Decodes a `SpectralNormalization` config: `layer` (any layer config KerasPort decodes), `power_iterations`
    /// (default 1).
    ///
    /// - Throws: when the wrapped layer is of a class KerasPort does not decode.
    package init(config c: LayerConfig) throws {
        guard let inner = try c.wrappedLayer("layer") else { throw c.error("missing `layer`") }
        if inner is OpaqueLayer {
            throw c.error("wraps `\(inner.className)`, a layer class KerasPort does not decode")
        }
        self.init(common: try c.common(), layer: inner,
                  powerIterations: try c.positiveInt("power_iterations", default: 1, max: Int(Int32.max)))
    }

    /// `name, trainable, dtype, layer, power_iterations` in both dialects.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        .object(ConfigEncoding.base(common, dialect) + [
            ("layer", ConfigEncoding.wrappedLayer(layer, dialect)),
            ("power_iterations", .number(Double(powerIterations))),
        ])
    }
}

extension SpectralNormalization: KerasVersionRestricted {
    /// What the wrapped layer cannot express.
    package func writeProblem(format: KerasWriteFormat) -> String? { WriteCompatibility.problem(layer, format: format) }
}
