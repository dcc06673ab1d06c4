import Foundation
import Testing
@testable import TensorModule

/// Sigmoid and swish over a dense sweep of floats in [−90, 90] and at the edges of their clamp: the 16-lane
/// (AVX-512F) and 8-lane (AVX2) kernels and the Swift vector loop (`VectorMath.sigmoidDenominator`, fused
/// multiply-adds by `addingProduct`) compute the same operations, so every value must match bit for bit; and the
/// results against a Double reference.
@Suite("Sigmoid and swish sweep")
struct SigmoidSweepTests {
    /// Every 4099th float in [−90, 90] (about 546 000 values, both signs, from the least subnormal up).
    static let sweep: [Float] = {
        var v: [Float] = []
        let top = Float(90).bitPattern
        for bits in stride(from: UInt32(1), through: top, by: 4099) {
            let x = Float(bitPattern: bits)
            v += [x, -x]
        }
        return v
    }()

    /// The clamp's edges (x = ±87, ±89; −x is clamped to [−87, 89]), where 2^n overflows (x ≈ −88.38) and 1 + e^−x
    /// stops changing (x ≈ 17), each with the 40 floats on either side; and the special values.
    static let edges: [Float] = {
        var v: [Float] = [0, -0.0, .infinity, -.infinity, .nan, -Float.nan, Float(bitPattern: 0x7FA0_0001),
                          Float(bitPattern: 0xFFC0_1234), Float.leastNonzeroMagnitude, -Float.leastNonzeroMagnitude,
                          Float.leastNormalMagnitude, -Float.leastNormalMagnitude,
                          Float(bitPattern: 0x007F_FFFF), Float(bitPattern: 0x807F_FFFF),
                          Float.greatestFiniteMagnitude, -Float.greatestFiniteMagnitude, 1e30, -1e30, 1e10, -1e10,
                          200, -200, 1000, -1000]
        for centre: Float in [87, -87, 89, -89, -88.3763, 88.3763, 16.6355, -16.6355, 103.97, -103.97] {
            var below = centre, above = centre
            v.append(centre)
            for _ in 0..<40 {
                below = below.nextDown
                above = above.nextUp
                v += [below, above]
            }
        }
        return v
    }()

    /// Inputs where doing one of the fused multiply-adds with two roundings changes swish (found by comparing the two
    /// over every float in [−90, 90]): the range reduction's m · C2 step (90 369 floats of 2.2 billion), Horner's 2nd,
    /// 3rd, 4th and 5th steps (8, 229, 4 597 and 65 094 floats), 8 or 10 of each. Unfused, −x − m · C1 and the first
    /// Horner step change no float there (m · C1 is exact; p · r is too small against the constant).
    static let fusedStepWitnesses: [Float] = ([
        0x4004D865, 0xC1D313D7, 0xC20CDC58, 0xC24C742B, 0xC25333D0, 0xC28772C7, 0xC28DFB0F, 0xC2A1A2ED,
        0x3E4EB759, 0x3EEE7CE9, 0x3FE3197B, 0xBE68CE8E, 0xBFD883C1, 0xC21D3AE6, 0xC22207F3, 0xC2383636,
        0x3E40EC30, 0x3EC34D75, 0xBE8A650A, 0xBED0F5C5, 0xBFDDA824, 0xC047C52E, 0xC091A5F1, 0xC13FCA52,
        0xC1DA8138, 0xC25EE7DF, 0x3D32DF8F, 0x3EAEC22B, 0xBE6EA500, 0xBECF693A, 0xBFD2CF0D, 0xC0493BE5,
        0xC0BEB248, 0xC12CAB7B, 0xC1A95CFB, 0xC221C2E8, 0x3C4B72A9, 0x3EC0BAC6, 0xBE9BD586, 0xBF6E659D,
        0xC01FD6F6, 0xC0BF7A07, 0xC163993A, 0xC203F8CD,
    ] as [UInt32]).map { Float(bitPattern: $0) }

