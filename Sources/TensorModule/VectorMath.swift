/// Vectorised transcendental functions on `SIMD16<Float>`.
///
/// These are the classic Cephes / Eigen single-precision algorithms (range reduction plus
/// polynomial or rational approximations, no table look-ups), accurate to a few ulp. They use only
/// add/mul/div/compare/select and integer bit tricks, so they vectorise on any x86-64 or ARM64 CPU.
/// Element-wise kernels feed tails through the same vector code, so every element of a tensor is
/// computed the same way regardless of its position.
typealias FloatVector = SIMD16<Float>
typealias IntVector = SIMD16<Int32>

enum VectorMath {
    static let lanes = FloatVector.scalarCount

    /// Round to nearest integer (ties to even) for |x| < 2^22, as a float, without `floor`
    /// (which is a library call on baseline x86-64).
    @inline(__always)
    static func roundToInt(_ x: FloatVector) -> (FloatVector, IntVector) {
        let magic = FloatVector(repeating: 12_582_912) // 1.5 · 2^23
        let t = x + magic
        let n = unsafeBitCast(t, to: IntVector.self) &- IntVector(repeating: 0x4B40_0000)
        return (t - magic, n)
    }

    /// Exact Int32 → Float for |n| < 2^22 by the magic-number trick (the generic SIMD conversion is
    /// not inlined by the compiler and runs lane by lane).
    @inline(__always)
    static func toFloat(_ n: IntVector) -> FloatVector {
        unsafeBitCast(n &+ IntVector(repeating: 0x4B40_0000), to: FloatVector.self) - 12_582_912
    }

    /// 2^n for integer n in [-126, 127], built from exponent bits.
    @inline(__always)
    static func pow2(_ n: IntVector) -> FloatVector {
        unsafeBitCast((n &+ IntVector(repeating: 127)) &<< IntVector(repeating: 23), to: FloatVector.self)
    }

    /// e^x = p · 2^n for finite x: n = round(x · log2 e), p the Cephes polynomial of r = x − n·ln 2 (ln 2 split in two
    /// for accuracy, C1 and C2). The core of ``exp(_:)``, which clamps x and scales (``sigmoidDenominator(_:)`` has
    /// the same steps with fused multiply-adds).
    @inline(__always)
    static func expReduced(_ x: FloatVector) -> (p: FloatVector, n: IntVector) {
        let (m, n) = roundToInt(x * 1.44269504088896341)
        var r = x - m * 0.693359375
        r = r - m * -2.12194440e-4
        let r2 = r * r
        var p = FloatVector(repeating: 1.9875691500e-4)
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        return (p * r2 + r + 1, n)
    }

    /// e^x. exp(+inf) = +inf, exp(-inf) = 0, NaN propagates; overflow gives +inf, deep underflow 0.
    @inline(__always)
    static func exp(_ x: FloatVector) -> FloatVector {
        let hi: Float = 88.72283935546875    // just above ln(FLT_MAX)
        let lo: Float = -103.97207641601562  // below ln(smallest subnormal)
        var xc = x.replacing(with: hi, where: x .> hi)
        xc.replace(with: lo, where: xc .< lo)
        xc.replace(with: 0, where: x .!= x)
        let (p, n) = expReduced(xc)
        // Scale by 2^n in two steps so n in [-150, 128] stays representable (subnormals, near-overflow).
        let n1 = n &>> IntVector(repeating: 1)
        let n2 = n &- n1
        var y = p * pow2(n1) * pow2(n2)
        y.replace(with: .infinity, where: x .> hi)
        y.replace(with: 0, where: x .< lo)
        y.replace(with: x, where: x .!= x)
        return y
    }

