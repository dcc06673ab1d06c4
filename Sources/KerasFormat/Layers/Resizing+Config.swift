import KerasGraph

extension Resizing: ConfigEncodable {
    /// Decodes a `Resizing` config: `height`, `width`, `interpolation` (default `bilinear`), `crop_to_aspect_ratio`,
    /// and Keras 3's `pad_to_aspect_ratio`, `fill_mode`, `fill_value`, `antialias`, `data_format`.
    package init(config c: LayerConfig) throws {
        let raw = try c.string("interpolation", default: "bilinear")
        guard let interpolation = Interpolation(rawValue: raw) else {
            throw c.error("`interpolation` must be one of \(Interpolation.allCases.map(\.rawValue).joined(separator: ", ")), found `\(raw)`")
        }
        self.init(common: try c.common(), height: try c.positiveInt("height"), width: try c.positiveInt("width"),
                  interpolation: interpolation, cropToAspectRatio: try c.bool("crop_to_aspect_ratio", default: false),
                  padToAspectRatio: try c.bool("pad_to_aspect_ratio", default: false),
                  fillMode: try c.string("fill_mode", default: "constant"), fillValue: try c.double("fill_value", default: 0),
                  antialias: try c.bool("antialias", default: false), dataFormat: try c.dataFormat())
    }

    /// Keras 2: `height, width, interpolation, crop_to_aspect_ratio`. Keras 3: `data_format, height, width,
    /// interpolation, crop_to_aspect_ratio, pad_to_aspect_ratio, fill_mode, fill_value, antialias`.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        let size: [(String, JSONValue)] = [("height", .number(Double(height))), ("width", .number(Double(width))),
                                           ("interpolation", .string(interpolation.rawValue)),
                                           ("crop_to_aspect_ratio", .bool(cropToAspectRatio))]
        guard dialect == .keras3 else { return .object(ConfigEncoding.base(common, dialect) + size) }
        return .object(ConfigEncoding.base(common, dialect) + [("data_format", .string(dataFormat.rawValue))] + size + [
            ("pad_to_aspect_ratio", .bool(padToAspectRatio)), ("fill_mode", .string(fillMode)),
            ("fill_value", .number(fillValue)), ("antialias", .bool(antialias)),
        ])
    }
}
