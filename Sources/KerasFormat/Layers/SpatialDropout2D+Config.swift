public import KerasGraph

extension SpatialDropout2D: ConfigEncodable {
    /// Decodes a `SpatialDropout2D` config: `rate` (Keras 1: `p`) in [0, 1], `seed`, `data_format`
    /// (Keras 1: `dim_ordering`).
    public init(config c: LayerConfig) throws {
        self.init(common: try c.common(), rate: try c.rate("rate", "p"), seed: try c.seed(), dataFormat: try c.dataFormat())
    }

    /// Keras 2: `name, trainable, dtype, rate, noise_shape: null, seed` (tf_keras does not write `data_format`, so a
    /// channels-first layer reads back as channels-last there; it only matters in training). Keras 3:
    /// `rate, seed, name, dtype` (a plain string, no `trainable`), `data_format`.
    public func configJSON(dialect: ConfigDialect) -> JSONValue {
        if dialect == .keras3 {
            return .object([("rate", .number(rate)), ("seed", ConfigEncoding.int(seed)), ("name", .string(common.name)),
                            ("dtype", .string(common.dtype)), ("data_format", .string(dataFormat.rawValue))])
        }
        return .object(ConfigEncoding.base(common, dialect)
                       + [("rate", .number(rate)), ("noise_shape", .null), ("seed", ConfigEncoding.int(seed))])
    }
}
