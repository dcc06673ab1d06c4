import Testing
@testable import TensorModule
import _TestSupport

/// The output passes the GEMM's AVX-512 tiles apply in registers before their stores (`kp_gemm_pass`,
/// ``DirectGEMM/passInTiles``): each must give the values of the product stored first and the pass's steps run after
/// it one by one in the portable Swift kernels, bit for bit.
@Suite("GEMM tile output pass")
struct GEMMTilePassTests {
    /// The passes (bias, activation, post-ops) that reach each of the tiles' forms: a BatchNormalization's
    /// scale/shift with its flushes (the one before it dropped where it cannot change a value), then ReLU / ReLU6 /
    /// swish / hard silu (MobileNetV3's hard swish) or a residual Add, with or without a bias.
    static func passes(columns n: Int, rows: Int, rng: inout SeededRandom) -> [(String, Tensor?, [Ops.PostOp])] {
        let tiny = Float.leastNormalMagnitude / 8
        // Operands for which the flush before the scale/shift is redundant (so the plan drops it before a ReLU /
        // ReLU6), and ones for which it is not (a shift of 1e-30).
        let redundant = (0..<n).map { j -> (Float, Float) in
            switch j % 3 {
            case 0: return (rng.uniform(-1, 1), 0)
            case 1: return (0x1p20, 0x1p-80)
            default: return (rng.uniform(-3, 3), rng.uniform(-2, 2))
            }
        }
        let needed = redundant.enumerated().map { j, st in j == 1 ? (st.0, Float(1e-30)) : st }
        // Operands for which it is redundant whatever follows: no zero shift (|t| ≥ 2⁻⁸⁰, |s| ≤ 2²⁰, at the bounds).
        let strict = redundant.enumerated().map { j, st in
            st.1 == 0 ? (st.0, j % 2 == 0 ? Float(0x1p-80) : -0x1p-80) : st.1 == 0x1p-80 ? (-0x1p20, -0x1p-80) : st }
        func bn(_ o: [(Float, Float)]) -> Ops.PostOp { .scaleShift(scale: o.map(\.0), shift: o.map(\.1)) }
        let bias = Tensor(shape: [n], scalars: (0..<n).map { j in j % 5 == 0 ? tiny : rng.uniform(-1, 1) })
        let residual = Tensor(shape: [rows, n], scalars: (0..<(rows * n)).map { i in
            i % 13 == 0 ? [tiny, -tiny, .nan, .infinity][(i / 13) % 4] : rng.uniform(-2, 2) })
        let f = Ops.PostOp.flushDenormals
        return [
            ("bn", nil, [f, bn(needed), f]),
            ("bn relu (no flush)", nil, [f, bn(redundant), f, .activation(.relu), f]),
            ("bn relu", nil, [f, bn(needed), f, .activation(.relu), f]),
            ("bn relu6 (no flush)", nil, [f, bn(redundant), f, .activation(.relu6), f]),
            ("bn relu6", nil, [f, bn(needed), f, .activation(.relu6), f]),
            ("bn add", nil, [f, bn(needed), f, .addTensor(residual), f]),
            ("bias bn add relu", bias, [f, bn(needed), f, .addTensor(residual), f, .activation(.relu), f]),
            ("bias bn relu", bias, [f, bn(needed), f, .activation(.relu), f]),
            ("bn swish", nil, [f, bn(needed), f, .activation(.swish), f]),
            ("bn (no flush)", nil, [f, bn(strict), f]),
            ("bn add (no flush)", nil, [f, bn(strict), f, .addTensor(residual), f]),
            ("bn swish (no flush)", nil, [f, bn(strict), f, .activation(.swish), f]),
            ("bn hard silu", nil, [f, bn(needed), f, .activation(.hardSilu), f]),
            ("bn hard silu (no flush)", nil, [f, bn(strict), f, .activation(.hardSilu), f]),
        ]
    }

