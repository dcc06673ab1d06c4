/// Keras 3's `keras.layers.Pipeline`: applies its ``layers`` one after another (the preprocessing layers of a
/// model, e.g. `Rescaling` then `CenterCrop` then augmentation that is the identity at inference).
///
/// KerasPort runs pipelines of weightless layers (a layer with weights inside a pipeline is refused: where Keras
/// keeps their variables in a file is not mapped).
public struct Pipeline: WeightlessLayer {
    public var className: String { "Pipeline" }
    public var common: LayerCommon
    /// The layers, in the order they run; each single-input and single-output.
    public var layers: [any Layer]

    public init(common: LayerCommon, layers: [any Layer]) {
        self.common = common
        self.layers = layers
    }

    /// The input shape of each layer, then the pipeline's output shape.
    public func stageShapes(inputShapes: [Shape]) throws -> [Shape] {
        var shapes = [try singleInput(inputShapes)]
        for layer in layers {
            guard try layer.weightSpecs(inputShapes: [shapes[shapes.count - 1]]).isEmpty else {
                throw configError("the layer `\(layer.name)` (\(layer.className)) has weights, which KerasPort does not read inside a Pipeline")
            }
            let out = try layer.outputShapes(inputShapes: [shapes[shapes.count - 1]])
            guard out.count == 1 else {
                throw configError("the layer `\(layer.name)` (\(layer.className)) must have one output, it has \(out.count)")
            }
            shapes.append(out[0])
        }
        return shapes
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        [try stageShapes(inputShapes: inputShapes).last!]
    }
}
