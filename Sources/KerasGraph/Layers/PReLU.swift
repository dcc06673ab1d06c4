import TensorModule

/// `keras.layers.PReLU`: f(x) = x for x > 0, alpha·x otherwise, with a learned `alpha` tensor.
///
/// `alpha` has the input's shape without the batch axis, with each axis in `sharedAxes` (indices into
/// the full input shape, batch = 0) set to 1; it broadcasts over those axes. For a Conv2D output
/// `(None, H, W, C)` with `sharedAxes = [1, 2]` the alpha is `[1, 1, C]`. Alphas may be negative or
/// above 1: the piecewise form is used, never `max(x, alpha·x)`.
public struct PReLU: Layer {
    public var className: String { "PReLU" }
    public var common: LayerCommon
    /// Axes (of the full input shape, batch = 0) along which one alpha is shared; `nil` when none.
    public var sharedAxes: [Int]?
    public var alphaInitializer: KerasObject?
    public var alphaRegularizer: KerasObject?
    public var alphaConstraint: KerasObject?
    /// One weight, `alpha`.
    public var weights: [Weight]

    public init(common: LayerCommon, sharedAxes: [Int]? = nil,
                alphaInitializer: KerasObject? = .zeros,
                alphaRegularizer: KerasObject? = nil, alphaConstraint: KerasObject? = nil,
                weights: [Weight] = []) {
        self.common = common
        self.sharedAxes = sharedAxes
        self.alphaInitializer = alphaInitializer
        self.alphaRegularizer = alphaRegularizer
        self.alphaConstraint = alphaConstraint
        self.weights = weights
    }

    /// The alpha shape implied by an input shape (batch axis included).
    public func alphaShape(inputShape: Shape) throws -> [Int] {
        var shape: [Int] = []
        for (axis, dim) in inputShape.enumerated().dropFirst() {
            if sharedAxes?.contains(axis) == true {
                shape.append(1)
            } else if let d = dim {
                shape.append(d)
            } else {
                throw GraphError.incompatibleInput(layer: name, className: className,
                                         reason: "input axis \(axis) has unknown size and is not in shared_axes, input \(inputShape.kerasDescription)")
            }
        }
        return shape
    }

    /// How the alphas are laid out.
    public enum Sharing: String, Sendable {
        /// One alpha for the whole tensor.
        case single = "channel-shared"
        /// One alpha per channel (last axis), shared over every other axis.
        case perChannel = "channel-wise"
        /// Some other pattern (e.g. one alpha per element, or per (W, C)).
        case elementWise = "element-wise"
    }

    /// Channel-shared, channel-wise or element-wise, from the alpha's shape.
    public var sharing: Sharing {
        guard let alpha = weights.first?.tensor else { return .elementWise }
        return Self.sharing(ofAlphaShape: alpha.shape)
    }

    /// Channel-shared, channel-wise or element-wise, for an alpha of this shape.
    public static func sharing(ofAlphaShape shape: [Int]) -> Sharing {
        if shape.reduce(1, *) == 1 { return .single }
        if shape.dropLast().allSatisfy({ $0 == 1 }) { return .perChannel }
        return .elementWise
    }

    public func weightSpecs(inputShapes: [Shape]) throws -> [WeightSpec] {
        let input = try singleInput(inputShapes)
        if let axes = sharedAxes {
            for a in axes where a < 1 || a >= input.count {
                throw GraphError.invalidConfig(layer: name, className: className,
                                     reason: "shared_axes \(axes) out of range for input \(input.kerasDescription)")
            }
        }
        return [WeightSpec(name: "alpha", shape: try alphaShape(inputShape: input))]
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        [try singleInput(inputShapes)]
    }
}
