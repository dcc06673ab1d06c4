/// `keras.layers.Discretization`: the index of the bucket each value falls in, `bin_boundaries` sorted ascending
/// (`output_mode="int"`; the registry reads the one-hot/multi-hot/count modes as opaque layers).
public struct Discretization: WeightlessLayer {
    public var className: String { "Discretization" }
    public var common: LayerCommon
    /// The bucket boundaries; `nil` when the layer was never adapted (then only `numBins` is known).
    public var binBoundaries: [Double]?
    public var numBins: Int?
    public var epsilon: Double
    /// `int`, `one_hot`, `multi_hot` or `count`.
    public var outputMode: String
    public var sparse: Bool

    public init(common: LayerCommon, binBoundaries: [Double]?, numBins: Int? = nil, epsilon: Double = 0.01,
                outputMode: String = "int", sparse: Bool = false) {
        self.common = common
        self.binBoundaries = binBoundaries
        self.numBins = numBins
        self.epsilon = epsilon
        self.outputMode = outputMode
        self.sparse = sparse
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        let input = try singleInput(inputShapes)
        guard outputMode == "int" else {
            throw configError("`output_mode` `\(outputMode)` is not supported (only `int`)")
        }
        return [input]
    }
}
