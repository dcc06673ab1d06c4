public import KerasGraph

extension SpatialDropout1D: ConfigEncodable {
    /// Decodes a `SpatialDropout1D` config: `rate` (Keras 1: `p`) in [0, 1], `seed`.
    public init(config c: LayerConfig) throws {
        self.init(common: try c.common(), rate: try c.rate("rate", "p"), seed: try c.seed())
    }

    /// Keras 2: `name, trainable, dtype, rate, noise_shape: null, seed`. Keras 3 writes this layer unlike others:
    /// `rate, seed, name, dtype` with `dtype` a plain string and no `trainable`.
    public func configJSON(dialect: ConfigDialect) -> JSONValue {
        if dialect == .keras3 {
            return .object([("rate", .number(rate)), ("seed", ConfigEncoding.int(seed)), ("name", .string(common.name)),
                            ("dtype", .string(common.dtype))])
        }
        return .object(ConfigEncoding.base(common, dialect)
                       + [("rate", .number(rate)), ("noise_shape", .null), ("seed", ConfigEncoding.int(seed))])
    }
}
