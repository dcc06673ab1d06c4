/// `keras.layers.UnitNormalization`: every vector along ``axis`` scaled to unit L2 norm.
public struct UnitNormalization: WeightlessLayer {
    /// How a tiny norm is bounded: Keras 3 `x·min(rsqrt(Σx²), 1e12)`, tf_keras `x·rsqrt(max(Σx², 1e-12))`.
    public enum TinyNormBound: Sendable, Equatable { case keras3, keras2 }
    public var className: String { "UnitNormalization" }
    public var common: LayerCommon
    /// The normalised axes (negative counts from the end).
    public var axis: [Int]
    public var tinyNormBound: TinyNormBound

    public init(common: LayerCommon, axis: [Int] = [-1], tinyNormBound: TinyNormBound = .keras3) {
        self.common = common
        self.axis = axis
        self.tinyNormBound = tinyNormBound
    }

    /// The axes normalised against the input rank.
    public func normalizedAxes(rank: Int) throws -> [Int] {
        guard !axis.isEmpty else { throw configError("`axis` is empty") }
        var out: [Int] = []
        for a in axis {
            guard let n = normalizedAxis(a, rank: rank), n != 0 else {
                throw inputError("`axis` \(a) is out of range or the batch axis for a rank-\(rank) input")
            }
            guard !out.contains(n) else { throw configError("`axis` \(axis) repeats an axis") }
            out.append(n)
        }
        return out
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        let input = try singleInput(inputShapes)
        _ = try normalizedAxes(rank: input.count)
        return [input]
    }
}
