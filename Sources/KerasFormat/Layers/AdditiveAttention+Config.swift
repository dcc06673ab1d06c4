import KerasGraph

extension AdditiveAttention: ConfigEncodable {
    /// Decodes an `AdditiveAttention` config (`use_scale`, `dropout`, Keras 3 `seed`, old tf.keras `causal`) and the
    /// call options from the recorded calls.
    package init(config c: LayerConfig) throws {
        let call = try c.dotAttentionCall()
        self.init(common: try c.common(), useScale: try c.bool("use_scale", default: true), dropout: c.value("dropout") == nil ? 0 : try c.rate("dropout"),
                  seed: try c.seed(), causal: try c.bool("causal", default: false),
                  options: call?.options ?? DotAttentionOptions(), inputCount: call?.inputCount ?? 2)
    }

    /// Keras 3: `use_scale, dropout, seed`; Keras 2: `dropout, use_scale` (and `causal` when set).
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        var m = ConfigEncoding.base(common, dialect)
        if dialect == .keras3 {
            m += [("use_scale", .bool(useScale)), ("dropout", .number(dropout)), ("seed", ConfigEncoding.int(seed))]
        } else {
            m += [("dropout", .number(dropout)), ("use_scale", .bool(useScale))]
            if causal { m.append(("causal", .bool(true))) }
        }
        return .object(m)
    }
}
