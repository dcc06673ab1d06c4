/// `keras.layers.Dot`: the batch-wise dot product of two inputs, summing `a` over `axes[0]` against `b` over
/// `axes[1]` (optionally after L2-normalising both along those axes).
///
/// Output shape: `a`'s shape without `axes[0]`, then `b`'s without its batch axis and `axes[1]`; a result of
/// rank 1 becomes `(batch, 1)`.
public struct Dot: MergingLayer {
    public var className: String { "Dot" }
    public var common: LayerCommon
    /// One axis used for both inputs, or one per input; negative counts from the end; never the batch axis.
    public var axes: [Int]
    /// Whether to L2-normalise along the dot axes first (cosine proximity).
    public var normalize: Bool

    public init(common: LayerCommon, axes: [Int], normalize: Bool = false) {
        self.common = common
        self.axes = axes
        self.normalize = normalize
    }

    /// The two axes, normalised against the inputs' ranks.
    /// - Throws: ``GraphError`` naming the layer when an axis is out of range or is the batch axis.
    public func resolvedAxes(_ a: Shape, _ b: Shape) throws -> (Int, Int) {
        guard axes.count == 1 || axes.count == 2 else {
            throw configError("`axes` must be one integer or a pair, got \(axes)")
        }
        let raw = axes.count == 1 ? (axes[0], axes[0]) : (axes[0], axes[1])
        guard let x = normalizedAxis(raw.0, rank: a.count), let y = normalizedAxis(raw.1, rank: b.count) else {
            throw inputError("`axes` \(axes) out of range for inputs \(a.kerasDescription) and \(b.kerasDescription)")
        }
        guard x != 0, y != 0 else { throw configError("`axes` \(axes) includes the batch axis") }
        return (x, y)
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        guard inputShapes.count == 2 else { throw inputError("expected exactly 2 inputs, got \(inputShapes.count)") }
        let (a, b) = (inputShapes[0], inputShapes[1])
        guard a.count >= 2, b.count >= 2 else {
            throw inputError("inputs must have rank >= 2, got \(a.kerasDescription) and \(b.kerasDescription)")
        }
        if let x = a[0], let y = b[0], x != y {
            throw inputError("inputs have different batch sizes: \(a.kerasDescription) and \(b.kerasDescription)")
        }
        let (x, y) = try resolvedAxes(a, b)
        if let d1 = a[x], let d2 = b[y], d1 != d2 {
            throw inputError("sizes differ on the dot axes: \(d1) (axis \(x) of \(a.kerasDescription)) "
                             + "and \(d2) (axis \(y) of \(b.kerasDescription))")
        }
        var left = a
        left.remove(at: x)
        var right = b
        right.remove(at: y)
        right.removeFirst()
        var out = left + right
        if out.count == 1 { out.append(1) }
        return [out]
    }
}
