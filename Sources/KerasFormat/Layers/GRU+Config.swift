import KerasGraph

extension GRU: ConfigEncodable {
    /// Decodes a `GRU` config (see ``RecurrentOptions/init(config:kind:)``) and `reset_after` (default true, as in
    /// Keras 3 and tf.keras 2; Keras 2.0–2.2 and Keras 1, whose GRU had no such option, compute the `false` form).
    package init(config c: LayerConfig) throws {
        let oldDefault = c.dialect == .keras1
            || (c.kerasVersion.map { v in ["2.0", "2.1", "2.2"].contains { v.hasPrefix($0 + ".") } && !v.contains("tf") } ?? false)
        self.init(common: try c.common(), options: try RecurrentOptions(config: c, kind: .gru),
                  resetAfter: try c.bool("reset_after", default: !oldDefault))
    }

    /// The keys of ``RecurrentOptions`` with `reset_after` after `recurrent_dropout` (and `implementation`).
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        options.configEntries(common: common, kind: kind, dialect: dialect, resetAfter: resetAfter)
    }
}
