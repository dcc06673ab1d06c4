extension Ops {
    /// Keras 3's `AutoContrast` on `[batch, rows, cols, channels]` with value range `[low, high]`, in Keras' float32
    /// steps: `x` mapped to [0, 255] (skipped for the range (0, 255)), per (image, channel) `scale = 255 / (max −
    /// min)` and `offset = −min·scale` over axes 1 and 2, `clip(x·scale + offset, 0, 255)`, mapped back; NaN results
    /// (a constant plane: infinite scale) keep the input.
    /// - Throws: ``TensorError`` for a rank other than 4.
    package static func autoContrast(input: Tensor, low: Float, high: Float) throws(TensorError) -> Tensor {
        guard input.rank == 4 else { throw .shape("autoContrast", "input \(input.shape) must be [batch, rows, cols, channels]") }
        let (b, plane, c) = (input.shape[0], input.shape[1] * input.shape[2], input.shape[3])
        let mapped = !(low == 0 && high == 255)
        var x = input.scalars
        if mapped {
            for i in x.indices { x[i] = (x[i] - low) / (high - low) * 255 + 0 }
        }
        var out = [Float](repeating: 0, count: x.count)
        for n in 0..<b {
            for ch in 0..<c {
                var lo = Float.infinity, hi = -Float.infinity
                for p in 0..<plane {
                    let v = x[(n * plane + p) * c + ch]
                    lo = Swift.min(lo, v)
                    hi = Swift.max(hi, v)
                }
                let scale = 255 / (hi - lo)
                let offset = -lo * scale
                for p in 0..<plane {
                    let i = (n * plane + p) * c + ch
                    var y = x[i] * scale + offset
                    y = y.isNaN ? y : Swift.min(Swift.max(y, 0), 255)
                    if mapped { y = (y - 0) / (255 - 0) * (high - low) + low }
                    out[i] = y.isNaN ? input.scalars[i] : y
                }
            }
        }
        return Tensor(unchecked: input.shape, scalars: out)
    }
}
