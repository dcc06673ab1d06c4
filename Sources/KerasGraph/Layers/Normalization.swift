/// `keras.layers.Normalization`: `(x − mean) / max(√variance, 1e-7)` (with `invert`, `mean + x · max(√variance, 1e-7)`),
/// with one mean and variance per position of the kept `axis` (by default the last axis).
///
/// The statistics are either in the config (`mean` and `variance` given to the constructor; no weights) or adapted
/// and stored as the weights `mean`, `variance` (shaped like the kept axes) and `count` (a scalar, unused at inference).
public struct Normalization: Layer {
    public var className: String { "Normalization" }
    public var common: LayerCommon
    /// The kept axes (negative counts from the end); empty for Keras' `axis=None` (one mean and variance for all).
    public var axis: [Int]
    public var invert: Bool
    /// The config's `mean` and `variance`, or `nil` when they are weights.
    public var configMean: ScalarOrList?
    public var configVariance: ScalarOrList?
    public var weights: [Weight]

    /// Keras' `backend.epsilon()`, the floor of the standard deviation.
    public static let epsilon: Float = 1e-7

    public init(common: LayerCommon, axis: [Int] = [-1], invert: Bool = false, configMean: ScalarOrList? = nil,
                configVariance: ScalarOrList? = nil, weights: [Weight] = []) {
        self.common = common
        self.axis = axis
        self.invert = invert
        self.configMean = configMean
        self.configVariance = configVariance
        self.weights = weights
    }

    /// The kept axes as non-negative indices into a shape of `rank` axes, sorted.
    public func keptAxes(rank: Int) throws -> [Int] {
        var kept: [Int] = []
        for a in axis {
            guard let n = normalizedAxis(a, rank: rank) else {
                throw inputError("`axis` \(a) is out of range for a rank-\(rank) input")
            }
            kept.append(n)
        }
        return Array(Set(kept)).sorted()
    }

    /// The shape of `mean` and `variance`: the input's sizes on the kept axes.
    public func statisticsShape(_ input: Shape) throws -> [Int] {
        try keptAxes(rank: input.count).map { a in
            guard let n = input[a] else { throw inputError("kept axis \(a) of input \(input.kerasDescription) must have a known size") }
            return n
        }
    }

    public func weightSpecs(inputShapes: [Shape]) throws -> [WeightSpec] {
        let input = try singleInput(inputShapes)
        guard configMean == nil else { return [] }
        let shape = try statisticsShape(input)
        return [WeightSpec(name: "mean", shape: shape), WeightSpec(name: "variance", shape: shape),
                WeightSpec(name: "count", shape: [])]
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        let input = try singleInput(inputShapes)
        guard (configMean == nil) == (configVariance == nil) else {
            throw configError("`mean` and `variance` must both be given or both be absent")
        }
        let shape = try statisticsShape(input)
        let count = shape.reduce(1, *)
        for v in [configMean, configVariance] {
            if case let .list(values)? = v, values.count != count, values.count != 1 {
                throw inputError("the config's `mean`/`variance` has \(values.count) values, the kept axes \(shape) hold \(count)")
            }
        }
        return [input]
    }
}
