import TensorModule

/// A layer of a class KerasPort does not know (a custom layer, or a built-in one not yet supported).
///
/// It keeps everything the file said: the class name, the raw `config`, the `.keras` archive metadata and the
/// weights as loaded, so that `inspect` can show it and writers can put it back unchanged. It cannot be run.
///
/// Its weights cannot be checked: ``weightSpecs(inputShapes:)`` returns the weights it holds. Its output shapes
/// are unknown: ``outputShapes(inputShapes:)`` throws, unless the file recorded them (Keras 3 writes the shape of
/// every tensor a layer consumes, so the shapes of an opaque layer's outputs are often known from its consumers).
/// ``GraphAnalysis`` marks the shapes downstream of an opaque layer as unknown instead of failing.
public struct OpaqueLayer: Layer {
    /// The class name without any registration package (`Scale`, not `my_pkg>Scale`).
    public var className: String
    public var common: LayerCommon
    /// The layer's `config` object, exactly as read.
    public var config: JSONValue
    /// The registered name of a custom class (`my_pkg>Scale`), when the file gave one.
    public var registeredName: String?
    /// The `.keras` archive's `module` for the class (`keras.layers`, `my_pkg.layers`), when the file gave one.
    public var module: String?
    /// The `.keras` archive's `build_config`, when the file gave one.
    public var buildConfig: JSONValue?
    /// The weights as loaded, in file order.
    public var weights: [Weight]
    /// Output shapes the file recorded, per call (index = call index); `nil` where not recorded.
    /// A recorded entry holds one shape per output tensor the file mentioned, up to the highest index seen.
    public var recordedOutputShapes: [[Shape?]?]
    /// Why KerasPort does not run this layer, when it knows more than the class: a known Keras class it does not
    /// run (set by the format reader), or a framework op called with an option it does not run
    /// (`tf.image.resize: argument \`antialias=true\` is not supported`); `predict` names it in its error.
    public var unsupportedReason: String? = nil

    public init(className: String, common: LayerCommon, config: JSONValue, registeredName: String? = nil,
                module: String? = nil, buildConfig: JSONValue? = nil, weights: [Weight] = [],
                recordedOutputShapes: [[Shape?]?] = []) {
        self.className = className
        self.common = common
        self.config = config
        self.registeredName = registeredName
        self.module = module
        self.buildConfig = buildConfig
        self.weights = weights
        self.recordedOutputShapes = recordedOutputShapes
    }

    /// The weights it holds, by name and shape: an opaque layer's weights cannot be checked.
    public func weightSpecs(inputShapes: [Shape]) throws -> [WeightSpec] {
        weights.map { WeightSpec(name: $0.name, shape: $0.tensor.shape) }
    }

    /// The recorded output shapes of call `call`, when the file recorded all of them.
    public func recordedOutputShapes(call: Int) -> [Shape]? {
        guard call >= 0, call < recordedOutputShapes.count, let shapes = recordedOutputShapes[call],
              !shapes.isEmpty else { return nil }
        let known = shapes.compactMap { $0 }
        return known.count == shapes.count ? known : nil
    }

    /// Always throws (the output shapes of an unsupported class are unknown) unless the layer has exactly one
    /// call whose output shapes the file recorded. ``GraphAnalysis`` uses ``recordedOutputShapes(call:)`` per call.
    /// - Throws: ``GraphError/incompatibleInput(layer:className:reason:)`` saying the class is not supported.
    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        if recordedOutputShapes.count == 1, let shapes = recordedOutputShapes(call: 0) { return shapes }
        throw GraphError.incompatibleInput(
            layer: name, className: className,
            reason: "layer class `\(registeredName ?? className)` is not supported, its output shapes are unknown")
    }
}
