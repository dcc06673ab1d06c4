import KerasGraph

extension Dropout: ConfigEncodable {
    /// Decodes a `Dropout` config: `rate` (Keras 1: `p`) in [0, 1], `noise_shape`, `seed`.
    package init(config c: LayerConfig) throws {
        self.init(common: try c.common(), rate: try c.rate("rate", "p"), noiseShape: try c.shape("noise_shape"),
                  seed: try c.seed())
    }

    /// Keras 2: `rate, noise_shape, seed`; Keras 3: `rate, seed, noise_shape`.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        let rate: (String, JSONValue) = ("rate", .number(rate))
        let noise: (String, JSONValue) = ("noise_shape", ConfigEncoding.shape(noiseShape))
        let seed: (String, JSONValue) = ("seed", ConfigEncoding.int(seed))
        return .object(ConfigEncoding.base(common, dialect) + (dialect == .keras3 ? [rate, seed, noise] : [rate, noise, seed]))
    }
}