    @Test("AVX-512 tiles apply each output pass in registers with the bits of the product and then the steps",
          arguments: [
              // (rows, k, n): 12-row tiles with the 13-row one (m = 12q + 1), 1–11-row edges, a last panel of 5 or 8
              // columns, two K slices (k > 256, accumulated), the column split (few rows, ≥ 4 panels), narrow n.
              (25, 64, 37), (31, 300, 40), (97, 128, 64), (30, 96, 200), (13, 520, 16), (7, 40, 29), (40, 50, 10),
          ])
    func tilePassMatchesSteps(_ shape: (Int, Int, Int)) throws {
        guard Ops.avx512Available, DirectGEMM.available else {
            // Without AVX-512F there are no wide tiles to test (the pass then always runs after the product).
            print("skipped: the processor has no AVX-512F (or no AVX2/FMA), so the tiles' in-register pass cannot run")
            return
        }
        let (m, k, n) = shape
        var rng = SeededRandom(seed: UInt64(m * 1000 + k * 10 + n))
        // Rows of A: every fifth of denormal scale (sums that are denormal or zero), one in seven with a NaN or an
        // infinity at one place (a row of non-finite outputs), the rest ordinary values.
        let special: [Float] = [.nan, .infinity, -.infinity]
        // The output is `total` rows; this product computes its rows [first, first + m) (the residual's rows too).
        let first = 5, total = m + 9
        let a = (0..<(m * k)).map { i -> Float in
            let (r, e) = (i / k, i % k)
            if r % 5 == 1 { return rng.uniform(-1, 1) * Float.leastNormalMagnitude / 64 }
            if r % 7 == 2, e == (r * 31) % k { return special[(r / 7) % special.count] }
            return rng.uniform(-1, 1)
        }
        // Weights that make some sums denormal (tiny inputs times weights ≤ 1).
        let w = (0..<(k * n)).map { i in i % 11 == 0 ? 0.5 : rng.uniform(-1, 1) }
        let packed = w.withUnsafeBufferPointer { Ops.PackedKernel($0.baseAddress!, k: k, n: n, ldb: n) }
        var forms: Set<Int32> = []
        for (name, bias, post) in Self.passes(columns: n, rows: total, rng: &rng) {
            let pass = Ops.PreparedPass(bias: bias, activation: .linear, postOps: post, columns: n)
            let form = try #require(pass.fused, "\(name): no fused program").tilePass
            forms.insert(form)
            // The product alone, then the steps one by one in the portable Swift kernels.
            var reference = [Float](repeating: .nan, count: total * n)
            reference.withUnsafeMutableBufferPointer { c in
                a.withUnsafeBufferPointer { a in
                    DirectGEMM.multiply(a: a.baseAddress!, geometry: .matrix(rows: m, k: k, lda: k), m: m, b: packed,
                                        c: c.baseAddress! + first * n, ldc: n, wideTiles: true, pass: .none)
                }
                DirectGEMM.$engine.withValue(.blas) {
                    Ops.epilogue(c.baseAddress! + first * n, rows: m, columns: n, bias: bias, activation: .linear,
                                 postOps: post, firstRow: first, parallel: false)
                }
            }
            // A last panel of ≤ 8 columns beside the one before it in a 12 × 32 tile, or apart on the 12 × 8 AVX2
            // tile with the pass run over its rows.
            for (inTiles, apart) in [(true, false), (true, true), (false, false), (false, true)] {
                var c = [Float](repeating: .nan, count: total * n)
                c.withUnsafeMutableBufferPointer { c in
                    a.withUnsafeBufferPointer { a in
                        DirectGEMM.$passInTiles.withValue(inTiles) {
                            Ops.$narrowPanelsApart.withValue(apart) {
                                DirectGEMM.multiply(a: a.baseAddress!, geometry: .matrix(rows: m, k: k, lda: k), m: m,
                                                    b: packed, c: c.baseAddress! + first * n, ldc: n, wideTiles: true,
                                                    pass: pass, firstRow: first)
                            }
                        }
                    }
                }
                let got = Array(c[(first * n)..<((first + m) * n)]), want = Array(reference[(first * n)..<((first + m) * n)])
                let differing = zip(got, want).filter { $0.bitPattern != $1.bitPattern }.count
                // Most outputs finite (a row of A with a NaN or an infinity gives a row of them).
                #expect(got.filter(\.isFinite).count >= m * n / 2)
                #expect(differing == 0, "\(m)×\(k)×\(n), \(name) (tile pass \(form)), in tiles \(inTiles), narrow panel apart \(apart): \(differing) differ")
                // Rows outside the product untouched.
                #expect(c[..<(first * n)].allSatisfy(\.isNaN) && c[((first + m) * n)...].allSatisfy(\.isNaN))
            }
        }
        // Every one of the tiles' twelve passes was reached.
        #expect(forms == Set(1...14), "tile passes reached: \(forms.sorted())")
    }

    @Test("A pass the tiles have no form for (PReLU) still runs after the product")
    func passWithoutTileForm() throws {
        guard Ops.avx512Available, DirectGEMM.available else {
            print("skipped: the processor has no AVX-512F (or no AVX2/FMA)")
            return
        }
        var rng = SeededRandom(seed: 5)
        let (m, k, n) = (50, 70, 33)
        let a = (0..<(m * k)).map { _ in rng.uniform(-1, 1) }
        let w = (0..<(k * n)).map { _ in rng.uniform(-1, 1) }
        let packed = w.withUnsafeBufferPointer { Ops.PackedKernel($0.baseAddress!, k: k, n: n, ldb: n) }
        let bias = Tensor(shape: [n], scalars: (0..<n).map { _ in rng.uniform(-1, 1) })
        for post: [Ops.PostOp] in [[.prelu(alpha: (0..<n).map { _ in rng.uniform(-2, 2) }, period: 1)],
                                   [.activation(.sigmoid)]] {
            let pass = Ops.PreparedPass(bias: bias, activation: .linear, postOps: post, columns: n)
            #expect((pass.fused?.tilePass ?? 0) == 0)
            var got = [Float](repeating: .nan, count: m * n), want = got
            a.withUnsafeBufferPointer { a in
                got.withUnsafeMutableBufferPointer { c in
                    DirectGEMM.multiply(a: a.baseAddress!, geometry: .matrix(rows: m, k: k, lda: k), m: m, b: packed,
                                        c: c.baseAddress!, ldc: n, wideTiles: true, pass: pass)
                }
                want.withUnsafeMutableBufferPointer { c in
                    DirectGEMM.multiply(a: a.baseAddress!, geometry: .matrix(rows: m, k: k, lda: k), m: m, b: packed,
                                        c: c.baseAddress!, ldc: n, wideTiles: true, pass: .none)
                    DirectGEMM.$engine.withValue(.blas) {
                        Ops.epilogue(c.baseAddress!, rows: m, columns: n, bias: bias, activation: .linear,
                                     postOps: post, firstRow: 0, parallel: false)
                    }
                }
            }
            #expect(zip(got, want).allSatisfy { $0.bitPattern == $1.bitPattern }, "\(post)")
        }
    }
}
