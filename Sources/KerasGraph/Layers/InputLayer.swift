/// `keras.layers.InputLayer`: the source of one model input. It computes nothing and has no weights.
///
/// `batchShape` is the full shape including the batch axis, as Keras 3's `batch_shape` and Keras 2's
/// `batch_input_shape`; it is `nil` when the file does not say (an unbuilt Sequential model).
public struct InputLayer: WeightlessLayer {
    public var className: String { "InputLayer" }
    /// Name, trainable flag, and the input's dtype (`float32`, `int32`, …; always a plain string for inputs).
    public var common: LayerCommon
    /// The input shape with the batch axis first, or `nil` when unknown.
    public var batchShape: Shape?
    /// Whether the input is a sparse tensor (kept for re-export; KerasPort computes dense).
    public var sparse: Bool
    /// Whether the input is a ragged tensor (Keras 2; kept for re-export).
    public var ragged: Bool
    /// Keras' `optional` flag (the input may be `None`); `nil` when the config does not have the key.
    public var optional: Bool?

    public init(common: LayerCommon, batchShape: Shape?, sparse: Bool = false, ragged: Bool = false,
                optional: Bool? = false) {
        self.common = common
        self.batchShape = batchShape
        self.sparse = sparse
        self.ragged = ragged
        self.optional = optional
    }

    /// The input's shape: `batchShape`. An input layer takes no inputs.
    /// - Throws: ``GraphError`` when inputs are passed, or when the shape is unknown.
    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        guard inputShapes.isEmpty else {
            throw GraphError.incompatibleInput(layer: name, className: className,
                                               reason: "an input layer takes no inputs, got \(inputShapes.count)")
        }
        guard let batchShape else {
            throw GraphError.invalidConfig(layer: name, className: className, reason: "the input shape is unknown")
        }
        return [batchShape]
    }

    /// The shape to use when the model is fed `given`: the given shape, with unknown axes filled in from
    /// `batchShape`. Keras accepts a more specific shape than the declared one, but not another rank.
    /// - Throws: ``GraphError`` when the ranks differ or a known axis disagrees.
    public func resolvedShape(given: Shape) throws -> Shape {
        guard let declared = batchShape else { return given }
        guard declared.count == given.count else {
            throw GraphError.incompatibleInput(
                layer: name, className: className,
                reason: "expected an input of shape \(declared.kerasDescription), got \(given.kerasDescription)")
        }
        var out = given
        for (axis, (d, g)) in zip(declared, given).enumerated() {
            switch (d, g) {
            case let (d?, g?) where d != g && axis > 0:
                throw GraphError.incompatibleInput(
                    layer: name, className: className,
                    reason: "expected an input of shape \(declared.kerasDescription), got \(given.kerasDescription)")
            case (let d?, nil): out[axis] = d
            default: break
            }
        }
        return out
    }
}
