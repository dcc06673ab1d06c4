/// `keras.layers.Concatenate`: joins its inputs along ``axis``.
///
/// All inputs must have the same rank and agree on every other axis where both sizes are known. The output
/// takes the first input's sizes elsewhere, and the sum along ``axis`` (unknown if any input's is unknown).
public struct Concatenate: MergingLayer {
    public var className: String { "Concatenate" }
    public var common: LayerCommon
    /// The axis to join along (negative counts from the end); Keras' default is -1.
    public var axis: Int

    public init(common: LayerCommon, axis: Int = -1) {
        self.common = common
        self.axis = axis
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        guard let first = inputShapes.first else { throw inputError("expected at least 1 input, got 0") }
        let all = inputShapes.map(\.kerasDescription).joined(separator: ", ")
        guard inputShapes.allSatisfy({ $0.count == first.count }) else {
            throw inputError("inputs must have the same rank, got \(all)")
        }
        guard let a = normalizedAxis(axis, rank: first.count) else {
            throw inputError("`axis` \(axis) is out of range for inputs \(all)")
        }
        var out = first
        for s in inputShapes.dropFirst() {
            for (i, (x, y)) in zip(first, s).enumerated() where i != a {
                if let x, let y, x != y {
                    throw inputError("inputs must match except on the concatenation axis \(axis), got \(all)")
                }
            }
        }
        var total: Int? = 0
        for s in inputShapes {
            guard let t = total, let d = s[a] else { total = nil; break }
            total = saturatingSum(t, d)
        }
        out[a] = total
        return [out]
    }
}
