import KerasGraph

extension ThresholdedReLU: ConfigEncodable {
    /// Decodes a `ThresholdedReLU` config: `theta` ≥ 0 (default 1).
    package init(config c: LayerConfig) throws {
        let theta = try c.float("theta", default: 1)
        guard theta.isFinite, theta >= 0 else { throw c.error("`theta` must be a finite number >= 0, found \(theta)") }
        self.init(common: try c.common(), theta: theta)
    }

    /// Keras 2: `theta`, rounded to float32 (Keras 3 cannot load this class; writers targeting both can write
    /// ``ThresholdedReLU/equivalentReLU`` instead, which tf_keras ≥ 2.2.3 also reads). Keras 3 has no `ThresholdedReLU`: the layer is written as a `ReLU`
    /// (see ``kerasClassName(dialect:)``) with `max_value: null, negative_slope: 0, threshold: theta`, which computes
    /// the same function (`x > theta ? x : 0`).
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        if dialect == .keras3 {
            return equivalentReLU.configJSON(dialect: dialect)
        }
        return .object(ConfigEncoding.base(common, dialect) + [("theta", ConfigEncoding.float32(theta, dialect))])
    }

    /// `ThresholdedReLU`, or `ReLU` for Keras 3.
    package func kerasClassName(dialect: ConfigDialect) -> String {
        dialect == .keras3 ? "ReLU" : className
    }
}
