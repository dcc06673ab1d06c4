import TensorModule

/// TensorFlow runs its CPU kernels with denormals flushed to zero (FTZ) and denormal operands read as zero (DAZ).
/// KerasPort matches that at layer boundaries: model inputs and every layer's outputs have each denormal value
/// replaced by a zero of the same sign, so a denormal never enters or leaves a layer, as in Keras.
enum Denormals {
    /// `x` with every denormal replaced by a signed zero; `x` itself (no copy) when it has none.
    static func flushed(_ x: Tensor) -> Tensor {
        guard contains(x.scalars) else { return x }
        var y = x
        y.scalars.withUnsafeMutableBufferPointer { buffer in
            buffer.withMemoryRebound(to: UInt32.self) { bits in
                for i in bits.indices where bits[i] & 0x7F80_0000 == 0 { bits[i] &= 0x8000_0000 }
            }
        }
        return y
    }

    /// `x` with every denormal replaced by `+0.0`: the result of `a − t` where TensorFlow flushed a denormal `t`
    /// to zero before subtracting it from `a = +0` (as in PReLU's `relu(x) − alpha·relu(−x)`).
    static func flushedToPositiveZero(_ x: Tensor) -> Tensor {
        guard contains(x.scalars) else { return x }
        var y = x
        y.scalars.withUnsafeMutableBufferPointer { buffer in
            buffer.withMemoryRebound(to: UInt32.self) { bits in
                for i in bits.indices where bits[i] & 0x7F80_0000 == 0 && bits[i] & 0x007F_FFFF != 0 { bits[i] = 0 }
            }
        }
        return y
    }

    /// Whether any value is denormal (exponent bits 0, mantissa not 0).
    static func contains(_ scalars: [Float]) -> Bool {
        scalars.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: UInt32.self) { bits in
                var found: UInt32 = 0
                for b in bits {
                    // Denormal ⇔ (b & 0x7FFFFFFF) − 1 < 0x007FFFFF (unsigned), branch-free so the loop vectorises.
                    found |= ((b & 0x7FFF_FFFF) &- 1 < 0x007F_FFFF) ? 1 : 0
                }
                return found != 0
            }
        }
    }
}
