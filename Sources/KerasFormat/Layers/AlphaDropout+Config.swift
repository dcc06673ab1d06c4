import KerasGraph

extension AlphaDropout: ConfigEncodable {
    /// Decodes an `AlphaDropout` config: `rate` in [0, 1], `noise_shape`, `seed`.
    package init(config c: LayerConfig) throws {
        self.init(common: try c.common(), rate: try c.rate("rate"), noiseShape: try c.shape("noise_shape"),
                  seed: try c.seed())
    }

    /// Keras 2: `rate, seed`; Keras 3: `rate, seed, noise_shape`.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        var m = ConfigEncoding.base(common, dialect) + [("rate", .number(rate)), ("seed", ConfigEncoding.int(seed))]
        if dialect == .keras3 { m.append(("noise_shape", ConfigEncoding.shape(noiseShape))) }
        return .object(m)
    }
}
