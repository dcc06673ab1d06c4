import KerasGraph

extension LeakyReLU: ConfigEncodable {
    /// Decodes a `LeakyReLU` config: `negative_slope` (Keras 3) or `alpha` (Keras 1/2, including the
    /// Keras 2.0.0–2.0.5 `{"type": "ndarray", "value": x}` form); 0.3 when neither is given. Like Keras, any
    /// number is accepted, NaN and infinities included.
    package init(config c: LayerConfig) throws {
        // NaN and infinite slopes are kept, as Keras keeps them (`inspect` warns about them).
        let slope = try c.float("negative_slope") ?? c.float("alpha") ?? LeakyReLU.defaultSlope
        self.init(common: try c.common(), negativeSlope: slope, reluWhenSlopeIsZero: c.dialect != .keras3)
    }

    /// Keras 2: `alpha`, rounded to float32 as tf_keras writes it (0.2 → `0.20000000298023224`).
    /// Keras 3: `negative_slope` as a short decimal (0.2). Keras 3 rejects negative slopes, which Keras 2 accepts.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        .object(ConfigEncoding.base(common, dialect)
                + [(dialect == .keras3 ? "negative_slope" : "alpha", ConfigEncoding.float32(negativeSlope, dialect))])
    }
}
