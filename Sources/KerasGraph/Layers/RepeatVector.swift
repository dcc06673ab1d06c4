/// `keras.layers.RepeatVector`: `(batch, features)` → `(batch, n, features)`.
public struct RepeatVector: WeightlessLayer {
    public var className: String { "RepeatVector" }
    public var common: LayerCommon
    /// How many times to repeat; positive.
    public var n: Int

    public init(common: LayerCommon, n: Int) {
        self.common = common
        self.n = n
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        guard n > 0 else { throw configError("`n` must be positive, got \(n)") }
        let input = try singleInput(inputShapes, rank: 2)
        return [[input[0], n, input[1]]]
    }
}
