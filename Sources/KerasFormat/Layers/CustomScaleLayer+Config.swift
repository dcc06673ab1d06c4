import KerasGraph

extension CustomScaleLayer: ConfigEncodable, ArchiveRegistered {
    /// Decodes InceptionResNetV2's `CustomScaleLayer` config: `scale` (a finite number).
    package init(config c: LayerConfig) throws {
        guard let scale = try c.double("scale"), scale.isFinite else { throw c.error("`scale` must be a finite number") }
        self.init(common: try c.common(), scale: scale)
    }

    /// `scale` in both dialects.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        .object(ConfigEncoding.base(common, dialect) + [("scale", .number(scale))])
    }

    package var archiveModule: String { "keras.src.applications.inception_resnet_v2" }

    /// tf_keras registers the class (`register_keras_serializable()`), so its files name it `Custom>CustomScaleLayer`;
    /// Keras 3 names it by module.
    package func kerasClassName(dialect: ConfigDialect) -> String {
        dialect == .keras3 ? "CustomScaleLayer" : "Custom>CustomScaleLayer"
    }
}
