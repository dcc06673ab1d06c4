/// Keras 3's `AdaptiveAveragePooling1D/2D/3D` and `AdaptiveMaxPooling1D/2D/3D`: the mean or maximum over windows
/// chosen so that each spatial axis has ``outputSize`` entries, whatever the input's size.
///
/// On an axis of length `L` pooled to `n`, output `i` covers `[floor(i·L/n), ceil((i+1)·L/n))` (Keras 3.15's
/// TensorFlow backend computes the same windows by gathering from two sliding pools of sizes `ceil(L/n)` and
/// `ceil(L/n) + 1`; PyTorch's adaptive pools use this rule too).
public struct AdaptivePooling: WeightlessLayer {
    public enum Kind: String, Sendable, Equatable { case average = "Average", max = "Max" }
    public var kind: Kind
    /// The number of spatial axes: 1, 2 or 3.
    public var rank: Int
    public var className: String { "Adaptive\(kind.rawValue)Pooling\(rank)D" }
    public var common: LayerCommon
    /// One output size per spatial axis, each ≥ 1.
    public var outputSize: [Int]
    public var dataFormat: DataFormat

    public init(kind: Kind, common: LayerCommon, outputSize: [Int], dataFormat: DataFormat = .channelsLast) {
        self.kind = kind
        self.rank = outputSize.count
        self.common = common
        self.outputSize = outputSize
        self.dataFormat = dataFormat
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        guard (1...3).contains(rank) else { throw configError("`output_size` must have 1, 2 or 3 values, got \(outputSize)") }
        try requireAll(outputSize, atLeast: 1, "output_size")
        let input = try singleInput(inputShapes)
        let layout = try spatialLayout(input, spatialRank: rank, dataFormat: dataFormat)
        return [layout.shape(spatial: outputSize, channels: layout.channels)]
    }
}
