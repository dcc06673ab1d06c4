import KerasGraph

extension EinsumDense: ConfigEncodable {
    /// Decodes an `EinsumDense` config: `equation`, `output_shape` (an int or a list with `null`s), `bias_axes`,
    /// `activation`, initializers, regularizers, constraints. Keras 3's LoRA (`lora_rank`) and quantized layers are
    /// refused (their weights differ).
    package init(config c: LayerConfig) throws {
        guard let equation = try c.string("equation") else { throw c.error("missing `equation`") }
        if c.value("lora_rank") != nil { throw c.error("`lora_rank` (LoRA weights) is not supported") }
        if let q = c.value("quantization_config") { throw c.error("a quantized layer (`quantization_config` \(q.kindName)) is not supported") }
        let shape: Shape
        if case .number? = c.value("output_shape") {
            shape = [try c.requiredInt("output_shape")]
        } else {
            guard let s = try c.shape("output_shape") else { throw c.error("missing `output_shape`") }
            shape = s
        }
        self.init(
            common: try c.common(), equation: equation, outputShape: shape, biasAxes: try c.string("bias_axes"),
            activation: try c.activation())
        try c.decodeKernelAndBiasObjects(into: &self)
    }

    /// Both dialects (tf_keras 2.21 and Keras 3.15 write the same keys, Keras 3 also `quantization_config: null`,
    /// left out here as for Dense): `output_shape, equation, activation, bias_axes`, initializers, regularizers,
    /// constraints.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        typealias E = ConfigEncoding
        return .object(E.base(common, dialect) + [
            ("output_shape", E.shape(outputShape)), ("equation", .string(equation)),
            ("activation", E.activation(activation, dialect)), ("bias_axes", biasAxes.map(JSONValue.string) ?? .null),
        ] + E.kernelAndBiasObjects(self, dialect))
    }
}
