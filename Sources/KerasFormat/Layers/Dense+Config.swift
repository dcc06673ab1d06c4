public import KerasGraph

extension Dense {
    /// Decodes a `Dense` config (Keras 1 `output_dim`/`bias`, Keras 2/3 `units`/`use_bias`).
    public init(config c: LayerConfig) throws {
        let units: Int
        if c.dialect == .keras1, let od = try c.int("output_dim") {
            units = od
        } else {
            units = try c.requiredInt("units")
        }
        guard units > 0, units < 1 << 31 else { throw c.error("`units` must be positive, found \(units)") }
        self.init(
            common: try c.common(),
            units: units,
            activation: try c.activation(),
            useBias: try c.bool("use_bias") ?? c.bool("bias") ?? true,
            kernelInitializer: try c.kerasObject("kernel_initializer") ?? c.kerasObject("init"),
            biasInitializer: try c.kerasObject("bias_initializer"),
            kernelRegularizer: try c.kerasObject("kernel_regularizer") ?? c.kerasObject("W_regularizer"),
            biasRegularizer: try c.kerasObject("bias_regularizer") ?? c.kerasObject("b_regularizer"),
            activityRegularizer: try c.kerasObject("activity_regularizer"),
            kernelConstraint: try c.kerasObject("kernel_constraint") ?? c.kerasObject("W_constraint"),
            biasConstraint: try c.kerasObject("bias_constraint") ?? c.kerasObject("b_constraint"))
    }
}
