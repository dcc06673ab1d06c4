/// `keras.layers.GroupNormalization`: the channels on ``axis`` split into ``groups`` consecutive groups, each
/// normalised per sample over its channels and every other non-batch axis, then scaled and shifted per channel.
///
/// Weights: `gamma` (when `scale`), then `beta` (when `center`), each `(channels,)`.
public struct GroupNormalization: Layer {
    public var className: String { "GroupNormalization" }
    public var common: LayerCommon
    public var groups: Int
    public var axis: Int
    public var epsilon: Double
    public var center: Bool
    public var scale: Bool
    public var betaInitializer: KerasObject?
    public var gammaInitializer: KerasObject?
    public var betaRegularizer: KerasObject?
    public var gammaRegularizer: KerasObject?
    public var betaConstraint: KerasObject?
    public var gammaConstraint: KerasObject?
    public var weights: [Weight]

    public init(common: LayerCommon, groups: Int = 32, axis: Int = -1, epsilon: Double = 1e-3, center: Bool = true,
                scale: Bool = true, betaInitializer: KerasObject? = .zeros, gammaInitializer: KerasObject? = .ones,
                betaRegularizer: KerasObject? = nil, gammaRegularizer: KerasObject? = nil,
                betaConstraint: KerasObject? = nil, gammaConstraint: KerasObject? = nil, weights: [Weight] = []) {
        self.common = common
        self.groups = groups
        self.axis = axis
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.betaInitializer = betaInitializer
        self.gammaInitializer = gammaInitializer
        self.betaRegularizer = betaRegularizer
        self.gammaRegularizer = gammaRegularizer
        self.betaConstraint = betaConstraint
        self.gammaConstraint = gammaConstraint
        self.weights = weights
    }

    /// The channel count, checked against ``groups``.
    public func channels(_ input: Shape) throws -> Int {
        guard let a = normalizedAxis(axis, rank: input.count), a != 0 else {
            throw inputError("`axis` \(axis) is out of range or the batch axis for \(input.kerasDescription)")
        }
        guard let c = input[a] else { throw inputError("axis \(a) must have a known size, got \(input.kerasDescription)") }
        guard groups > 0, c % groups == 0 else {
            throw inputError("\(c) channels cannot be split into \(groups) groups")
        }
        return c
    }

    public func weightSpecs(inputShapes: [Shape]) throws -> [WeightSpec] {
        let c = try channels(try singleInput(inputShapes))
        return (scale ? [WeightSpec(name: "gamma", shape: [c])] : []) + (center ? [WeightSpec(name: "beta", shape: [c])] : [])
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        let input = try singleInput(inputShapes)
        _ = try channels(input)
        return [input]
    }
}
