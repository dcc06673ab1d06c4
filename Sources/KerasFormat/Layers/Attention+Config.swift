import KerasGraph

extension Attention: ConfigEncodable {
    /// Decodes an `Attention` config (`use_scale`, `score_mode`, `dropout`, Keras 3 `seed`, old tf.keras `causal`) and
    /// the call options (`use_causal_mask`, `return_attention_scores`) from the recorded calls.
    package init(config c: LayerConfig) throws {
        let mode = try c.string("score_mode", default: "dot")
        guard let scoreMode = ScoreMode(rawValue: mode) else { throw c.error("`score_mode` must be \"dot\" or \"concat\", found \"\(mode)\"") }
        let call = try c.dotAttentionCall()
        self.init(common: try c.common(), useScale: try c.bool("use_scale", default: false), scoreMode: scoreMode,
                  dropout: c.value("dropout") == nil ? 0 : try c.rate("dropout"), seed: try c.seed(), causal: try c.bool("causal", default: false),
                  options: call?.options ?? DotAttentionOptions(), inputCount: call?.inputCount ?? 2)
    }

    /// Keras 3: `use_scale, score_mode, dropout, seed`; Keras 2: `dropout, use_scale, score_mode` (tf_keras 2.21
    /// order; `causal` too when set, which only tf.keras ≤ 2.9 read: later versions take it at call time).
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        var m = ConfigEncoding.base(common, dialect)
        if dialect == .keras3 {
            m += [("use_scale", .bool(useScale)), ("score_mode", .string(scoreMode.rawValue)), ("dropout", .number(dropout)),
                  ("seed", ConfigEncoding.int(seed))]
        } else {
            m += [("dropout", .number(dropout)), ("use_scale", .bool(useScale)), ("score_mode", .string(scoreMode.rawValue))]
            if causal { m.append(("causal", .bool(true))) }
        }
        return .object(m)
    }
}
