import KerasGraph

extension OpaqueLayer {
    /// Keeps a config of a class KerasPort does not know, unread. Never throws: a malformed `trainable` or `dtype`
    /// falls back to the default, since the layer is not interpreted.
    package init(config c: LayerConfig, registeredName: String? = nil) {
        let trainable = (try? c.bool("trainable", default: true)) ?? true
        self.init(className: c.className,
                  common: LayerCommon(name: c.name, trainable: trainable, dtype: c.dtypeName()),
                  config: c.config, registeredName: registeredName)
    }
}

extension OpaqueLayer: ConfigEncodable {
    /// The config exactly as read, with `name` updated if the layer was renamed.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        guard case var .object(members) = config, let k = members.firstIndex(where: { $0.0 == "name" }) else {
            return config
        }
        members[k].1 = .string(common.name)
        return .object(members)
    }

    /// The registered name (`my_pkg>Scale`) when the file gave one, as legacy `.h5` configs spell custom classes;
    /// otherwise the class name.
    package func kerasClassName(dialect: ConfigDialect) -> String { registeredName ?? className }
}