    /// Natural log for finite x > 0 (callers guarantee the domain; other lanes give unspecified values).
    @inline(__always)
    static func logPositive(_ x: FloatVector) -> FloatVector {
        let bits = unsafeBitCast(x, to: IntVector.self)
        var e = (bits &>> IntVector(repeating: 23)) &- IntVector(repeating: 126)
        // Mantissa in [0.5, 1).
        var m = unsafeBitCast((bits & IntVector(repeating: 0x007F_FFFF)) | IntVector(repeating: 0x3F00_0000),
                              to: FloatVector.self)
        let small = m .< 0.707106781186547524
        e.replace(with: e &- 1, where: small)
        m = m.replacing(with: m + m, where: small) - 1
        let ef = toFloat(e)
        let z = m * m
        var y = FloatVector(repeating: 7.0376836292e-2)
        y = y * m - 1.1514610310e-1
        y = y * m + 1.1676998740e-1
        y = y * m - 1.2420140846e-1
        y = y * m + 1.4249322787e-1
        y = y * m - 1.6668057665e-1
        y = y * m + 2.0000714765e-1
        y = y * m - 2.4999993993e-1
        y = y * m + 3.3333331174e-1
        y = y * m * z
        y = y + ef * -2.12194440e-4
        y = y - z * 0.5
        return m + y + ef * 0.693359375
    }

    /// log(1 + u) for u ≥ 0 finite, accurate for tiny u (Goldberg: log(w)·u/(w−1), w = 1 + u).
    @inline(__always)
    static func log1pNonNegative(_ u: FloatVector) -> FloatVector {
        let w = u + 1
        let d = w - 1
        let r = logPositive(w) * (u / d)
        return r.replacing(with: u, where: d .== 0)
    }

    /// tanh(x): Eigen's rational 13/6 approximation, clamped at ±7.90531110763549805 (where tanh
    /// rounds to ±1) and returning x itself for |x| < 0.0004. NaN propagates.
    @inline(__always)
    static func tanh(_ x: FloatVector) -> FloatVector {
        let bound: Float = 7.90531110763549805
        var c = x.replacing(with: bound, where: x .> bound)
        c.replace(with: -bound, where: c .< -bound)
        let x2 = c * c
        var p = FloatVector(repeating: -2.76076847742355e-16)
        p = p * x2 + 2.00018790482477e-13
        p = p * x2 + -8.60467152213735e-11
        p = p * x2 + 5.12229709037114e-08
        p = p * x2 + 1.48572235717979e-05
        p = p * x2 + 6.37261928875436e-04
        p = p * x2 + 4.89352455891786e-03
        p = p * c
        var q = FloatVector(repeating: 1.19825839466702e-06)
        q = q * x2 + 1.18534705686654e-04
        q = q * x2 + 2.26843463243900e-03
        q = q * x2 + 4.89352518554385e-03
        var y = p / q
        let tiny = (x .< 0.0004) .& (x .> -0.0004)
        y.replace(with: x, where: tiny)
        y.replace(with: x, where: x .!= x)
        return y
    }

    /// erf(x): Eigen's rational approximation on [-4, 4] (erf rounds to ±1 outside). NaN propagates.
    @inline(__always)
    static func erf(_ x: FloatVector) -> FloatVector {
        var c = x.replacing(with: 4, where: x .> 4)
        c.replace(with: -4, where: c .< -4)
        let x2 = c * c
        var p = FloatVector(repeating: -2.72614225801306e-10)
        p = p * x2 + 2.77068142495902e-08
        p = p * x2 + -2.10102402082508e-06
        p = p * x2 + -5.69250639462346e-05
        p = p * x2 + -7.34990630326855e-04
        p = p * x2 + -2.95459980854025e-03
        p = p * x2 + -1.60960333262415e-02
        p = p * c
        var q = FloatVector(repeating: -1.45660718464996e-05)
        q = q * x2 + -2.13374055278905e-04
        q = q * x2 + -1.68282697438203e-03
        q = q * x2 + -7.37332916720468e-03
        q = q * x2 + -1.42647390514189e-02
        var y = p / q
        y.replace(with: x, where: x .!= x)
        return y
    }

