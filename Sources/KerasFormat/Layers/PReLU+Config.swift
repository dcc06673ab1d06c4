public import KerasGraph

extension PReLU {
    /// Decodes a `PReLU` config: `shared_axes` (null, an int or a list), and the alpha
    /// initializer/regularizer/constraint kept for re-export (Keras 1: `init`).
    public init(config c: LayerConfig) throws {
        self.init(
            common: try c.common(),
            sharedAxes: try c.intList("shared_axes"),
            alphaInitializer: try c.kerasObject("alpha_initializer") ?? c.kerasObject("init"),
            alphaRegularizer: try c.kerasObject("alpha_regularizer"),
            alphaConstraint: try c.kerasObject("alpha_constraint"))
    }
}
