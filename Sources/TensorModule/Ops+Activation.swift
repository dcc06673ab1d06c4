internal import CKernels

extension Ops {
    /// An activation function, element-wise except for ``softmax(axis:)``, computed exactly as
    /// TensorFlow / Keras compute it (same formula, same order of operations).
    ///
    /// Piecewise-linear functions are bit-exact with TensorFlow on CPU, including `-0.0`, `±inf` and
    /// NaN. Transcendental ones (exp, tanh, erf, log) use vectorised approximations accurate to a few
    /// ulp, so they agree with TensorFlow to about `1e-6` relative.
    package enum Activation: Sendable, Equatable {
        /// f(x) = x.
        case linear
        /// max(x, 0); `-0.0` gives `+0.0`, NaN propagates.
        case relu
        /// min(max(x, 0), 6).
        case relu6
        /// x > 0 ? x : slope·x — piecewise, never `max(x, slope·x)`, so any slope (0, negative, > 1) works.
        case leakyReLU(negativeSlope: Float)
        /// Keras `relu(x, negative_slope, max_value, threshold)` / the `ReLU` layer, general form.
        case reluGeneral(negativeSlope: Float, maxValue: Float?, threshold: Float, thresholdForm: ThresholdForm)
        /// Keras 2 `ThresholdedReLU`: x · (x > theta).
        case thresholdedReLU(theta: Float)
        /// x > 0 ? x : alpha·(eᵡ − 1) (TensorFlow computes `elu` then scales the negative side by alpha).
        case elu(alpha: Float)
        /// scale·x for x ≥ 0, scale·alpha·(eᵡ − 1) below, with Keras' constants.
        case selu
        /// approximate: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))); exact: 0.5·x·(1 + erf(x/√2)).
        case gelu(approximate: Bool)
        /// 1 / (1 + e⁻ᵡ).
        case sigmoid
        /// Keras 2 `clip(0.2·x + 0.5, 0, 1)` or Keras 3 `relu6(x + 3) / 6`.
        case hardSigmoid(HardSigmoidVariant)
        /// Keras 3 `hard_silu` / `hard_swish`: x · relu6(x + 3) / 6.
        case hardSilu
        case tanh
        /// exp(x − max) / Σ over one axis (negative counts from the end).
        case softmax(axis: Int)
        /// TensorFlow's overflow-safe log(1 + eᵡ).
        case softplus
        /// x / (1 + |x|).
        case softsign
        /// swish = silu = x · sigmoid(x).
        case swish
        /// eᵡ.
        case exponential
        /// x · tanh(softplus(x)).
        case mish
        /// Keras 3 `celu`: max(x, 0) + alpha · expm1(min(x, 0) / alpha).
        case celu(alpha: Float)
        /// Keras 3 `hard_shrink`: x where |x| > threshold, else 0.
        case hardShrink(threshold: Float)
        /// Keras 3 `hard_tanh`: clip(x, -1, 1).
        case hardTanh
        /// Keras 3 `log_sigmoid`: −softplus(−x).
        case logSigmoid
        /// Keras 3 `soft_shrink`: x − t for x > t, x + t for x < −t, else 0.
        case softShrink(threshold: Float)
        /// Keras 3 `sparse_plus`: 0 for x ≤ −1, (x + 1)²/4 for x < 1, else x.
        case sparsePlus
        /// Keras 3 `sparse_sigmoid`: 0 for x ≤ −1, 1 for x ≥ 1, else (x + 1)/2.
        case sparseSigmoid
        /// Keras 3 `squareplus`: (x + √(x² + b)) / 2.
        case squareplus(b: Float)
        /// Keras 3 `tanh_shrink`: x − tanh(x).
        case tanhShrink
        /// log(softmax(x)) over one axis: x − max − log(Σ exp(x − max)), as `tf.nn.log_softmax`.
        case logSoftmax(axis: Int)
        /// Keras 3 `sparsemax` over one axis (Martins & Astudillo): max(x − τ, 0) with Σ = 1.
        case sparsemax(axis: Int)

        /// The two Keras hard-sigmoid formulas.
        package enum HardSigmoidVariant: String, Sendable, Equatable {
            /// `clip(0.2·x + 0.5, 0, 1)` (Keras 1/2, tf.keras).
            case keras2
            /// `relu6(x + 3) / 6` (Keras 3).
            case keras3
        }

        /// How the general ReLU zeroes values at or below a non-zero threshold.
        package enum ThresholdForm: String, Sendable, Equatable {
            /// Keras 3: `where(x > threshold, x, 0)`.
            case select
            /// Keras 2: `x * cast(x > threshold)` (so `-inf` becomes NaN and negatives become `-0.0`).
            case multiply
        }

        /// True for functions of one element (everything but softmax).
        package var isElementwise: Bool {
            switch self {
            case .softmax, .logSoftmax, .sparsemax: return false
            default: return true
            }
        }
    }

