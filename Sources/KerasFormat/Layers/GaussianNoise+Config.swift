import KerasGraph

extension GaussianNoise: ConfigEncodable {
    /// Decodes a `GaussianNoise` config: `stddev` (Keras 1: `sigma`) ≥ 0, `seed`.
    package init(config c: LayerConfig) throws {
        guard let key = c.firstKey(["stddev", "sigma"]) else { throw c.error("missing `stddev`") }
        let stddev = try c.boundedDouble(key, default: 0, minimum: 0)
        self.init(common: try c.common(), stddev: stddev, seed: try c.seed())
    }

    /// `stddev, seed` in both dialects. Keras 3 only accepts `stddev` ≤ 1; larger values (valid in Keras 2) are
    /// written unchanged.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        .object(ConfigEncoding.base(common, dialect) + [("stddev", .number(stddev)), ("seed", ConfigEncoding.int(seed))])
    }
}
