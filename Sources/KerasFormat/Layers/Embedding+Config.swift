import KerasGraph

extension Embedding: ConfigEncodable {
    /// Decodes an `Embedding` config: `input_dim`, `output_dim` (positive), `mask_zero`, Keras 1/2 `input_length`,
    /// and the initializer (Keras 1: `init`), regularizers (`W_regularizer`) and constraint (`W_constraint`).
    package init(config c: LayerConfig) throws {
        var inputLength: Int?
        if case .number? = c.value("input_length") {
            inputLength = try c.positiveInt("input_length", max: LayerConfig.maxDimension)
        }
        self.init(
            common: try c.common(),
            inputDim: try c.positiveInt("input_dim", max: LayerConfig.maxDimension),
            outputDim: try c.positiveInt("output_dim", max: LayerConfig.maxDimension),
            maskZero: try c.bool("mask_zero", default: false),
            inputLength: inputLength,
            embeddingsInitializer: try c.anyKerasObject("embeddings_initializer", "init") ?? Embedding.defaultInitializer,
            embeddingsRegularizer: try c.anyKerasObject("embeddings_regularizer", "W_regularizer"),
            activityRegularizer: try c.anyKerasObject("activity_regularizer"),
            embeddingsConstraint: try c.anyKerasObject("embeddings_constraint", "W_constraint"))
    }

    /// Keras 2: `batch_input_shape: [null, input_length]` (tf_keras always writes it), `input_dim, output_dim`,
    /// initializer, regularizers, constraint, `mask_zero, input_length`. Keras 3: the same keys without
    /// `batch_input_shape` and `input_length` (Keras 3.13+'s `quantization_config: null` is not written).
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        typealias E = ConfigEncoding
        var m = E.base(common, dialect)
        if dialect != .keras3 { m.append(("batch_input_shape", E.shape([nil, inputLength]))) }
        m += [("input_dim", .number(Double(inputDim))), ("output_dim", .number(Double(outputDim))),
              ("embeddings_initializer", E.object(embeddingsInitializer, .initializer, dialect)),
              ("embeddings_regularizer", E.object(embeddingsRegularizer, .regularizer, dialect)),
              ("activity_regularizer", E.object(activityRegularizer, .regularizer, dialect)),
              ("embeddings_constraint", E.object(embeddingsConstraint, .constraint, dialect)),
              ("mask_zero", .bool(maskZero))]
        if dialect != .keras3 { m.append(("input_length", E.int(inputLength))) }
        return .object(m)
    }
}