    /// Applies `activation` to every element (or along the softmax axis).
    /// - Throws: ``TensorError`` when a softmax axis is out of range.
    package static func activation(_ activation: Activation, input: Tensor) throws(TensorError) -> Tensor {
        var output = input
        try applyActivation(activation, to: &output)
        return output
    }

    /// Applies `activation` in place (no copy when `tensor`'s storage is uniquely referenced).
    /// - Throws: ``TensorError`` when a softmax axis is out of range.
    package static func applyActivation(_ activation: Activation, to tensor: inout Tensor) throws(TensorError) {
        switch activation {
        case .softmax(let axis):
            tensor = try softmax(input: tensor, axis: axis)
            return
        case .logSoftmax(let axis):
            tensor = try alongAxis(tensor, axis: axis, operation: "log_softmax", row: logSoftmaxRow)
            return
        case .sparsemax(let axis):
            tensor = try alongAxis(tensor, axis: axis, operation: "sparsemax", row: sparsemaxRow)
            return
        default: break
        }
        if case .linear = activation { return }
        let n = tensor.count
        tensor.scalars.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            Parallel.forEachChunk(count: n, work: n) { range in
                applyElementwise(activation, base + range.lowerBound, count: range.count)
            }
        }
    }

    /// f(x) = x > 0 ? x : negativeSlope·x, bit-exact with `tf.nn.leaky_relu` for every slope and special value.
    ///
    /// Keras 3's `LeakyReLU` layer always calls `tf.nn.leaky_relu`. Keras 2's goes through
    /// `backend.relu(x, alpha)`, which uses plain `relu` when alpha is 0 (so `-inf → 0`, not NaN):
    /// use ``relu(input:negativeSlope:maxValue:threshold:thresholdForm:)`` for that case.
    package static func leakyReLU(input: Tensor, negativeSlope: Float) -> Tensor {
        var output = input
        try? applyActivation(.leakyReLU(negativeSlope: negativeSlope), to: &output)
        return output
    }

    /// Keras `relu(x, negative_slope, max_value, threshold)` — the `ReLU` layer.
    /// - Parameter thresholdForm: `.select` for Keras 3, `.multiply` for Keras 2.
    package static func relu(input: Tensor, negativeSlope: Float = 0, maxValue: Float? = nil, threshold: Float = 0,
                            thresholdForm: Activation.ThresholdForm = .select) -> Tensor {
        var output = input
        try? applyActivation(.reluGeneral(negativeSlope: negativeSlope, maxValue: maxValue, threshold: threshold,
                                          thresholdForm: thresholdForm), to: &output)
        return output
    }

    /// LeakyReLU in place: the AVX2 kernel when the CPU has it, else the vector loop (the same operations).
    @inline(__always)
    static func leakyReLU(_ p: UnsafeMutablePointer<Float>, _ count: Int, _ slope: Float) {
        if DirectGEMM.available { kp_leaky(p, count, slope) } else { mapInPlace(LeakyReLUKernel(slope: slope), p, count) }
    }

    /// Whether sigmoid and swish run on the AVX2 kernels (the same bits as the vector loop; a task bound to the
    /// `.blas` engine takes the loop, so tests can compare the two).
    static var avx2Activations: Bool { DirectGEMM.kernelsEnabled }

    /// An activation with 16-lane and 8-lane C kernels that compute `kernel`'s values bit for bit: the 16-lane one
    /// where ``wideTranscendentals`` holds, else the 8-lane one where ``avx2Activations`` does, else the vector loop.
    @inline(__always)
    private static func transcendental<K: VectorKernel>(
        _ kernel: K, _ p: UnsafeMutablePointer<Float>, _ count: Int,
        avx512: (UnsafeMutablePointer<Float>?, Int) -> Void, avx2: (UnsafeMutablePointer<Float>?, Int) -> Void
    ) {
        if wideTranscendentals {
            avx512(p, count)
        } else if avx2Activations {
            avx2(p, count)
        } else {
            mapInPlace(kernel, p, count)
        }
    }

    /// Runs one element-wise activation over `count` contiguous floats in place.
    static func applyElementwise(_ activation: Activation, _ p: UnsafeMutablePointer<Float>, count: Int) {
        switch activation {
        case .linear, .softmax, .logSoftmax, .sparsemax:
            return
        case .relu: mapInPlace(ReLUKernel(), p, count)
        case .relu6: mapInPlace(ReLU6Kernel(), p, count)
        case .leakyReLU(let slope): leakyReLU(p, count, slope)
        case .reluGeneral(let slope, let maxValue, let threshold, let form):
            if slope != 0, maxValue == nil, threshold == 0 {
                leakyReLU(p, count, slope)
            } else {
                mapInPlace(GeneralReLUKernel(slope: slope, maxValue: maxValue, threshold: threshold,
                                             multiply: form == .multiply), p, count)
            }
        case .thresholdedReLU(let theta): mapInPlace(ThresholdedReLUKernel(theta: theta), p, count)
        case .elu(let alpha): mapInPlace(ELUKernel(alpha: alpha), p, count)
        case .selu: mapInPlace(SELUKernel(), p, count)
        case .gelu(let approximate):
            if approximate {
                mapInPlace(GELUTanhKernel(), p, count)
            } else {
                transcendental(GELUErfKernel(), p, count, avx512: kp_gelu_erf_avx512, avx2: kp_gelu_erf)
            }
        case .sigmoid: transcendental(SigmoidKernel(), p, count, avx512: kp_sigmoid_avx512, avx2: kp_sigmoid)
        case .hardSigmoid(let variant):
            if variant == .keras2 { mapInPlace(HardSigmoid2Kernel(), p, count) } else { mapInPlace(HardSigmoid3Kernel(), p, count) }
        case .hardSilu: mapInPlace(HardSiluKernel(), p, count)
        case .tanh: mapInPlace(TanhKernel(), p, count)
        case .softplus: mapInPlace(SoftplusKernel(), p, count)
        case .softsign: mapInPlace(SoftsignKernel(), p, count)
        case .swish: transcendental(SwishKernel(), p, count, avx512: kp_swish_avx512, avx2: kp_swish)
        case .exponential: mapInPlace(ExpKernel(), p, count)
        case .mish: mapInPlace(MishKernel(), p, count)
        case .celu(let alpha): mapInPlace(CELUKernel(alpha: alpha), p, count)
        case .hardShrink(let t): mapInPlace(HardShrinkKernel(threshold: t), p, count)
        case .hardTanh: mapInPlace(HardTanhKernel(), p, count)
        case .logSigmoid: mapInPlace(LogSigmoidKernel(), p, count)
        case .softShrink(let t): mapInPlace(SoftShrinkKernel(threshold: t), p, count)
        case .sparsePlus: mapInPlace(SparsePlusKernel(), p, count)
        case .sparseSigmoid: mapInPlace(SparseSigmoidKernel(), p, count)
        case .squareplus(let b): mapInPlace(SquareplusKernel(b: b), p, count)
        case .tanhShrink: mapInPlace(TanhShrinkKernel(), p, count)
        }
    }
}