    /// `activation` over `x` in place through the 16-lane kernel (where the CPU has AVX-512F), the 8-lane kernel
    /// and the Swift vector loop.
    private func paths(_ activation: Ops.Activation, _ x: [Float]) -> [(String, [Float])] {
        func run(avx512: Bool, engine: DirectGEMM.Engine) -> [Float] {
            var v = x
            Ops.$avx512.withValue(avx512) {
                DirectGEMM.$engine.withValue(engine) {
                    v.withUnsafeMutableBufferPointer { Ops.applyElementwise(activation, $0.baseAddress!, count: x.count) }
                }
            }
            return v
        }
        var out = [("vector loop", run(avx512: false, engine: .blas))]
        if DirectGEMM.available { out.append(("8 lanes", run(avx512: false, engine: .direct))) }
        if DirectGEMM.available && Ops.avx512Available { out.append(("16 lanes", run(avx512: true, engine: .direct))) }
        return out
    }

    @Test("the kernels and the vector loop agree bit for bit", arguments: [Ops.Activation.sigmoid, .swish])
    func kernelsAgree(activation: Ops.Activation) {
        // Lengths that leave tails of 1…15 values.
        for x in [Self.sweep, Self.edges, Self.fusedStepWitnesses, Array(Self.edges.prefix(13)), Array(Self.sweep.prefix(1001))] {
            let results = paths(activation, x)
            #expect(results.count >= (DirectGEMM.available ? 2 : 1))
            let (_, reference) = results[0]
            for (name, y) in results.dropFirst() {
                let differing = x.indices.filter { y[$0].bitPattern != reference[$0].bitPattern }
                #expect(differing.isEmpty, "\(activation) \(name): \(differing.count) of \(x.count) differ, e.g. \(differing.prefix(3).map { "x \(hex(x[$0])): \(hex(y[$0])) vs loop \(hex(reference[$0]))" })")
            }
        }
    }

    /// Error against Double: at most 3 ulp for x ≥ −87 (2.48 ulp for sigmoid and 2.40 for swish over every float in
    /// [−87, 90]); below, where e^−x is clamped and 2^n overflows from x ≈ −88.376 (sigmoid 0, swish −0), within
    /// 2^−127.5 ≈ 4.157e-39 (sigmoid) and 88.4 · 2^−127.5 ≈ 3.67e-37 (swish), the exact values at that point.
    @Test("accuracy against a Double reference", arguments: [Ops.Activation.sigmoid, .swish])
    func accuracy(activation: Ops.Activation) {
        let x = Self.sweep + Self.edges.filter { $0.isFinite }
        let y = paths(activation, x)[0].1
        var worst: (ulps: Double, x: Float) = (0, 0), worstTail: (error: Double, x: Float) = (0, 0)
        for (xi, yi) in zip(x, y) {
            let s = 1 / (1 + Foundation.exp(-Double(xi)))
            let exact = activation == .sigmoid ? s : Double(xi) * s
            if xi >= -87 {
                let ulps = abs(Double(yi) - exact) / Double(Float(exact).ulp)
                if ulps > worst.ulps { worst = (ulps, xi) }
            } else {
                let error = abs(Double(yi) - exact)
                if error > worstTail.error { worstTail = (error, xi) }
            }
        }
        #expect(worst.ulps <= 3, "\(activation): \(worst.ulps) ulp at x = \(worst.x) (\(hex(worst.x)))")
        let tailBound = activation == .sigmoid ? 4.16e-39 : 3.68e-37
        #expect(worstTail.error < tailBound, "\(activation): error \(worstTail.error) at x = \(worstTail.x)")
    }

    @Test("limits: NaN stays NaN, ±inf and large |x| give the limits", arguments: [Ops.Activation.sigmoid, .swish])
    func limits(activation: Ops.Activation) {
        let x: [Float] = [.nan, .infinity, -.infinity, 1e30, -1e30, 90, -90, 0, -0.0]
        for (name, y) in paths(activation, x) {
            #expect(y[0].isNaN, "\(name)")
            if activation == .sigmoid {
                #expect(y[1] == 1 && y[2] == 0 && y[3] == 1 && y[4] == 0 && y[5] == 1 && y[6] == 0, "\(name): \(y)")
                #expect(y[7] == 0.5 && y[8] == 0.5, "\(name): \(y)")
            } else {
                // swish(−inf) = −inf / inf is NaN, as x / (1 + e^−x) gives in TensorFlow's float32.
                #expect(y[1] == .infinity && y[2].isNaN && y[3] == 1e30 && y[4] == 0 && y[5] == 90 && y[6] == 0,
                        "\(name): \(y)")
                #expect(y[7].bitPattern == Float(0).bitPattern && y[8].bitPattern == Float(-0.0).bitPattern,
                        "\(name): \(y)")
            }
        }
    }
}
