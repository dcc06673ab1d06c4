import KerasGraph

extension GaussianDropout: ConfigEncodable {
    /// Decodes a `GaussianDropout` config: `rate` (Keras 1: `p`) in [0, 1], `seed`.
    package init(config c: LayerConfig) throws {
        self.init(common: try c.common(), rate: try c.rate("rate", "p"), seed: try c.seed())
    }

    /// `rate, seed` in both dialects.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        .object(ConfigEncoding.base(common, dialect) + [("rate", .number(rate)), ("seed", ConfigEncoding.int(seed))])
    }
}