    /// 1 + e^−x for sigmoid and swish: −x clamped to [−87, 89] (clamped on x, to [−89, 87]; NaN passes) and e^−x
    /// scaled by 2^n once (n ∈ [−126, 128]: e^−x from 1.6e-38 up, and +inf from −x ≈ 88.38, where 2^128 overflows,
    /// so sigmoid gives 0 and swish ∓0 for x below about −88.4); the subnormal and near-overflow cases of
    /// ``exp(_:)``, which needs a second scaling for them, never arise. Inside the clamp Cephes' reduction and
    /// polynomial, as ``expReduced(_:)``, but every multiply-add fused (`addingProduct`, one rounding each): fewer
    /// operations for the AVX2 / AVX-512 kernels (CKernels' kp_sigmoid_denominator, the same operations bit for bit),
    /// and as accurate: over every float in [−87, 90] sigmoid within 2.48 ulp and swish 2.40 of the exact values (as
    /// with separate roundings; the two differ by at most 4 ulp, in about 0.04 % of the floats); below −87 sigmoid
    /// within 2^−127.5 ≈ 4.16e-39 and swish 3.7e-37 (their values where 2^n overflows, x ≈ −88.376). On x86-64
    /// without FMA in the target this reference runs `fmaf` per lane.
    @inline(__always)
    static func sigmoidDenominator(_ x: FloatVector) -> FloatVector {
        var xc = x.replacing(with: 87, where: x .> 87)
        xc.replace(with: -89, where: xc .< -89)
        // roundToInt(−x · log2 e) with the product and the magic-number add in one rounding.
        let magic = FloatVector(repeating: 12_582_912) // 1.5 · 2^23
        let t = magic.addingProduct(xc, FloatVector(repeating: -1.44269504088896341))
        let m = t - magic
        // r = −x − m · C1 − m · C2 (C1 = 0.693359375, C2 = −2.12194440e-4), each step one rounding.
        var r = (FloatVector(repeating: 0) - xc).addingProduct(m, FloatVector(repeating: -0.693359375))
        r = r.addingProduct(m, FloatVector(repeating: 2.12194440e-4))
        let r2 = r * r
        var p = FloatVector(repeating: 1.9875691500e-4)
        p = FloatVector(repeating: 1.3981999507e-3).addingProduct(p, r)
        p = FloatVector(repeating: 8.3334519073e-3).addingProduct(p, r)
        p = FloatVector(repeating: 4.1665795894e-2).addingProduct(p, r)
        p = FloatVector(repeating: 1.6666665459e-1).addingProduct(p, r)
        p = FloatVector(repeating: 5.0000001201e-1).addingProduct(p, r)
        p = r.addingProduct(p, r2) + 1
        let n = unsafeBitCast(t, to: IntVector.self) &- IntVector(repeating: 0x4B40_0000)
        return 1 + p * pow2(n)
    }

    /// 1 / (1 + e^-x).
    @inline(__always)
    static func sigmoid(_ x: FloatVector) -> FloatVector {
        1 / sigmoidDenominator(x)
    }

    /// swish(x) = x · sigmoid(x), computed as x / (1 + e^-x) (one rounding fewer).
    @inline(__always)
    static func swish(_ x: FloatVector) -> FloatVector {
        x / sigmoidDenominator(x)
    }

    /// TensorFlow's softplus: x for x > -log(ε) - 2, e^x for x < log(ε) + 2, log1p(e^x) between.
    @inline(__always)
    static func softplus(_ x: FloatVector) -> FloatVector {
        let threshold: Float = -13.942385152878742 // log(FLT_EPSILON) + 2
        let e = exp(x)
        var y = log1pNonNegative(e)
        y.replace(with: e, where: x .< threshold)
        y.replace(with: x, where: x .> -threshold)
        y.replace(with: x, where: x .!= x)
        return y
    }
}
