import KerasGraph

extension InputLayer {
    /// Decodes an `InputLayer` config: the shape from `batch_shape` (Keras 3), `batch_input_shape` (Keras 1/2),
    /// or `input_shape`/`shape` (without the batch axis); the dtype from `dtype` (Keras 1: `input_dtype`);
    /// `sparse`, `ragged` and `optional` kept for re-export.
    package init(config c: LayerConfig) throws {
        var shape: Shape?
        if let s = try c.shape("batch_shape") ?? c.shape("batch_input_shape") {
            shape = s
        } else if let s = try c.shape("input_shape") ?? c.shape("shape") {
            shape = [nil] + s
        }
        if var s = shape, let batch = try c.int("batch_size"), !s.isEmpty, s[0] == nil {
            s[0] = batch
            shape = s
        }
        let dtype = try c.string("input_dtype") ?? c.dtypeName()
        self.init(common: LayerCommon(name: c.name, trainable: try c.bool("trainable", default: true), dtype: dtype),
                  batchShape: shape,
                  sparse: try c.bool("sparse", default: false),
                  ragged: try c.bool("ragged", default: false),
                  optional: try c.bool("optional"))
    }
}

extension InputLayer: ConfigEncodable {
    /// The `InputLayer` config: Keras 2 `batch_input_shape` (with `optional` only when true, since tf.keras ≤ 2.15
    /// rejects the key), Keras 3 `batch_shape` with `optional`. The dtype is always a plain string. An unknown
    /// shape is written as `null`.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        let shape = ConfigEncoding.shape(batchShape)
        switch dialect {
        case .keras1, .keras2:
            var m: [(String, JSONValue)] = [("batch_input_shape", shape), ("dtype", .string(common.dtype)),
                                            ("sparse", .bool(sparse)), ("ragged", .bool(ragged)),
                                            ("name", .string(common.name))]
            if optional == true { m.append(("optional", .bool(true))) }
            return .object(m)
        case .keras3:
            return .object([("batch_shape", shape), ("dtype", .string(common.dtype)), ("sparse", .bool(sparse)),
                            ("ragged", .bool(ragged)), ("name", .string(common.name)),
                            ("optional", .bool(optional ?? false))])
        }
    }
}
