import Testing
@testable import TensorModule
import _TestSupport

/// Float64 3×3 stride-1 convolution (NHWC, zeros outside the input, `padBefore` rows/columns before it) with, per
/// output, the magnitude S = Σ|x·w| + |bias| that bounds any float32 evaluation's rounding error.
private func reference(_ x: Tensor, _ w: Tensor, _ b: Tensor?, padBefore: (Int, Int),
                       out: (Int, Int)) -> (value: [Double], magnitude: [Double]) {
    let (n, h, wd, cin, f) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3], w.shape[3])
    var value = [Double](repeating: 0, count: n * out.0 * out.1 * f), magnitude = value
    for bi in 0..<n { for i in 0..<out.0 { for j in 0..<out.1 { for o in 0..<f {
        var s = Double(b?.scalars[o] ?? 0), a = abs(s)
        for p in 0..<3 { for q in 0..<3 {
            let ih = i - padBefore.0 + p, iw = j - padBefore.1 + q
            guard ih >= 0, ih < h, iw >= 0, iw < wd else { continue }
            for c in 0..<cin {
                let t = Double(x.scalars[((bi * h + ih) * wd + iw) * cin + c]) * Double(w.scalars[((p * 3 + q) * cin + c) * f + o])
                s += t
                a += abs(t)
            }
        } }
        let k = ((bi * out.0 + i) * out.1 + j) * f + o
        value[k] = s
        magnitude[k] = a
    } } } }
    return (value, magnitude)
}

/// The largest |ours − reference| / (u · S) over the output, u = 2⁻²⁴ (S from ``reference``).
private func worstRelativeError(_ y: Tensor, _ r: (value: [Double], magnitude: [Double])) -> Double {
    let u = Double(Float.ulpOfOne) / 2
    var worst = 0.0
    for i in 0..<y.count {
        worst = max(worst, abs(Double(y.scalars[i]) - r.value[i]) / (u * r.magnitude[i] + Double(Float.leastNormalMagnitude)))
    }
    return worst
}

@Suite("Winograd F(2×2, 3×3) and F(4×4, 3×3) convolutions", .enabled(if: DirectGEMM.available, "this CPU has no AVX2/FMA"))
struct WinogradTests {
    /// Rounding-error bound, in units of u · S (S = Σ|x·w| + |bias| per output): a float32 direct sum of k = 9·cin
    /// terms stays within k·u·S; the transforms add to that. F(2×2) stays within k + 16 on these cases. F(4×4)'s
    /// transforms (entries up to 5 in Bᵀ, 8 in Aᵀ) amplify more where S is small next to the values of the tile (outputs
    /// at a padded border with few channels): measured up to ≈ 1650 u·S (the case with 9 channels and padding), so its
    /// bound is k + 2048. One wrong or missing term is of the size S / k on average, ≈ 1 / (k·u) u·S: above these bounds for every k here
    /// (7·10³ at k = 2340), and an indexing or transform error misplaces many.
    static func bound(m: Int, cin: Int) -> Double { Double(9 * cin) + (m == 2 ? 16 : 2048) }

