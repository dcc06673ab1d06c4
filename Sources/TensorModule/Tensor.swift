/// A dense, contiguous, row-major tensor of `Float` values.
///
/// Keras is channels-last, and the batch is the first axis: an image batch is `[N, H, W, C]`,
/// a Dense kernel is `[in, out]`, a Conv2D kernel is `[kh, kw, in, out]`.
///
/// ```swift
/// let t = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
/// t.count // 6
/// ```
public struct Tensor: Sendable, Equatable {
    /// The size of each axis, outermost first.
    public var shape: [Int]
    /// The elements in row-major order; `scalars.count == shape.reduce(1, *)`.
    public var scalars: [Float]

    /// Creates a tensor from a shape and matching scalars.
    /// - Precondition: `scalars.count` equals the product of `shape`. Use ``init(validatingShape:scalars:)``
    ///   for untrusted input.
    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 } && shape.reduce(1, *) == scalars.count,
                     "Tensor: shape \(shape) does not match \(scalars.count) scalars")
        self.shape = shape
        self.scalars = scalars
    }

    /// Creates a tensor, returning `nil` when the shape is negative or does not match the scalar count.
    public init?(validatingShape shape: [Int], scalars: [Float]) {
        guard shape.allSatisfy({ $0 >= 0 }), Tensor.elementCount(of: shape) == scalars.count else { return nil }
        self.shape = shape
        self.scalars = scalars
    }

    /// A tensor of the given shape filled with `value`.
    public init(shape: [Int], repeating value: Float) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in \(shape)")
        self.shape = shape
        self.scalars = [Float](repeating: value, count: shape.reduce(1, *))
    }

    /// A rank-0 tensor holding one value.
    public init(scalar: Float) {
        self.shape = []
        self.scalars = [scalar]
    }

    /// The number of elements.
    public var count: Int { scalars.count }

    /// The number of axes.
    public var rank: Int { shape.count }

    /// The product of `shape`, or `nil` when a dimension is negative or the product overflows `Int`.
    public static func elementCount(of shape: [Int]) -> Int? {
        var n = 1
        for d in shape {
            guard d >= 0 else { return nil }
            let (p, o) = n.multipliedReportingOverflow(by: d)
            if o { return nil }
            n = p
        }
        return n
    }
}
