import KerasGraph

extension SimpleRNN: ConfigEncodable {
    /// Decodes a `SimpleRNN` config (see ``RecurrentOptions/init(config:kind:)``).
    package init(config c: LayerConfig) throws {
        self.init(common: try c.common(), options: try RecurrentOptions(config: c, kind: .simpleRNN))
    }

    /// The keys of ``RecurrentOptions``, without `recurrent_activation`, `implementation` and `seed`.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        options.configEntries(common: common, kind: kind, dialect: dialect)
    }
}
