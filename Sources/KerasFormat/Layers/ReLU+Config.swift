import KerasGraph

extension ReLU: ConfigEncodable {
    /// Decodes a `ReLU` config: `max_value` (`null` or ≥ 0), `negative_slope` (≥ 0, default 0), `threshold`
    /// (≥ 0, default 0), as both Keras 2 and Keras 3 validate them.
    package init(config c: LayerConfig) throws {
        func nonNegative(_ key: String) throws -> Float? {
            guard let v = try c.float(key) else { return nil }
            guard v.isFinite, v >= 0 else { throw c.error("`\(key)` must be a finite number >= 0, found \(v)") }
            return v
        }
        self.init(common: try c.common(), maxValue: try nonNegative("max_value"),
                  negativeSlope: try nonNegative("negative_slope") ?? 0, threshold: try nonNegative("threshold") ?? 0)
    }

    /// `max_value, negative_slope, threshold` in both dialects; Keras 2 rounds them to float32.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        typealias E = ConfigEncoding
        return .object(E.base(common, dialect) + [
            ("max_value", maxValue.map { E.float32($0, dialect) } ?? .null),
            ("negative_slope", E.float32(negativeSlope, dialect)),
            ("threshold", E.float32(threshold, dialect)),
        ])
    }
}
