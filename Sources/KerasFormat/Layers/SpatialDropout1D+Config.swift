import KerasGraph

extension SpatialDropout1D: ConfigEncodable {
    /// Decodes a `SpatialDropout1D` config: `rate` (Keras 1: `p`) in [0, 1], `seed`.
    package init(config c: LayerConfig) throws {
        self.init(common: try c.common(), rate: try c.rate("rate", "p"), seed: try c.seed())
    }

    /// Keras 3 writes this layer unlike others: `rate, seed, name, dtype`, with `dtype` a plain string and no
    /// `trainable`. Keras 2: `name, dtype, rate, seed`; tf_keras also writes `trainable` and `noise_shape: null`,
    /// which Keras 3 rejects (`unexpected keyword argument 'trainable'`), so they are left out (tf_keras' defaults;
    /// the layer has no weights, so `trainable` changes nothing).
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        if dialect == .keras3 {
            return .object([("rate", .number(rate)), ("seed", ConfigEncoding.int(seed)), ("name", .string(common.name)),
                            ("dtype", .string(common.dtype))])
        }
        return .object([("name", .string(common.name)), ("dtype", ConfigEncoding.dtype(common.dtype, dialect)),
                        ("rate", .number(rate)), ("seed", ConfigEncoding.int(seed))])
    }
}