    @Test("matches a float64 reference within the stated rounding bound", arguments: [
        // (batch, h, w, cin, cout, same, zero padding ((top, bottom), (left, right)))
        (2, 9, 11, 20, 21, true, ((0, 0), (0, 0))),
        (3, 7, 6, 13, 17, false, ((0, 0), (0, 0))),
        (1, 5, 5, 3, 5, true, ((0, 0), (0, 0))),
        (1, 3, 3, 8, 16, false, ((0, 0), (0, 0))),        // one output pixel
        (1, 12, 9, 260, 24, true, ((0, 0), (0, 0))),      // cin > 256: the GEMM's K is cut into blocks
        (2, 10, 7, 16, 40, false, ((2, 1), (0, 1))),      // a folded, asymmetric ZeroPadding2D
        (1, 6, 8, 9, 7, true, ((1, 0), (3, 2))),          // narrow output (7 columns), padding and "same"
    ])
    func parity(_ p: (Int, Int, Int, Int, Int, Bool, ((Int, Int), (Int, Int)))) throws {
        let (batch, h, w, cin, cout, same, zp) = p
        var rng = SeededRandom(seed: UInt64(h * 131 + w * 17 + cin * 3 + cout))
        let x = rng.tensor([batch, h, w, cin]), k = rng.tensor([3, 3, cin, cout]), b = rng.tensor([cout])
        let winograd = try #require(Ops.WinogradKernel.make(k))
        // Padded sizes; TensorFlow's "same" for a 3-tap stride-1 window pads one before and one after.
        let (ph, pw) = (h + zp.0.0 + zp.0.1, w + zp.1.0 + zp.1.1)
        let out = same ? (ph, pw) : (ph - 2, pw - 2)
        let pad = (zp.0.0 + (same ? 1 : 0), zp.1.0 + (same ? 1 : 0))
        let r = reference(x, k, b, padBefore: pad, out: out)
        for mode in [Winograd.Mode.f2, .f4] {
            for blockTiles in [nil, 6] as [Int?] {
                let y = try Winograd.$mode.withValue(mode) {
                    try Winograd.$blockTiles.withValue(blockTiles) {
                        try Ops.conv2d(input: x, kernel: k, bias: b, padding: same ? .same : .valid, zeroPadding: zp,
                                       winograd: winograd)
                    }
                }
                #expect(y.shape == [batch, out.0, out.1, cout])
                let worst = worstRelativeError(y, r), m = mode == .f2 ? 2 : 4
                #expect(worst <= Self.bound(m: m, cin: cin),
                        "\(mode), block \(blockTiles.map(String.init) ?? "auto"): error = \(worst) u·S")
            }
        }
    }

    @Test("The fused output pass (scale/shift, residual Add, ReLU; PReLU by rows) equals the direct convolution's")
    func fusedEpilogue() throws {
        var rng = SeededRandom(seed: 11)
        let (batch, h, w, cin, cout) = (2, 13, 10, 24, 19)
        let x = rng.tensor([batch, h, w, cin]), k = rng.tensor([3, 3, cin, cout], -0.2, 0.2), b = rng.tensor([cout])
        let residual = rng.tensor([batch, h, w, cout])
        let scale = (0..<cout).map { _ in rng.uniform(0.5, 1.5) }, shift = (0..<cout).map { _ in rng.uniform(-1, 1) }
        let alpha = (0..<(h * w * cout)).map { _ in rng.uniform(-0.5, 0.5) }
        let winograd = try #require(Ops.WinogradKernel.make(k))
        let posts: [[Ops.PostOp]] = [
            [.scaleShift(scale: scale, shift: shift), .addTensor(residual), .activation(.relu)],
            [.prelu(alpha: alpha, period: h * w)],
        ]
        for post in posts {
            let direct = try Winograd.$mode.withValue(.off) {
                try Ops.conv2d(input: x, kernel: k, bias: b, padding: .same, postOps: post, winograd: winograd)
            }
            for mode in [Winograd.Mode.f2, .f4] {
                for blockTiles in [nil, 6] as [Int?] {
                    let y = try Winograd.$mode.withValue(mode) {
                        try Winograd.$blockTiles.withValue(blockTiles) {
                            try Ops.conv2d(input: x, kernel: k, bias: b, padding: .same, postOps: post, winograd: winograd)
                        }
                    }
                    // Inputs in [-1, 1], weights in [-0.2, 0.2], 216 terms: S ≤ 44, so the bound above is ≈ 1e-4
                    // absolute (and the scale ≤ 1.5); an output pass on the wrong rows is off by O(1).
                    let c = closeness(y, direct, rtol: 1e-4, atol: 1e-4)
                    #expect(c.ok, "\(mode), block \(blockTiles.map(String.init) ?? "auto"): \(c)")
                }
            }
        }
    }

    /// The transformed kernel in the GEMM's panel layout, bit for bit: each (ci, co) matrix is G g Gᵀ in float64 with
    /// the products summed left to right (no fused multiply-adds), rounded once to float; columns past cout are +0.
    /// Made from the kernel's values and from a kernel held only packed (read in its panels), with cout below, at
    /// and above a panel's 16 columns and not a multiple of the 4 the transform computes at a time.
    @Test("The kernel transform equals G g Gᵀ in float64, packed into 16-column panels", arguments: [(16, 16), (5, 37), (3, 20)])
    func kernelTransform(_ p: (Int, Int)) throws {
        let (cin, cout) = p
        var rng = SeededRandom(seed: UInt64(cin * 100 + cout))
        let k = rng.tensor([3, 3, cin, cout])
        let g2: [[Double]] = [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]]
        let g4: [[Double]] = [[1.0 / 4, 0, 0], [-1.0 / 6, -1.0 / 6, -1.0 / 6], [-1.0 / 6, 1.0 / 6, -1.0 / 6],
                              [1.0 / 24, 1.0 / 12, 1.0 / 6], [1.0 / 24, -1.0 / 12, 1.0 / 6], [0, 0, 1]]
        for operand in [Ops.KernelOperand(k, packed: nil), Ops.KernelOperand.packing(k)] {
            let winograd = try #require(Ops.WinogradKernel.make(operand))
            for (m, g) in [(2, g2), (4, g4)] {
                let t = winograd.transformed(m: m), alpha = m + 2
                var mismatches = 0
                for ci in 0..<cin { for co in 0..<((cout + 15) / 16 * 16) {
                    var w = [[Double]](repeating: [0, 0, 0], count: 3)
                    for a in 0..<3 { for b in 0..<3 where co < cout {
                        w[a][b] = Double(k.scalars[((a * 3 + b) * cin + ci) * cout + co])
                    } }
                    for i in 0..<alpha { for j in 0..<alpha {
                        var r = [Double](repeating: 0, count: 3)
                        for b in 0..<3 { r[b] = g[i][0] * w[0][b] + g[i][1] * w[1][b] + g[i][2] * w[2][b] }
                        let value = co < cout ? Float(r[0] * g[j][0] + r[1] * g[j][1] + r[2] * g[j][2]) : 0
                        let got = t.pointer[(i * alpha + j) * t.stride + (co / 16) * cin * 16 + ci * 16 + co % 16]
                        if got.bitPattern != value.bitPattern { mismatches += 1 }
                    } }
                } }
                #expect(mismatches == 0, "m = \(m), packed-only \(operand.packedOnly != nil): \(mismatches) values differ")
            }
        }
    }

    @Test("The automatic rule: F(2×2) for 3×3 layers of ≥ 16 channels, but the direct path for a large kernel on few tiles",
          .enabled(if: Winograd.environmentMode == .automatic && DirectGEMM.kernelsEnabled,
                   "KERASPORT_WINOGRAD or KERASPORT_KERNELS overrides the automatic rule in this process"))
    func automaticChoice() throws {
        func choice(batch: Int, size: Int, cin: Int, cout: Int) throws -> Int? {
            let axis = try WindowAxis.make(operation: "test", axisName: "height", input: size, kernel: 3, stride: 1,
                                           dilation: 1, padding: .same)
            return Winograd.$mode.withValue(.automatic) {
                Winograd.choose(batch: batch, rows: axis, cols: axis, cin: cin, cout: cout)
            }
        }
        // ResNet50's last stage (512 channels: 16.8 MB transformed) at 96 × 96 and 224 × 224 inputs, batch 1 and 2.
        #expect(try choice(batch: 1, size: 3, cin: 512, cout: 512) == nil)     // 4 tiles
        #expect(try choice(batch: 1, size: 7, cin: 512, cout: 512) == nil)     // 16 tiles
        #expect(try choice(batch: 2, size: 7, cin: 512, cout: 512) == 2)       // 32 tiles
        #expect(try choice(batch: 1, size: 10, cin: 512, cout: 512) == 2)      // 25 tiles
        // The kernel just over and under the size bound (8 MiB = 16 · 512 · 256 floats) on 4 tiles.
        #expect(try choice(batch: 1, size: 4, cin: 512, cout: 257) == nil)
        #expect(try choice(batch: 1, size: 4, cin: 512, cout: 256) == 2)
        // A 4.2 MB transformed kernel (256 channels) keeps F(2×2) even on one tile; fewer than 16 channels never use it.
        #expect(try choice(batch: 1, size: 2, cin: 256, cout: 256) == 2)
        #expect(try choice(batch: 1, size: 56, cin: 8, cout: 64) == nil)
        // A forced mode is not second-guessed.
        let axis = try WindowAxis.make(operation: "test", axisName: "height", input: 3, kernel: 3, stride: 1,
                                       dilation: 1, padding: .same)
        #expect(Winograd.$mode.withValue(.f2) { Winograd.choose(batch: 1, rows: axis, cols: axis, cin: 512, cout: 512) } == 2)
    }

    @Test("Other geometries and a kernel of another shape keep the direct path")
    func notApplicable() throws {
        var rng = SeededRandom(seed: 5)
        let x = rng.tensor([1, 9, 9, 16]), k = rng.tensor([3, 3, 16, 16]), other = rng.tensor([3, 3, 8, 16])
        #expect(Ops.WinogradKernel.make(rng.tensor([3, 2, 16, 16])) == nil)
        let winograd = try #require(Ops.WinogradKernel.make(k)), wrong = try #require(Ops.WinogradKernel.make(other))
        for (strides, dilation) in [((2, 2), (1, 1)), ((1, 1), (2, 1))] {
            let y = try Winograd.$mode.withValue(.f4) {
                try Ops.conv2d(input: x, kernel: k, strides: strides, padding: .same, dilation: dilation, winograd: winograd)
            }
            let expected = naiveConv2d(x, k, nil, strides: strides, same: true, dilation: dilation, groups: 1)
            #expect(closeness(y, expected, rtol: gemmRtol, atol: gemmAtol).ok)
        }
        let y = try Winograd.$mode.withValue(.f4) { try Ops.conv2d(input: x, kernel: k, padding: .same, winograd: wrong) }
        let expected = naiveConv2d(x, k, nil, strides: (1, 1), same: true, dilation: (1, 1), groups: 1)
        #expect(closeness(y, expected, rtol: gemmRtol, atol: gemmAtol).ok)
    }
}
