/// `keras.layers.BatchNormalization`, at inference:
/// `y = gamma · (x - movingMean) / sqrt(movingVariance + epsilon) + beta` along ``axis``.
///
/// Weights, in Keras order: `gamma` (when `scale`), `beta` (when `center`), `moving_mean`, `moving_variance`,
/// so the indices shift when either flag is off. With one axis each has shape `[C]`; with several axes
/// (Keras 2 only; Keras 3 takes one) each has the input's rank, 1 on the other axes, as tf_keras builds them.
/// Keras 1 stored `gamma, beta, running_mean, running_std` (the last holding the variance), the same order.
public struct BatchNormalization: Layer {
    public var className: String { "BatchNormalization" }
    public var common: LayerCommon
    /// The normalised axes (negative counts from the end); usually `[-1]`.
    public var axis: [Int]
    public var momentum: Double
    public var epsilon: Double
    /// Whether there is a `beta` offset.
    public var center: Bool
    /// Whether there is a `gamma` scale.
    public var scale: Bool
    public var betaInitializer: KerasObject?
    public var gammaInitializer: KerasObject?
    public var movingMeanInitializer: KerasObject?
    public var movingVarianceInitializer: KerasObject?
    public var betaRegularizer: KerasObject?
    public var gammaRegularizer: KerasObject?
    public var betaConstraint: KerasObject?
    public var gammaConstraint: KerasObject?
    /// Keras 3 `synchronized` (training only), kept for re-export.
    public var synchronized: Bool
    /// Batch renormalisation (training only), kept for re-export.
    public var renorm: Bool
    public var renormClipping: JSONValue?
    public var renormMomentum: Double
    public var weights: [Weight]

    /// Keras' default epsilon.
    public static let defaultEpsilon = 1e-3

    public init(common: LayerCommon, axis: [Int] = [-1], momentum: Double = 0.99,
                epsilon: Double = BatchNormalization.defaultEpsilon, center: Bool = true, scale: Bool = true,
                betaInitializer: KerasObject? = .zeros,
                gammaInitializer: KerasObject? = .ones,
                movingMeanInitializer: KerasObject? = .zeros,
                movingVarianceInitializer: KerasObject? = .ones,
                betaRegularizer: KerasObject? = nil, gammaRegularizer: KerasObject? = nil,
                betaConstraint: KerasObject? = nil, gammaConstraint: KerasObject? = nil,
                synchronized: Bool = false, renorm: Bool = false, renormClipping: JSONValue? = nil,
                renormMomentum: Double = 0.99, weights: [Weight] = []) {
        self.common = common
        self.axis = axis
        self.momentum = momentum
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.betaInitializer = betaInitializer
        self.gammaInitializer = gammaInitializer
        self.movingMeanInitializer = movingMeanInitializer
        self.movingVarianceInitializer = movingVarianceInitializer
        self.betaRegularizer = betaRegularizer
        self.gammaRegularizer = gammaRegularizer
        self.betaConstraint = betaConstraint
        self.gammaConstraint = gammaConstraint
        self.synchronized = synchronized
        self.renorm = renorm
        self.renormClipping = renormClipping
        self.renormMomentum = renormMomentum
        self.weights = weights
    }

    /// The names of the weights this configuration has, in Keras order.
    public var weightNames: [String] {
        (scale ? ["gamma"] : []) + (center ? ["beta"] : []) + ["moving_mean", "moving_variance"]
    }

    /// The axes normalised against the input rank, in ascending order.
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
        return out.sorted()
    }

    public func weightSpecs(inputShapes: [Shape]) throws -> [WeightSpec] {
        let input = try singleInput(inputShapes)
        let axes = try normalizedAxes(rank: input.count)
        for a in axes where input[a] == nil {
            throw inputError("axis \(a) must have a known size, got \(input.kerasDescription)")
        }
        let shape: [Int] = axes.count == 1
            ? [input[axes[0]] ?? 0]
            : (0..<input.count).map { axes.contains($0) ? (input[$0] ?? 0) : 1 }
        return weightNames.map { WeightSpec(name: $0, shape: shape) }
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        let input = try singleInput(inputShapes)
        _ = try normalizedAxes(rank: input.count)
        return [input]
    }
}
