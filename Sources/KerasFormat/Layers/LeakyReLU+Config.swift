public import KerasGraph

extension LeakyReLU {
    /// Decodes a `LeakyReLU` config: `negative_slope` (Keras 3) or `alpha` (Keras 1/2, including the
    /// Keras 2.0.0–2.0.5 `{"type": "ndarray", "value": x}` form); 0.3 when neither is given.
    public init(config c: LayerConfig) throws {
        let slope = try c.float("negative_slope") ?? c.float("alpha") ?? LeakyReLU.defaultSlope
        self.init(common: try c.common(), negativeSlope: slope)
    }
}
