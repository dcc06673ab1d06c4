import KerasGraph

extension ActivationLayer: ConfigEncodable {
    /// Decodes an `Activation` layer config: `activation`, a string identifier (or a serialized object).
    package init(config c: LayerConfig) throws {
        guard c.value("activation") != nil else { throw c.error("missing `activation`") }
        self.init(common: try c.common(), activation: try c.activation())
    }

    /// `activation` in both dialects (see ``ConfigEncoding/activation(_:_:)``).
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        .object(ConfigEncoding.base(common, dialect) + [("activation", ConfigEncoding.activation(activation, dialect))])
    }
}