// MARK: - Vector kernels

/// A function of one vector of floats, applied lane-wise.
protocol VectorKernel {
    func callAsFunction(_ x: FloatVector) -> FloatVector
}

/// Applies `kernel` to `count` floats in place; the tail goes through the same vector code.
@inline(__always)
func mapInPlace<K: VectorKernel>(_ kernel: K, _ p: UnsafeMutablePointer<Float>, _ count: Int) {
    let lanes = FloatVector.scalarCount
    var i = 0
    let raw = UnsafeMutableRawPointer(p)
    while i + lanes <= count {
        let v = UnsafeRawPointer(raw).loadUnaligned(fromByteOffset: i * 4, as: FloatVector.self)
        raw.storeBytes(of: kernel(v), toByteOffset: i * 4, as: FloatVector.self)
        i += lanes
    }
    if i < count {
        var v = FloatVector(repeating: 0)
        for j in 0..<(count - i) { v[j] = p[i + j] }
        let r = kernel(v)
        for j in 0..<(count - i) { p[i + j] = r[j] }
    }
}

@inline(__always) func vrelu(_ x: FloatVector) -> FloatVector {
    x.replacing(with: 0, where: x .<= 0)  // -0.0 → +0.0; NaN is not <= 0, so it passes through
}

@inline(__always) func vrelu6(_ x: FloatVector) -> FloatVector {
    let y = x.replacing(with: 0, where: x .<= 0)
    return y.replacing(with: 6, where: y .>= 6)
}

