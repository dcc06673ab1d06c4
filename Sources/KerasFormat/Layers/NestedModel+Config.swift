import KerasGraph

extension NestedModel {
    /// Decodes a model used as a layer: `c.config` is the model's own config (a Sequential list or dict, or a
    /// Functional dict), parsed recursively with the outer file's dialect.
    package init(config c: LayerConfig) throws {
        let graph = try ModelConfigParser.parseModel(className: c.className, config: c.config, name: c.name,
                                                     dialect: c.dialect, kerasVersion: c.kerasVersion)
        let trainable: Bool
        let dtype: String
        if case .object = c.config {
            trainable = try c.bool("trainable", default: true)
            dtype = c.dtypeName()
        } else {
            trainable = true
            dtype = "float32"
        }
        self.init(className: c.className, common: LayerCommon(name: c.name, trainable: trainable, dtype: dtype),
                  graph: graph)
    }
}
