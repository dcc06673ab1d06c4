import KerasGraph

extension RandomCrop: ConfigEncodable {
    /// Decodes a `RandomCrop` config: `height`, `width` (≥ 1), `seed`, Keras 3's `data_format`. The inference
    /// semantics follow the Keras that wrote the file.
    package init(config c: LayerConfig) throws {
        self.init(common: try c.common(), height: try c.positiveInt("height", max: LayerConfig.maxDimension),
                  width: try c.positiveInt("width", max: LayerConfig.maxDimension), seed: try c.seed(),
                  dataFormat: c.has("data_format") ? try c.dataFormat() : nil,
                  semantics: c.dialect == .keras3 ? .keras3 : .keras2)
    }

    /// `height, width, seed`, and for Keras 3 `data_format` (tf_keras has no such key).
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        var m = ConfigEncoding.base(common, dialect) + [
            ("height", .number(Double(height))), ("width", .number(Double(width))), ("seed", ConfigEncoding.int(seed)),
        ]
        if dialect == .keras3 { m.append(("data_format", .string((dataFormat ?? .channelsLast).rawValue))) }
        return .object(m)
    }
}

extension RandomCrop: KerasVersionRestricted {
    /// tf_keras resizes at inference and Keras 3 passes the input through: a file for the other Keras would predict
    /// something else.
    package func writeProblem(format: KerasWriteFormat) -> String? {
        switch (semantics, format.dialect) {
        case (.keras2, .keras3):
            return "tf_keras' RandomCrop resizes to \(height)×\(width) at inference and Keras 3's passes images through unchanged; write legacy-h5 (Keras 2 dialect), or replace it by Resizing(\(height), \(width), crop_to_aspect_ratio=True)"
        case (.keras3, .keras1), (.keras3, .keras2):
            return "Keras 3's RandomCrop passes images through at inference and tf_keras' resizes them to \(height)×\(width); write a Keras 3 format (keras3-h5, weights-h5, keras)"
        default:
            return nil
        }
    }
}