/// TensorFlow `clip_by_value(x, lo, hi)` = maximum(minimum(x, hi), lo), NaN propagating.
@inline(__always) func vclip(_ x: FloatVector, _ lo: Float, _ hi: Float) -> FloatVector {
    let y = x.replacing(with: hi, where: x .>= hi)
    return y.replacing(with: lo, where: y .<= lo)
}

struct ReLUKernel: VectorKernel {
    @inline(__always) func callAsFunction(_ x: FloatVector) -> FloatVector { vrelu(x) }
}

struct ReLU6Kernel: VectorKernel {
    @inline(__always) func callAsFunction(_ x: FloatVector) -> FloatVector { vrelu6(x) }
}

struct LeakyReLUKernel: VectorKernel {
    var slope: Float
    @inline(__always) func callAsFunction(_ x: FloatVector) -> FloatVector {
        (x * slope).replacing(with: x, where: x .> 0)
    }
}

/// Keras' `ReLU.static_call`, step by step.
struct GeneralReLUKernel: VectorKernel {
    var slope: Float
    var maxValue: Float?
    var threshold: Float
    var multiply: Bool
    @inline(__always) func callAsFunction(_ x: FloatVector) -> FloatVector {
        var negativePart = FloatVector(repeating: 1)
        if slope != 0 {
            negativePart = threshold != 0 ? vrelu(-x + threshold) : vrelu(-x)
        }
        var y: FloatVector
        var clipMax = maxValue != nil
        if threshold != 0 {
            let keep = x .> threshold
            if multiply {
                y = x * FloatVector(repeating: 0).replacing(with: 1, where: keep)
            } else {
                y = FloatVector(repeating: 0).replacing(with: x, where: keep)
            }
        } else if maxValue == 6 {
            y = vrelu6(x)
            clipMax = false
        } else {
            y = vrelu(x)
        }
        if clipMax, let m = maxValue {
            y = vclip(y, 0, m)
        }
        if slope != 0 {
            y = y - slope * negativePart
        }
        return y
    }
}

