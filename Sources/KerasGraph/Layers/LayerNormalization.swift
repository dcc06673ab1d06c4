/// `keras.layers.LayerNormalization`: per sample, `y = gamma · (x - mean) / sqrt(var + epsilon) + beta`, with the
/// mean and variance taken over ``axis``.
///
/// Weights: `gamma` (when `scale`, or `rmsScaling`), then `beta` (when `center` and not `rmsScaling`), each with
/// the input's sizes on ``axis``. With `rmsScaling` (Keras 3) the output is `x · rsqrt(mean(x²) + epsilon) · gamma`.
public struct LayerNormalization: Layer {
    public var className: String { "LayerNormalization" }
    public var common: LayerCommon
    /// The normalised axes (negative counts from the end); usually `[-1]`.
    public var axis: [Int]
    public var epsilon: Double
    public var center: Bool
    public var scale: Bool
    /// Keras 3 `rms_scaling`.
    public var rmsScaling: Bool
    public var betaInitializer: KerasObject?
    public var gammaInitializer: KerasObject?
    public var betaRegularizer: KerasObject?
    public var gammaRegularizer: KerasObject?
    public var betaConstraint: KerasObject?
    public var gammaConstraint: KerasObject?
    public var weights: [Weight]

    public init(common: LayerCommon, axis: [Int] = [-1], epsilon: Double = 1e-3, center: Bool = true,
                scale: Bool = true, rmsScaling: Bool = false,
                betaInitializer: KerasObject? = .zeros,
                gammaInitializer: KerasObject? = .ones,
                betaRegularizer: KerasObject? = nil, gammaRegularizer: KerasObject? = nil,
                betaConstraint: KerasObject? = nil, gammaConstraint: KerasObject? = nil,
                weights: [Weight] = []) {
        self.common = common
        self.axis = axis
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.rmsScaling = rmsScaling
        self.betaInitializer = betaInitializer
        self.gammaInitializer = gammaInitializer
        self.betaRegularizer = betaRegularizer
        self.gammaRegularizer = gammaRegularizer
        self.betaConstraint = betaConstraint
        self.gammaConstraint = gammaConstraint
        self.weights = weights
    }

    /// The names of the weights this configuration has, in Keras order.
    public var weightNames: [String] {
        (scale || rmsScaling ? ["gamma"] : []) + (center && !rmsScaling ? ["beta"] : [])
    }

    /// The axes normalised against the input rank, in the config's order.
    /// - Throws: ``GraphError`` when an axis is out of range or repeated.
    public func normalizedAxes(rank: Int) throws -> [Int] {
        guard !axis.isEmpty else { throw configError("`axis` is empty") }
        var out: [Int] = []
        for a in axis {
            guard let n = normalizedAxis(a, rank: rank) else {
                throw inputError("`axis` \(a) is out of range for a rank-\(rank) input")
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
            guard let d = input[a] else {
                throw inputError("axis \(a) must have a known size, got \(input.kerasDescription)")
            }
            shape.append(d)
        }
        return weightNames.map { WeightSpec(name: $0, shape: shape) }
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        let input = try singleInput(inputShapes)
        _ = try normalizedAxes(rank: input.count)
        return [input]
    }
}
