/// `keras.layers.Permute`: reorders the non-batch axes. `dims` is 1-based: `[2, 1]` swaps the two axes after
/// the batch axis.
public struct Permute: WeightlessLayer {
    public var className: String { "Permute" }
    public var common: LayerCommon
    /// A permutation of `1...n` for a rank-`n+1` input.
    public var dims: [Int]

    public init(common: LayerCommon, dims: [Int]) {
        self.common = common
        self.dims = dims
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        guard dims.sorted() == Array(1...max(dims.count, 1)), !dims.isEmpty else {
            throw configError("`dims` \(dims) must be a permutation of 1...\(dims.count)")
        }
        let input = try singleInput(inputShapes, rank: dims.count + 1)
        return [[input[0]] + dims.map { input[$0] }]
    }
}
