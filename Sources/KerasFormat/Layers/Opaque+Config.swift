public import KerasGraph

extension OpaqueLayer {
    /// Keeps a config of a class KerasPort does not know, unread. Never throws: a malformed `trainable` or `dtype`
    /// falls back to the default, since the layer is not interpreted.
    public init(config c: LayerConfig, registeredName: String? = nil) {
        let trainable = (try? c.bool("trainable", default: true)) ?? true
        self.init(className: c.className,
                  common: LayerCommon(name: c.name, trainable: trainable, dtype: c.dtypeName()),
                  config: c.config, registeredName: registeredName)
    }
}
