import TensorModule

/// `keras.layers.Dense`: `y = activation(x · kernel + bias)` over the last axis.
///
/// Weights: `kernel` `[in, out]` (Keras' layout, not transposed), then `bias` `[out]` when `useBias`.
public struct Dense: Layer {
    public var className: String { "Dense" }
    public var common: LayerCommon
    public var units: Int
    public var activation: Activation
    public var useBias: Bool
    public var kernelInitializer: KerasObject?
    public var biasInitializer: KerasObject?
    public var kernelRegularizer: KerasObject?
    public var biasRegularizer: KerasObject?
    public var activityRegularizer: KerasObject?
    public var kernelConstraint: KerasObject?
    public var biasConstraint: KerasObject?
    public var weights: [Weight]

    public init(common: LayerCommon, units: Int, activation: Activation = .linear, useBias: Bool = true,
                kernelInitializer: KerasObject? = .glorotUniform,
                biasInitializer: KerasObject? = .zeros,
                kernelRegularizer: KerasObject? = nil, biasRegularizer: KerasObject? = nil,
                activityRegularizer: KerasObject? = nil,
                kernelConstraint: KerasObject? = nil, biasConstraint: KerasObject? = nil,
                weights: [Weight] = []) {
        self.common = common
        self.units = units
        self.activation = activation
        self.useBias = useBias
        self.kernelInitializer = kernelInitializer
        self.biasInitializer = biasInitializer
        self.kernelRegularizer = kernelRegularizer
        self.biasRegularizer = biasRegularizer
        self.activityRegularizer = activityRegularizer
        self.kernelConstraint = kernelConstraint
        self.biasConstraint = biasConstraint
        self.weights = weights
    }

    public func weightSpecs(inputShapes: [Shape]) throws -> [WeightSpec] {
        let input = try singleInput(inputShapes)
        guard let last = input.last, let inFeatures = last else {
            throw GraphError.incompatibleInput(layer: name, className: className,
                                     reason: "the last input axis must have a known size, got \(input.kerasDescription)")
        }
        var specs = [WeightSpec(name: "kernel", shape: [inFeatures, units])]
        if useBias { specs.append(WeightSpec(name: "bias", shape: [units])) }
        return specs
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        let input = try singleInput(inputShapes)
        guard input.count >= 2 else {
            throw GraphError.incompatibleInput(layer: name, className: className,
                                     reason: "expected rank >= 2 input, got \(input.kerasDescription)")
        }
        return [Array(input.dropLast()) + [units]]
    }
}
