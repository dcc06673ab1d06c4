/// `keras.layers.RMSNormalization` (Keras 3): `x · rsqrt(mean(x²) + epsilon) · scale` over ``axis``.
///
/// Weights: `scale`, shaped as the input's sizes on the normalised axes (in sorted-axis order, as Keras 3 builds it).
public struct RMSNormalization: Layer {
    public var className: String { "RMSNormalization" }
    public var common: LayerCommon
    /// The normalised axes as the config gives them (negative counts from the end).
    public var axis: [Int]
    public var epsilon: Double
    public var weights: [Weight]

    public init(common: LayerCommon, axis: [Int] = [-1], epsilon: Double = 1e-6, weights: [Weight] = []) {
        self.common = common
        self.axis = axis
        self.epsilon = epsilon
        self.weights = weights
    }

    /// The normalised axes as non-negative indices, sorted as Keras sorts the config's list.
    public func normalizedAxes(rank: Int) throws -> [Int] {
        guard !axis.isEmpty else { throw configError("`axis` is empty") }
        var out: [Int] = []
        for a in axis.sorted() {
            guard let n = normalizedAxis(a, rank: rank), n != 0 else {
                throw inputError("`axis` \(a) is out of range or the batch axis for a rank-\(rank) input")
            }
            guard !out.contains(n) else { throw configError("`axis` \(axis) repeats an axis") }
            out.append(n)
        }
        return out
    }

    public func weightSpecs(inputShapes: [Shape]) throws -> [WeightSpec] {
        let input = try singleInput(inputShapes)
        var shape: [Int] = []
        for a in try normalizedAxes(rank: input.count) {
            guard let n = input[a] else { throw inputError("axis \(a) must have a known size, got \(input.kerasDescription)") }
            shape.append(n)
        }
        return [WeightSpec(name: "scale", shape: shape)]
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        let input = try singleInput(inputShapes)
        _ = try normalizedAxes(rank: input.count)
        return [input]
    }
}