struct ThresholdedReLUKernel: VectorKernel {
    var theta: Float
    @inline(__always) func callAsFunction(_ x: FloatVector) -> FloatVector {
        x * FloatVector(repeating: 0).replacing(with: 1, where: x .> theta)
    }
}

struct ELUKernel: VectorKernel {
    var alpha: Float
    @inline(__always) func callAsFunction(_ x: FloatVector) -> FloatVector {
        // tf.nn.elu: x < 0 ? exp(x) - 1 : x; Keras then uses where(x > 0, res, alpha * res) when alpha != 1.
        let res = (VectorMath.exp(x) - 1).replacing(with: x, where: .!(x .< 0))
        if alpha == 1 { return res }
        return (alpha * res).replacing(with: res, where: x .> 0)
    }
}

struct SELUKernel: VectorKernel {
    @inline(__always) func callAsFunction(_ x: FloatVector) -> FloatVector {
        let scale: Float = 1.0507009873554804934193349852946
        let scaleAlpha: Float = 1.7580993408473768599402175208123
        return (scaleAlpha * (VectorMath.exp(x) - 1)).replacing(with: scale * x, where: .!(x .< 0))
    }
}

struct GELUTanhKernel: VectorKernel {
    @inline(__always) func callAsFunction(_ x: FloatVector) -> FloatVector {
        let cube = x * x * x
        let inner = 0.7978845608028654 * (x + 0.044715 * cube)
        return (0.5 * x) * (1 + VectorMath.tanh(inner))
    }
}

struct GELUErfKernel: VectorKernel {
    @inline(__always) func callAsFunction(_ x: FloatVector) -> FloatVector {
        (0.5 * x) * (1 + VectorMath.erf(x / 1.4142135623730951))
    }
}

struct SigmoidKernel: VectorKernel {
    @inline(__always) func callAsFunction(_ x: FloatVector) -> FloatVector { VectorMath.sigmoid(x) }
}

struct HardSigmoid2Kernel: VectorKernel {
    @inline(__always) func callAsFunction(_ x: FloatVector) -> FloatVector { vclip(x * 0.2 + 0.5, 0, 1) }
}

struct HardSigmoid3Kernel: VectorKernel {
    @inline(__always) func callAsFunction(_ x: FloatVector) -> FloatVector { vrelu6(x + 3) / 6 }
}

struct HardSiluKernel: VectorKernel {
    @inline(__always) func callAsFunction(_ x: FloatVector) -> FloatVector { x * (vrelu6(x + 3) / 6) }
}

struct TanhKernel: VectorKernel {
    @inline(__always) func callAsFunction(_ x: FloatVector) -> FloatVector { VectorMath.tanh(x) }
}

struct SoftplusKernel: VectorKernel {
    @inline(__always) func callAsFunction(_ x: FloatVector) -> FloatVector { VectorMath.softplus(x) }
}

struct SoftsignKernel: VectorKernel {
    @inline(__always) func callAsFunction(_ x: FloatVector) -> FloatVector {
        let magnitude = unsafeBitCast(unsafeBitCast(x, to: IntVector.self) & IntVector(repeating: 0x7FFF_FFFF),
                                      to: FloatVector.self)
        return x / (magnitude + 1)
    }
}

struct SwishKernel: VectorKernel {
    @inline(__always) func callAsFunction(_ x: FloatVector) -> FloatVector { VectorMath.swish(x) }
}

struct ExpKernel: VectorKernel {
    @inline(__always) func callAsFunction(_ x: FloatVector) -> FloatVector { VectorMath.exp(x) }
}

struct MishKernel: VectorKernel {
    @inline(__always) func callAsFunction(_ x: FloatVector) -> FloatVector {
        x * VectorMath.tanh(VectorMath.softplus(x))
    }
}
