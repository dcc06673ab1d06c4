extension Ops {
    /// Keras 3's `ops.rms_normalization` over the last `trailingAxes` axes: `x · rsqrt(mean(x²) + epsilon) · scale`,
    /// with `scale` shaped as those axes (broadcast over the leading ones).
    /// - Throws: ``TensorError`` when `scale` does not match the trailing axes.
    package static func rmsNormalize(input: Tensor, trailingAxes k: Int, epsilon: Float, scale: Tensor) throws(TensorError) -> Tensor {
        let op = "rmsNormalize"
        guard k >= 1, k < input.rank, Array(input.shape.suffix(k)) == scale.shape else {
            throw .shape(op, "scale \(scale.shape) must be the last \(k) axes of input \(input.shape)")
        }
        let inner = scale.count
        guard inner > 0 else { return input }
        let rows = input.count / inner
        var out = [Float](repeating: 0, count: input.count)
        input.scalars.withUnsafeBufferPointer { x in
            scale.scalars.withUnsafeBufferPointer { g in
                out.withUnsafeMutableBufferPointer { y in
                    for r in 0..<rows {
                        let base = r * inner
                        var sum: Double = 0
                        for j in 0..<inner { let v = Double(x[base + j]); sum += v * v }
                        let meanSquare = Float(sum / Double(inner))
                        let rrms = 1 / (meanSquare + epsilon).squareRoot()
                        for j in 0..<inner { y[base + j] = x[base + j] * rrms * g[j] }
                    }
                }
            }
        }
        return Tensor(unchecked: input.shape, scalars: out)
    }
}
