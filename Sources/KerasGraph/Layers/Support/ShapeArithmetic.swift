extension Layer {
    /// A ``GraphError/incompatibleInput(layer:className:reason:)`` naming this layer.
    public func inputError(_ reason: String) -> GraphError {
        GraphError.incompatibleInput(layer: name, className: className, reason: reason)
    }

    /// A ``GraphError/invalidConfig(layer:className:reason:)`` naming this layer.
    public func configError(_ reason: String) -> GraphError {
        GraphError.invalidConfig(layer: name, className: className, reason: reason)
    }

    /// The single input shape, which must have exactly `rank` axes (batch included).
    func singleInput(_ shapes: [Shape], rank: Int) throws -> Shape {
        let input = try singleInput(shapes)
        guard input.count == rank else {
            throw inputError("expected a rank-\(rank) input, got \(input.kerasDescription)")
        }
        return input
    }

    /// Splits a `(batch, spatial…, channels)` or `(batch, channels, spatial…)` shape.
    /// - Throws: ``GraphError`` naming the layer when the rank is not `spatialRank + 2`.
    func spatialLayout(_ input: Shape, spatialRank: Int, dataFormat: DataFormat) throws -> SpatialLayout {
        guard input.count == spatialRank + 2 else {
            throw inputError("expected a rank-\(spatialRank + 2) input (batch, \(spatialRank) spatial axes, channels), "
                             + "got \(input.kerasDescription)")
        }
        switch dataFormat {
        case .channelsLast:
            return SpatialLayout(batch: input[0], spatial: Array(input[1...spatialRank]), channels: input[spatialRank + 1],
                                 dataFormat: dataFormat)
        case .channelsFirst:
            return SpatialLayout(batch: input[0], spatial: Array(input[2...]), channels: input[1], dataFormat: dataFormat)
        }
    }

    /// The known channel count of a spatial input, or an error naming the layer.
    func knownChannels(_ layout: SpatialLayout, input: Shape) throws -> Int {
        guard let c = layout.channels else {
            throw inputError("the channel axis must have a known size, got \(input.kerasDescription)")
        }
        return c
    }

    /// Checks that every value is at least `minimum`; `what` names the config key in the error.
    func requireAll(_ values: [Int], atLeast minimum: Int, _ what: String) throws {
        guard values.allSatisfy({ $0 >= minimum }) else {
            throw configError("`\(what)` must be >= \(minimum), got \(values)")
        }
    }

    /// Checks that `values` has `count` entries; `what` names the config key in the error.
    func requireCount(_ values: [Int], _ count: Int, _ what: String) throws {
        guard values.count == count else {
            throw configError("`\(what)` must have \(count) value\(count == 1 ? "" : "s"), got \(values)")
        }
    }
}

/// An input shape split into batch, spatial axes and channels.
struct SpatialLayout {
    var batch: Int?
    var spatial: [Int?]
    var channels: Int?
    var dataFormat: DataFormat

    /// The full shape with new spatial sizes and channel count.
    func shape(spatial: [Int?], channels: Int?) -> Shape {
        switch dataFormat {
        case .channelsLast: return [batch] + spatial + [channels]
        case .channelsFirst: return [batch, channels] + spatial
        }
    }
}

/// Output lengths as Keras computes them (`keras.src.ops.operation_utils`, `backend_utils`).
enum WindowArithmetic {
    /// A convolution's output length: `floor((n - d·(k-1) - 1) / s) + 1` for `valid`,
    /// `floor((n - 1) / s) + 1` for `same` and `causal`; `nil` for an unknown input length.
    /// May be zero or negative for `valid`: callers reject that, as Keras does.
    static func convolution(_ n: Int?, kernel k: Int, stride s: Int, dilation d: Int, padding: Padding) -> Int? {
        guard let n else { return nil }
        switch padding {
        case .valid: return floorDiv(saturatingSum(n, -saturatingProduct(d, k - 1)) - 1, s) + 1
        case .same, .causal: return floorDiv(n - 1, s) + 1
        }
    }

    /// A pooling output length: `floor((n - p) / s) + 1` for `valid`, `floor((n - 1) / s) + 1` for `same`.
    static func pooling(_ n: Int?, pool p: Int, stride s: Int, padding: Padding) -> Int? {
        guard let n else { return nil }
        switch padding {
        case .valid: return floorDiv(n - p, s) + 1
        case .same, .causal: return floorDiv(n - 1, s) + 1
        }
    }

    /// A transposed convolution's output length (Keras 3 `_get_output_shape_given_tf_padding`, equal to
    /// tf_keras `deconv_output_length`): with `k' = (k-1)·d + 1`,
    /// `valid`: `(n-1)·s + k' + (outputPadding ?? max(k', s) - k')`;
    /// `same`: `n·s` without output padding, else `(n-1)·s + k' mod 2 + outputPadding`.
    static func transposed(_ n: Int?, kernel k: Int, stride s: Int, dilation d: Int, padding: Padding,
                           outputPadding: Int?) -> Int? {
        guard let n else { return nil }
        let kd = saturatingSum(saturatingProduct(k - 1, d), 1)
        let base = saturatingProduct(n - 1, s)
        switch padding {
        case .valid, .causal:
            return saturatingSum(saturatingSum(base, kd), outputPadding ?? (max(kd, s) - kd))
        case .same:
            guard let op = outputPadding else { return saturatingProduct(n, s) }
            return saturatingSum(base, kd % 2 + op)
        }
    }

    /// Floor division (Python's `//`) for a positive divisor.
    static func floorDiv(_ a: Int, _ b: Int) -> Int {
        guard b > 0 else { return a }
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }
}

/// Normalises a possibly negative axis against a rank; `nil` when out of range.
func normalizedAxis(_ axis: Int, rank: Int) -> Int? {
    let a = axis < 0 ? axis + rank : axis
    return (0..<rank).contains(a) ? a : nil
}

extension Layer {
    /// The product of the sizes in `dims`, or `nil` if any is unknown.
    /// - Throws: ``GraphError`` naming the layer when the product overflows.
    func knownProduct(_ dims: some Sequence<Int?>, of input: Shape) throws -> Int? {
        var p = 1
        for d in dims {
            guard let d else { return nil }
            let (r, overflow) = p.multipliedReportingOverflow(by: d)
            guard !overflow else { throw inputError("the size of \(input.kerasDescription) overflows") }
            p = r
        }
        return p
    }
}

/// `a · b`, saturating at `Int.max` / `Int.min` instead of trapping (sizes from files can be huge).
func saturatingProduct(_ a: Int, _ b: Int) -> Int {
    let (r, overflow) = a.multipliedReportingOverflow(by: b)
    guard overflow else { return r }
    return (a < 0) == (b < 0) ? Int.max : Int.min
}

/// `a + b`, saturating instead of trapping.
func saturatingSum(_ a: Int, _ b: Int) -> Int {
    let (r, overflow) = a.addingReportingOverflow(b)
    guard overflow else { return r }
    return b > 0 ? Int.max : Int.min
}
