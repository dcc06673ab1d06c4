import TensorModule

/// TensorFlow runs its CPU kernels with denormals flushed to zero (FTZ) and denormal operands read as zero (DAZ).
/// KerasPort matches that at layer boundaries: model inputs and every layer's outputs have each denormal value
/// replaced by a zero of the same sign, so a denormal never enters or leaves a layer, as in Keras.
enum Denormals {
    /// `x` with every denormal replaced by a signed zero; `x` itself (no copy) when it has none.
    static func flushed(_ x: Tensor) -> Tensor {
        flushed(x, toPositiveZero: false)
    }

    /// `x` with every denormal replaced by `+0.0`: the result of `a − t` where TensorFlow flushed a denormal `t`
    /// to zero before subtracting it from `a = +0` (as in PReLU's `relu(x) − alpha·relu(−x)`).
    static func flushedToPositiveZero(_ x: Tensor) -> Tensor {
        flushed(x, toPositiveZero: true)
    }

    private static func flushed(_ x: Tensor, toPositiveZero: Bool) -> Tensor {
        guard contains(x.scalars) else { return x }
        var y = x
        y.scalars.withUnsafeMutableBufferPointer { buffer in
            guard let p = buffer.baseAddress else { return }
            Ops.flushDenormals(p, count: buffer.count, toPositiveZero: toPositiveZero)
        }
        return y
    }

    /// Whether any value is denormal (exponent bits 0, mantissa not 0).
    static func contains(_ scalars: [Float]) -> Bool {
        scalars.withUnsafeBufferPointer { buffer in
            guard let p = buffer.baseAddress else { return false }
            return Ops.containsDenormals(p, count: buffer.count)
        }
    }
}
