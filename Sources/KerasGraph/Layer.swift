import TensorModule

/// Properties every Keras layer has.
public struct LayerCommon: Sendable, Equatable {
    /// The layer's unique name within its model.
    public var name: String
    public var trainable: Bool
    /// The dtype policy name: `float32`, `mixed_float16`, …. KerasPort computes in `Float` whatever it says.
    public var dtype: String

    public init(name: String, trainable: Bool = true, dtype: String = "float32") {
        self.name = name
        self.trainable = trainable
        self.dtype = dtype
    }
}

/// A typed Keras layer: its config as Swift values, and its weights.
///
/// Each Keras layer class is one type conforming to `Layer`, in a file of its own under `Layers/`.
/// The graph knows no file format: decoding from and encoding to Keras configs lives in `KerasFormat`,
/// and running a layer lives in `KerasInference`, both as extensions.
///
/// Shapes passed to and returned by the methods include the batch axis (usually `nil`).
public protocol Layer: Sendable {
    /// The Keras class name: `Dense`, `PReLU`, ….
    var className: String { get }
    /// Name, trainable flag and dtype.
    var common: LayerCommon { get set }
    /// The weight variables in Keras order (trainable first, then non-trainable), as stored in files.
    var weights: [Weight] { get set }
    /// The weights this layer needs, by name and shape, given the shapes of its inputs.
    /// - Throws: ``GraphError`` when the inputs cannot feed this layer.
    func weightSpecs(inputShapes: [Shape]) throws -> [WeightSpec]
    /// The shapes of the outputs for inputs of the given shapes.
    /// - Throws: ``GraphError`` when the inputs cannot feed this layer.
    func outputShapes(inputShapes: [Shape]) throws -> [Shape]
}

extension Layer {
    /// The layer's name.
    public var name: String {
        get { common.name }
        set { common.name = newValue }
    }

    /// The number of scalar parameters (all weights, trainable or not), as Keras' `count_params`.
    public var parameterCount: Int { weights.reduce(0) { $0 + $1.tensor.count } }

    /// The weight named `name`, or `nil`.
    public func weight(named name: String) -> Weight? { weights.first { $0.name == name } }

    /// Checks `weights` against ``weightSpecs(inputShapes:)``: count, then each shape.
    public func validateWeights(inputShapes: [Shape]) throws {
        let specs = try weightSpecs(inputShapes: inputShapes)
        guard specs.count == weights.count else {
            throw GraphError.weightCount(layer: name, expected: specs.map(\.name), found: weights.map(\.name))
        }
        for (spec, w) in zip(specs, weights) where spec.shape != w.tensor.shape {
            throw GraphError.weightMismatch(layer: name, weight: spec.name, expected: spec.shape, found: w.tensor.shape)
        }
    }

    /// For single-input layers: the one input shape, or an error naming the layer.
    public func singleInput(_ shapes: [Shape]) throws -> Shape {
        guard shapes.count == 1 else {
            throw GraphError.incompatibleInput(layer: name, className: className,
                                     reason: "expected 1 input, got \(shapes.count)")
        }
        return shapes[0]
    }
}

/// A layer with no weights: `weights` is always empty.
public protocol WeightlessLayer: Layer {}

extension WeightlessLayer {
    public var weights: [Weight] {
        get { [] }
        set {}
    }
    public func weightSpecs(inputShapes: [Shape]) throws -> [WeightSpec] { [] }
}
