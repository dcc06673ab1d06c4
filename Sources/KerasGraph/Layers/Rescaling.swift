/// `keras.layers.Rescaling`: `x · scale + offset`, with a scalar or per-channel (last axis) scale and offset.
public struct Rescaling: WeightlessLayer {
    public var className: String { "Rescaling" }
    public var common: LayerCommon
    /// One value, or one per channel of the last axis (a list in the config).
    public var scale: ScalarOrList
    public var offset: ScalarOrList

    public init(common: LayerCommon, scale: ScalarOrList, offset: ScalarOrList = .scalar(0)) {
        self.common = common
        self.scale = scale
        self.offset = offset
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        let input = try singleInput(inputShapes)
        for (key, v) in [("scale", scale), ("offset", offset)] {
            guard case let .list(values) = v else { continue }
            guard let last = input.last else { throw inputError("`\(key)` is a list but the input is a scalar") }
            if let c = last, values.count != c, values.count != 1 {
                throw inputError("`\(key)` has \(values.count) values, the input's last axis \(c)")
            }
        }
        return [input]
    }
}

/// A config value Keras accepts as a number or a (flat) list of numbers, kept as written.
public enum ScalarOrList: Sendable, Equatable {
    case scalar(Double)
    case list([Double])

    /// The values as float32, one for a scalar.
    public var floats: [Float] {
        switch self {
        case let .scalar(v): return [Float(v)]
        case let .list(v): return v.map { Float($0) }
        }
    }
}
