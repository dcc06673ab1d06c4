import KerasGraph

extension LayerScale: ConfigEncodable, ArchiveRegistered {
    /// Decodes ConvNeXt's `LayerScale` config: `init_values` (a number), `projection_dim` (positive).
    package init(config c: LayerConfig) throws {
        guard let initValues = try c.double("init_values") else { throw c.error("missing `init_values`") }
        self.init(common: try c.common(), initValues: initValues,
                  projectionDim: try c.positiveInt("projection_dim", max: LayerConfig.maxDimension))
    }

    /// `init_values, projection_dim` in both dialects (as keras.applications writes them).
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        .object(ConfigEncoding.base(common, dialect) + [
            ("init_values", .number(initValues)), ("projection_dim", .number(Double(projectionDim))),
        ])
    }

    package var archiveModule: String { "keras.src.applications.convnext" }
}
