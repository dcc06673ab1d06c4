import KerasGraph

extension SpatialDropout2D: ConfigEncodable {
    /// Decodes a `SpatialDropout2D` config: `rate` (Keras 1: `p`) in [0, 1], `seed`, `data_format`
    /// (Keras 1: `dim_ordering`).
    package init(config c: LayerConfig) throws {
        self.init(common: try c.common(), rate: try c.rate("rate", "p"), seed: try c.seed(), dataFormat: try c.dataFormat())
    }

    /// Keras 3: `rate, seed, name, dtype` (a plain string, no `trainable`), `data_format`. Keras 2:
    /// `name, dtype, rate, seed`; tf_keras also writes `trainable` and `noise_shape: null`, which Keras 3 rejects,
    /// so they are left out. tf_keras has no `data_format` key here, so a channels-first layer reads back as
    /// channels-last in Keras 2 (it only matters in training).
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        if dialect == .keras3 {
            return .object([("rate", .number(rate)), ("seed", ConfigEncoding.int(seed)), ("name", .string(common.name)),
                            ("dtype", .string(common.dtype)), ("data_format", .string(dataFormat.rawValue))])
        }
        return .object([("name", .string(common.name)), ("dtype", ConfigEncoding.dtype(common.dtype, dialect)),
                        ("rate", .number(rate)), ("seed", ConfigEncoding.int(seed))])
    }
}
