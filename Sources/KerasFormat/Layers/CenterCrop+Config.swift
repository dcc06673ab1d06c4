import KerasGraph

extension CenterCrop: ConfigEncodable {
    /// Decodes a `CenterCrop` config: `height`, `width` (positive), `data_format` (Keras 3; channels-last when absent).
    package init(config c: LayerConfig) throws {
        self.init(common: try c.common(), height: try c.positiveInt("height"), width: try c.positiveInt("width"),
                  dataFormat: try c.dataFormat())
    }

    /// Keras 2: `height, width`. Keras 3: `data_format, height, width`.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        let size: [(String, JSONValue)] = [("height", .number(Double(height))), ("width", .number(Double(width)))]
        if dialect == .keras3 {
            return .object(ConfigEncoding.base(common, dialect) + [("data_format", .string(dataFormat.rawValue))] + size)
        }
        return .object(ConfigEncoding.base(common, dialect) + size)
    }
}
