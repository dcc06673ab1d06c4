import KerasGraph

extension LSTM: ConfigEncodable {
    /// Decodes an `LSTM` config (see ``RecurrentOptions/init(config:kind:)``) and `unit_forget_bias`.
    package init(config c: LayerConfig) throws {
        self.init(common: try c.common(), options: try RecurrentOptions(config: c, kind: .lstm),
                  unitForgetBias: try c.bool("unit_forget_bias", default: true))
    }

    /// The keys of ``RecurrentOptions`` with `unit_forget_bias` after the initializers.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        options.configEntries(common: common, kind: kind, dialect: dialect, unitForgetBias: unitForgetBias)
    }
}
