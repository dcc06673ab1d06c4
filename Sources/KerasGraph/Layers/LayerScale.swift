/// ConvNeXt's `LayerScale` (keras.applications.convnext, Keras 2 and 3): `x · gamma`, one `gamma` per channel.
public struct LayerScale: Layer {
    public var className: String { "LayerScale" }
    public var common: LayerCommon
    /// The initial value of `gamma` (kept for the config; the weights hold the values).
    public var initValues: Double
    public var projectionDim: Int
    public var weights: [Weight]

    public init(common: LayerCommon, initValues: Double, projectionDim: Int, weights: [Weight] = []) {
        self.common = common
        self.initValues = initValues
        self.projectionDim = projectionDim
        self.weights = weights
    }

    public func weightSpecs(inputShapes: [Shape]) throws -> [WeightSpec] {
        [WeightSpec(name: "gamma", shape: [projectionDim])]
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        let input = try singleInput(inputShapes)
        guard projectionDim > 0 else { throw configError("`projection_dim` must be positive, got \(projectionDim)") }
        if let last = input.last, let c = last, c != projectionDim, projectionDim != 1 {
            throw inputError("`projection_dim` \(projectionDim) does not match the input's last axis \(c)")
        }
        return [input]
    }
}
