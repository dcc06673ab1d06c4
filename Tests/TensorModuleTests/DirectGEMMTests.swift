import CKernels
import Testing
@testable import TensorModule
import _TestSupport

/// Double-precision `x · w` (+ bias) with, per element, the rounding-error bound of a float32 dot product of
/// length k: |error| ≤ γ_k · Σ|x_i·w_i| with γ_k = k·u/(1 − k·u), u = 2⁻²⁴ (any summation order; FMA only
/// lowers it). An indexing mistake in a kernel gives errors of the size of the values, far above that.
private func referenceDense(_ x: Tensor, _ w: Tensor, _ b: Tensor?) -> (value: [Double], bound: [Double]) {
    let (m, k, n) = (x.shape[0], x.shape[1], w.shape[1])
    let u = Double(Float.ulpOfOne) / 2, gamma = Double(k + 1) * u / (1 - Double(k + 1) * u)
    var value = [Double](repeating: 0, count: m * n), bound = value
    for i in 0..<m {
        for j in 0..<n {
            var s = 0.0, a = 0.0
            for e in 0..<k {
                let p = Double(x.scalars[i * k + e]) * Double(w.scalars[e * n + j])
                s += p
                a += abs(p)
            }
            let bias = Double(b?.scalars[j] ?? 0)
            value[i * n + j] = s + bias
            bound[i * n + j] = gamma * (a + abs(bias)) + Double(Float.leastNormalMagnitude)
        }
    }
    return (value, bound)
}

@Suite("Direct GEMM kernel (AVX2 + FMA)", .enabled(if: DirectGEMM.available, "this CPU has no AVX2/FMA"))
struct DirectGEMMTests {
    @Test("Dense through the direct kernel is within float32 dot-product error of a float64 reference", arguments: [
        // (m, k, n): remainders of the 6-row tile, the 16-column panel (a last panel of 8 columns has its own
        // store) and the 256-float K block; n < 12 takes the narrow (dot-product) kernel and its 4-row, 3-column
        // and 8-float remainders
        (2, 1, 16), (7, 5, 17), (13, 256, 32), (6, 257, 15), (300, 600, 40), (1030, 33, 48), (64, 1100, 70),
        (9, 40, 3), (5, 13, 11), (301, 600, 10), (3, 7, 1), (1030, 33, 24), (61, 700, 56),
        // one row: the GEMV kernel (k remainders of its 4-step unrolling, a partial last panel) or, n < 12, narrow
        (1, 1, 16), (1, 7, 33), (1, 1030, 1024), (1, 50, 5),
    ])
    func dense(_ p: (Int, Int, Int)) throws {
        var rng = SeededRandom(seed: UInt64(p.0 * 7919 + p.1 * 31 + p.2))
        let x = rng.tensor([p.0, p.1]), w = rng.tensor([p.1, p.2]), b = rng.tensor([p.2])
        let reference = referenceDense(x, w, b)
        for packed in [nil, Ops.PackedKernel.pack(w)] {
            let y = try DirectGEMM.$engine.withValue(.direct) {
                try Ops.dense(input: x, kernel: w, bias: b, packedKernel: packed)
            }
            #expect(y.shape == [p.0, p.2])
            var worst = 0.0
            for i in 0..<y.count { worst = max(worst, abs(Double(y.scalars[i]) - reference.value[i]) / reference.bound[i]) }
            #expect(worst <= 1, "error / bound = \(worst) (packed: \(packed != nil))")
        }
    }

    @Test("Direct and OpenBLAS paths agree on Dense with a fused activation and PReLU post-op")
    func denseEpilogue() throws {
        var rng = SeededRandom(seed: 42)
        let (m, k, n) = (50, 70, 33)
        let x = rng.tensor([m, k]), w = rng.tensor([k, n]), b = rng.tensor([n])
        let alpha = (0..<(2 * n)).map { _ in rng.uniform(-2, 2) }
        let post: [Ops.PostOp] = [.prelu(alpha: alpha, period: 2), .activation(.tanh)]
        let direct = try DirectGEMM.$engine.withValue(.direct) {
            try Ops.dense(input: x, kernel: w, bias: b, activation: .elu(alpha: 1), postOps: post)
        }
        let blas = try DirectGEMM.$engine.withValue(.blas) {
            try Ops.dense(input: x, kernel: w, bias: b, activation: .elu(alpha: 1), postOps: post)
        }
        // Two float32 summation orders of 70 products in [-1, 1] (see gemmRtol).
        let c = closeness(direct, blas, rtol: gemmRtol, atol: gemmAtol)
        #expect(c.ok, "\(c)")
    }

    @Test("conv2d through the direct kernel matches the naive loop", arguments: [
        // (h, w, c, kh, kw, f, sh, sw, dh, dw, same)
        (7, 6, 3, 3, 3, 4, 1, 1, 1, 1, true),
        (7, 6, 3, 3, 3, 17, 1, 1, 1, 1, false),
        (9, 8, 4, 2, 4, 6, 2, 3, 1, 1, true),
        (10, 9, 6, 3, 2, 16, 1, 2, 2, 3, true),    // dilation along the width: one segment per tap
        (10, 9, 5, 3, 3, 33, 2, 2, 2, 1, false),
        (5, 5, 8, 1, 1, 20, 1, 1, 1, 1, false),    // 1×1: the input is the matrix
        (5, 5, 8, 1, 1, 4, 2, 2, 1, 1, true),      // 1×1 strided
        (4, 4, 2, 5, 5, 3, 1, 1, 1, 1, true),      // kernel larger than the input
        (8, 8, 3, 4, 4, 16, 2, 2, 1, 1, true),     // DCGAN-style 4×4 stride 2
        (12, 11, 16, 3, 3, 32, 1, 1, 1, 1, true),
        (11, 10, 4, 9, 9, 3, 1, 1, 1, 1, true),    // SRResNet-style output: 9×9, 3 filters (narrow kernel)
        (9, 9, 70, 2, 4, 20, 2, 2, 1, 1, true),    // 280-float kernel rows, cut at 256 floats for K-blocking
    ])
    func conv2d(_ p: (Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Bool)) throws {
        var rng = SeededRandom(seed: UInt64(p.0 * 1000 + p.3 * 10 + p.5))
        let x = rng.tensor([3, p.0, p.1, p.2])
        let w = rng.tensor([p.3, p.4, p.2, p.5])
        let b = rng.tensor([p.5])
        let expected = naiveConv2d(x, w, b, strides: (p.6, p.7), same: p.10, dilation: (p.8, p.9), groups: 1)
        for packed in [nil, Ops.PackedKernel.pack(w)] {
            let y = try DirectGEMM.$engine.withValue(.direct) {
                try Ops.conv2d(input: x, kernel: w, bias: b, strides: (p.6, p.7), padding: p.10 ? .same : .valid,
                               dilation: (p.8, p.9), packedKernel: packed)
            }
            #expect(y.shape == expected.shape)
            let c = closeness(y, expected, rtol: gemmRtol, atol: gemmAtol)
            #expect(c.ok, "\(c) (packed: \(packed != nil))")
        }
    }

    @Test("conv1d with causal padding and dilation through the direct kernel equals the OpenBLAS path")
    func conv1dCausal() throws {
        var rng = SeededRandom(seed: 7)
        let x = rng.tensor([2, 19, 5]), w = rng.tensor([3, 5, 18]), b = rng.tensor([18])
        let run = { (engine: DirectGEMM.Engine) in
            try DirectGEMM.$engine.withValue(engine) {
                try Ops.conv1d(input: x, kernel: w, bias: b, padding: .causal, dilation: 2, activation: .relu)
            }
        }
        let c = closeness(try run(.direct), try run(.blas), rtol: gemmRtol, atol: gemmAtol)
        #expect(c.ok, "\(c)")
    }

    @Test("A packed kernel of another shape is not used")
    func mismatchedPackedKernel() throws {
        var rng = SeededRandom(seed: 9)
        let x = rng.tensor([4, 8]), w = rng.tensor([8, 16]), other = rng.tensor([16, 8])
        let wrong = try #require(Ops.PackedKernel.pack(other))
        let y = try DirectGEMM.$engine.withValue(.direct) { try Ops.dense(input: x, kernel: w, packedKernel: wrong) }
        let blas = try DirectGEMM.$engine.withValue(.blas) { try Ops.dense(input: x, kernel: w) }
        let c = closeness(y, blas, rtol: gemmRtol, atol: gemmAtol)
        #expect(c.ok, "\(c)")
    }

    /// A compiled layer keeps a kernel the direct kernel runs only packed (``Ops/KernelOperand/packing(_:)``): the
    /// values come back from the packing bit for bit, and every path gives the same bits as with the values kept:
    /// the direct kernel, OpenBLAS (which rebuilds the values for the call), and the im2col fallback of a huge
    /// dilation. Shapes: panel remainders (n = 40), the narrow kernel (n = 5), one Dense row (GEMV).
    @Test("A kernel kept only packed gives the values and the results of the kernel itself")
    func packedOnlyKernel() throws {
        var rng = SeededRandom(seed: 21)
        let x = rng.tensor([2, 7, 6, 9]), b40 = rng.tensor([40])
        for n in [40, 5] {
            let w = rng.tensor([3, 3, 9, n])
            let operand = Ops.KernelOperand.packing(w)
            let packed = try #require(operand.packedOnly, "not packed")
            #expect(packed.unpacked().map(\.bitPattern) == w.scalars.map(\.bitPattern))
            #expect(operand.tensor == w)
            let bias = n == 40 ? b40 : nil
            for engine in [DirectGEMM.Engine.direct, .blas] {
                let kept = try DirectGEMM.$engine.withValue(engine) {
                    try Ops.conv2d(input: x, kernel: w, bias: bias, padding: .same, activation: .relu)
                }
                let only = try DirectGEMM.$engine.withValue(engine) {
                    try Ops.conv2d(input: x, kernel: operand, bias: bias, padding: .same, activation: .relu)
                }
                #expect(bitwiseEqual(kept, only), "n \(n), \(engine): \(firstBitwiseDifference(kept, only))")
            }
            let huge = try DirectGEMM.$engine.withValue(.direct) {
                try Ops.conv2d(input: x, kernel: operand, padding: .same, dilation: (1 << 40, 1 << 40))
            }
            let hugeKept = try DirectGEMM.$engine.withValue(.direct) {
                try Ops.conv2d(input: x, kernel: w, padding: .same, dilation: (1 << 40, 1 << 40))
            }
            #expect(bitwiseEqual(huge, hugeKept), "n \(n), huge dilation: \(firstBitwiseDifference(huge, hugeKept))")
        }
        let row = rng.tensor([1, 33]), w = rng.tensor([33, 40])
        let operand = Ops.KernelOperand.packing(w)
        #expect(operand.packedOnly != nil)
        for engine in [DirectGEMM.Engine.direct, .blas] {
            let kept = try DirectGEMM.$engine.withValue(engine) { try Ops.dense(input: row, kernel: w, bias: b40) }
            let only = try DirectGEMM.$engine.withValue(engine) { try Ops.dense(input: row, kernel: operand, bias: b40) }
            #expect(bitwiseEqual(kept, only), "dense, \(engine): \(firstBitwiseDifference(kept, only))")
        }
    }

    @Test("A huge dilation does not make the direct path allocate a padded copy (it falls back to im2col)")
    func hugeDilationFallsBack() throws {
        var rng = SeededRandom(seed: 3)
        let x = rng.tensor([1, 5, 5, 2]), w = rng.tensor([3, 3, 2, 16])
        let y = try DirectGEMM.$engine.withValue(.direct) {
            try Ops.conv2d(input: x, kernel: w, padding: .same, dilation: (1 << 40, 1 << 40))
        }
        // Every tap but the centre falls outside the input: a 1×1 convolution with the centre weights.
        let centre = Tensor(shape: [1, 1, 2, 16], scalars: Array(w.scalars[(4 * 2 * 16)..<(5 * 2 * 16)]))
        let expected = naiveConv2d(x, centre, nil, strides: (1, 1), same: false, dilation: (1, 1), groups: 1)
        let c = closeness(y, expected, rtol: gemmRtol, atol: gemmAtol)
        #expect(c.ok, "\(c)")
    }

    @Test("Large outputs (streamed stores) equal the stand-alone kernels bit for bit: post-ops and Add")
    func streamedOutputs() throws {
        var rng = SeededRandom(seed: 11)
        // 2,102,100 floats, above a streaming threshold of 2^21 (this machine's own may be larger: a quarter of its
        // L3); 1,001 columns so blocks start unaligned.
        let shape = [3, 700, 1001]
        let x = rng.tensor(shape, -3, 3), other = rng.tensor(shape, -3, 3)
        let alpha = (0..<1001).map { _ in rng.uniform(-2, 2) }
        let ops: [Ops.PostOp] = [.activation(.leakyReLU(negativeSlope: 0.3)), .prelu(alpha: alpha, period: 1),
                                 .flushDenormals]
        #expect(Ops.cacheStreamingThreshold >= 1 << 21)
        let (streamed, sum) = try Ops.$streamingThresholdOverride.withValue(1 << 21) {
            #expect(Ops.streamingThreshold == 1 << 21)
            return (try Ops.applyingPostOps(ops, to: x), try Ops.add(lhs: x, rhs: other))
        }
        // The Swift vector kernels as the reference (the AVX2 ones must give the same bits).
        var expected = x
        expected.scalars.withUnsafeMutableBufferPointer { mapInPlace(LeakyReLUKernel(slope: 0.3), $0.baseAddress!, $0.count) }
        expected = try Ops.prelu(input: expected, alpha: Tensor(shape: [1001], scalars: alpha))
        #expect(streamed.shape == shape)
        #expect(streamed.scalars.map(\.bitPattern) == expected.scalars.map(\.bitPattern))
        #expect(sum.scalars.map(\.bitPattern) == zip(x.scalars, other.scalars).map { ($0 + $1).bitPattern })
    }

    /// The output pass as one program of the fused kernel (`kp_epilogue_rows`) against the same steps one pass each
    /// (the `.blas` engine's path), bit for bit: bias, the layer's activation and post-ops as the plan fuses them
    /// (BatchNormalization's scale/shift, ReLU / ReLU6 / swish / sigmoid, a residual Add, the flushes between), on
    /// rows with and without a partial last vector, with denormals, NaN, ±0 and ±inf among the values.
    @Test("fused output pass gives the bits of the step-by-step pass", arguments: [1, 8, 13, 96, 100])
    func fusedOutputPass(columns: Int) throws {
        var rng = SeededRandom(seed: 31)
        let rows = 37, count = rows * columns
        let tiny = Float.leastNormalMagnitude / 64
        // The least normal and its neighbours too (a ReLU after a flush is one compare against it).
        let least = Float.leastNormalMagnitude
        let special: [Float] = [tiny, -tiny, 0, -0.0, .nan, .infinity, -.infinity, 7, 6, -1e-38, 90, -95,
                                least, -least, least.nextDown, least.nextUp, Float(6).nextDown]
        func values(_ n: Int) -> [Float] {
            (0..<n).map { i in i % 5 == 0 ? special[(i / 5) % special.count] : rng.uniform(-8, 8) }
        }
        // Scales that make some products denormal; shifts that cancel some values to ±0.
        let scale = (0..<columns).map { $0 % 3 == 0 ? Float(1e-30) : rng.uniform(-2, 2) }
        let shift = values(columns)
        let bias = Tensor(shape: [columns], scalars: values(columns))
        let residual = Tensor(shape: [rows, columns], scalars: values(count))
        let bn = Ops.PostOp.scaleShift(scale: scale, shift: shift)
        let relu6 = Ops.Activation.reluGeneral(negativeSlope: 0, maxValue: 6, threshold: 0, thresholdForm: .multiply)
        // (bias, the layer's activation, post-ops, whether the fused kernel has a program for it): the sequences the
        // plan makes (a flush at each layer boundary and at the end), and three it does not (no final flush, an
        // activation between bias and BatchNormalization), which must keep the step-by-step path.
        let cases: [(Tensor?, Ops.Activation, [Ops.PostOp], Bool)] = [
            (nil, .linear, [.flushDenormals, bn, .flushDenormals, .activation(relu6), .flushDenormals], true),
            (bias, .relu, [.flushDenormals], true),
            (nil, .linear, [.flushDenormals, bn, .flushDenormals, .addTensor(residual), .flushDenormals, .activation(.relu), .flushDenormals], true),
            (bias, .linear, [.flushDenormals, bn, .flushDenormals, .addTensor(residual), .flushDenormals, .activation(.swish), .flushDenormals], true),
            (nil, .linear, [.flushDenormals, bn, .flushDenormals, .activation(.swish), .flushDenormals], true),
            (nil, .linear, [.flushDenormals, bn, .flushDenormals, .activation(.hardSilu), .flushDenormals], true),
            (bias, .sigmoid, [.flushDenormals], true),
            (bias, .linear, [.flushDenormals, .activation(.relu6), .flushDenormals], true),
            (nil, .linear, [.flushDenormals, bn, .flushDenormals, .addTensor(residual), .flushDenormals], true),
            (bias, .swish, [.flushDenormals, bn, .flushDenormals], false),
            (bias, .relu6, [.addTensor(residual)], false),
            (nil, .linear, [.flushDenormals, bn, .flushDenormals, .activation(.reluGeneral(negativeSlope: 0, maxValue: nil, threshold: 0, thresholdForm: .multiply))], false),
        ]
        let x = values(count)
        for (i, (b, activation, post, fusable)) in cases.enumerated() {
            #expect((Ops.FusedEpilogue(bias: b, activation: activation, postOps: post, columns: columns) != nil) == fusable,
                    "case \(i)")
            var fused = x, stepwise = x
            for first in [0, 5] {   // the whole buffer, then rows from 5 on as a later piece of the output
                fused = x; stepwise = x
                fused.withUnsafeMutableBufferPointer { p in
                    DirectGEMM.$engine.withValue(.direct) {
                        Ops.epilogue(p.baseAddress! + first * columns, rows: rows - first, columns: columns, bias: b,
                                     activation: activation, postOps: post, firstRow: first, parallel: false)
                    }
                }
                stepwise.withUnsafeMutableBufferPointer { p in
                    DirectGEMM.$engine.withValue(.blas) {
                        Ops.epilogue(p.baseAddress! + first * columns, rows: rows - first, columns: columns, bias: b,
                                     activation: activation, postOps: post, firstRow: first, parallel: false)
                    }
                }
                let differing = zip(fused, stepwise).filter { $0.bitPattern != $1.bitPattern }.count
                #expect(differing == 0, "case \(i), first row \(first): \(differing) of \(count) values differ")
                #expect(fused != x || count == 0, "case \(i): the pass changed nothing")
            }
        }
        // A stand-alone BatchNormalization + ReLU / swish (DenseNet's, ResNetV2's): `applyingPostOps` runs the fused
        // program per block from the input into the result; the same bits as the step-by-step path, input untouched.
        let input = Tensor(shape: [rows, columns], scalars: x)
        for post: [Ops.PostOp] in [[bn, .flushDenormals, .activation(.relu), .flushDenormals],
                                   [bn, .flushDenormals, .activation(.swish), .flushDenormals], [bn, .flushDenormals]] {
            #expect(Ops.FusedEpilogue(bias: nil, activation: .linear, postOps: post, columns: columns) != nil)
            let fused = try DirectGEMM.$engine.withValue(.direct) { try Ops.applyingPostOps(post, to: input) }
            let stepwise = try DirectGEMM.$engine.withValue(.blas) { try Ops.applyingPostOps(post, to: input) }
            #expect(zip(fused.scalars, stepwise.scalars).allSatisfy { $0.bitPattern == $1.bitPattern })
            #expect(zip(input.scalars, x).allSatisfy { $0.bitPattern == $1.bitPattern }, "the pass wrote to its input")
        }
        if columns == 96 {
            // An output large enough to be written with streaming stores from a scratch block (≥ 2 Mi values).
            let big = Tensor(shape: [22_000, columns], scalars: (0..<(22_000 * columns)).map { x[$0 % x.count] })
            let post: [Ops.PostOp] = [bn, .flushDenormals, .activation(.relu), .flushDenormals]
            let fused = try DirectGEMM.$engine.withValue(.direct) { try Ops.applyingPostOps(post, to: big) }
            let stepwise = try DirectGEMM.$engine.withValue(.blas) { try Ops.applyingPostOps(post, to: big) }
            #expect(zip(fused.scalars, stepwise.scalars).allSatisfy { $0.bitPattern == $1.bitPattern })
        }
        // Steps without a form in the fused kernel keep the step-by-step path.
        #expect(Ops.FusedEpilogue(bias: nil, activation: .linear, postOps: [.prelu(alpha: Array(repeating: 0.2, count: columns), period: 1)], columns: columns) == nil)
        #expect(Ops.FusedEpilogue(bias: nil, activation: .gelu(approximate: false), postOps: [], columns: columns) == nil)
    }

    /// The flush before a BatchNormalization's scale/shift is left out of the fused program only for operands where it
    /// cannot change a value (``Ops/flushBeforeScaleShiftIsRedundant(scale:shift:reluFollows:)``; zero shifts only
    /// where a flush and a ReLU / ReLU6 follow): the program without it gives the bits of the step-by-step pass (which
    /// flushes) on denormals, the least normal's neighbours, ±0, NaN and ±∞, with the operands at the bounds of the
    /// condition, before a ReLU / ReLU6, a swish, a residual Add or nothing; operands just past them keep it.
    @Test("a flush before scale/shift is left out only where it cannot change a value")
    func redundantFlushBeforeScaleShift() throws {
        #expect(Ops.flushBeforeScaleShiftIsRedundant(scale: [1, -1, 0x1p20, -0x1p20, 0.5], shift: [0, -0.0, 0x1p-80, -0x1p-80, 3]))
        // x = ¾·2⁻¹²⁶ (denormal) times 2 is normal: with t = 0 the flush decides between +0 and 1.5·2⁻¹²⁶.
        #expect(!Ops.flushBeforeScaleShiftIsRedundant(scale: [2], shift: [0]))
        #expect(!Ops.flushBeforeScaleShiftIsRedundant(scale: [1], shift: [0x1p-81]))
        #expect(!Ops.flushBeforeScaleShiftIsRedundant(scale: [0x1p21], shift: [1]))
        #expect(!Ops.flushBeforeScaleShiftIsRedundant(scale: [.nan], shift: [1]))
        #expect(!Ops.flushBeforeScaleShiftIsRedundant(scale: [1], shift: [.infinity]))
        #expect(!Ops.flushBeforeScaleShiftIsRedundant(scale: [.nan], shift: [0]))
        #expect(!Ops.flushBeforeScaleShiftIsRedundant(scale: [-.infinity], shift: [-0.0]))
        #expect(!Ops.flushBeforeScaleShiftIsRedundant(scale: [1], shift: [.nan]))
        // Without a ReLU after it, a zero shift keeps the flush: x·s + 0 for a denormal x is a denormal (flushed to a
        // zero of x·s's sign) where the flushed path gives ±0·s + 0 = +0 for x < 0 < s.
        #expect(Ops.flushBeforeScaleShiftIsRedundant(scale: [0x1p20, -0x1p20, 0.5], shift: [0x1p-80, -0x1p-80, 3],
                                                     reluFollows: false))
        #expect(!Ops.flushBeforeScaleShiftIsRedundant(scale: [1, 0.5], shift: [0, 3], reluFollows: false))
        #expect(!Ops.flushBeforeScaleShiftIsRedundant(scale: [0.5, 1], shift: [3, -0.0], reluFollows: false))
        #expect(!Ops.flushBeforeScaleShiftIsRedundant(scale: [1], shift: [0x1p-81], reluFollows: false))
        #expect(!Ops.flushBeforeScaleShiftIsRedundant(scale: [0x1p21], shift: [1], reluFollows: false))
        // One channel of many that fails, first or last.
        #expect(!Ops.flushBeforeScaleShiftIsRedundant(scale: [Float](repeating: 0.5, count: 99) + [2],
                                                      shift: [Float](repeating: 0, count: 100)))
        #expect(!Ops.flushBeforeScaleShiftIsRedundant(scale: [Float](repeating: 0.5, count: 100),
                                                      shift: [0x1p-81] + [Float](repeating: 1, count: 99)))
        var rng = SeededRandom(seed: 71)
        let columns = 21, rows = 40
        let least = Float.leastNormalMagnitude
        let special: [Float] = [least / 64, -least / 64, least * 0.75, -least * 0.75, least.nextDown, -least.nextDown,
                                least, least.nextUp, 0, -0.0, .nan, .infinity, -.infinity, 6, Float(6).nextUp]
        let x = (0..<(rows * columns)).map { i in i % 3 == 0 ? special[(i / 3) % special.count] : rng.uniform(-8, 8) }
        let scale = (0..<columns).map { j -> Float in [1, -1, 0x1p20, -0x1p20, 0.75, rng.uniform(-1, 1), 0][j % 7] }
        let shift = (0..<columns).map { j -> Float in
            j % 7 < 2 || j % 7 == 6 ? (j % 2 == 0 ? 0 : -0.0) : [0x1p-80, -0x1p-80, 2.5, -1][j % 4]
        }
        #expect(Ops.flushBeforeScaleShiftIsRedundant(scale: scale, shift: shift))
        let bn = Ops.PostOp.scaleShift(scale: scale, shift: shift)
        // `x` through the pass `post`: fused (the direct engine) or step by step (`.blas`).
        func passed(_ post: [Ops.PostOp], _ engine: DirectGEMM.Engine) -> [Float] {
            var v = x
            v.withUnsafeMutableBufferPointer { p in
                DirectGEMM.$engine.withValue(engine) {
                    Ops.epilogue(p.baseAddress!, rows: rows, columns: columns, bias: nil, activation: .linear,
                                 postOps: post, firstRow: 0, parallel: false)
                }
            }
            return v
        }
        for activation in [Ops.Activation.relu6, .relu] {
            let post: [Ops.PostOp] = [.flushDenormals, bn, .flushDenormals, .activation(activation), .flushDenormals]
            let fused = try #require(Ops.FusedEpilogue(bias: nil, activation: .linear, postOps: post, columns: columns))
            // Without the flush: the depthwise kernel's pass 2 (ReLU6) or 4 (ReLU), not 1 / 3.
            #expect(fused.depthwisePass == (activation == .relu6 ? 2 : 4))
            let (a, b) = (passed(post, .direct), passed(post, .blas))
            let differing = zip(a, b).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(differing == 0, "\(activation): \(differing) values differ")
        }
        // Operands past the bounds keep the flush (pass 1: ReLU6 with it).
        let kept = [Ops.PostOp.flushDenormals, .scaleShift(scale: scale.map { $0 * 2 }, shift: shift), .flushDenormals,
                    .activation(.relu6), .flushDenormals]
        #expect(Ops.FusedEpilogue(bias: nil, activation: .linear, postOps: kept, columns: columns)?.depthwisePass == 1)
        // No zero shift: the flush goes before anything (the GEMM tiles' forms 10–12 have none; 1, 6, 9 keep it).
        let nonzero = shift.enumerated().map { j, t in t == 0 ? (j % 2 == 0 ? Float(0x1p-80) : -0x1p-80) : t }
        let residual = Tensor(shape: [rows, columns], scalars: (0..<(rows * columns)).map { i in
            i % 5 == 0 ? special[(i / 5) % special.count] : rng.uniform(-2, 2) })
        let f = Ops.PostOp.flushDenormals
        for (after, withFlush, without) in [([Ops.PostOp](), Int32(1), Int32(10)), ([.addTensor(residual), f], 6, 11),
                                            ([.activation(.swish), f], 9, 12)] {
            for (t, form) in [(nonzero, without), (shift, withFlush)] {
                let post = [f, .scaleShift(scale: scale, shift: t), f] + after
                let fused = try #require(Ops.FusedEpilogue(bias: nil, activation: .linear, postOps: post, columns: columns))
                #expect(fused.tilePass == form, "\(after): tile pass \(fused.tilePass), expected \(form)")
                let (a, b) = (passed(post, .direct), passed(post, .blas))
                let differing = zip(a, b).filter { $0.bitPattern != $1.bitPattern }.count
                #expect(differing == 0, "\(after), tile pass \(form): \(differing) values differ")
            }
        }
    }

    @Test("LeakyReLU, PReLU, scale/shift and Add with their denormal flushes, each one pass, give the bits of the separate steps",
          arguments: [[2, 6, 37], [3, 700, 1001], [700_001, 3]])   // the last two are streamed; rows of 3 < a vector
    func fusedFlushes(shape: [Int]) throws {
        var rng = SeededRandom(seed: 29)
        let count = shape.reduce(1, *), columns = shape.last!
        // Values whose PReLU or sum is denormal, denormal inputs of both signs, NaN, ±0 and ±inf among normal ones.
        let tiny = Float.leastNormalMagnitude / 128   // denormal
        let special: [Float] = [tiny, -tiny, 0, -0.0, .nan, .infinity, -.infinity, -1e-38, 1.5e-38, -20 * tiny]
        func values() -> [Float] {
            (0..<count).map { i in i % 7 == 0 ? special[(i / 7) % special.count] : rng.uniform(-3, 3) }
        }
        let x = Tensor(shape: shape, scalars: values()), y = Tensor(shape: shape, scalars: values())
        let period = 3
        var alpha = (0..<(period * columns)).map { _ in rng.uniform(-2, 2) }
        alpha[0] = 0.01; alpha[1] = 1e-3   // alpha · (−1e-38) and alpha · (−1.5e-38) are denormal
        // Alpha row 2 has an infinity and a NaN (the kernel's general form; rows 0 and 1 take the finite-alpha form).
        alpha[2 * columns + 1] = .infinity; alpha[2 * columns + 2] = -.nan
        func flushed(_ v: Float, positive: Bool) -> Float {
            guard v.isSubnormal else { return v }
            return positive ? 0 : (v.sign == .minus ? -0.0 : 0)
        }
        func relu(_ v: Float) -> Float { v <= 0 ? 0 : v }

        let ops: [Ops.PostOp] = [.prelu(alpha: alpha, period: period), .flushDenormalsToPositiveZero, .flushDenormals]
        let out = try Ops.applyingPostOps(ops, to: x)
        let expected = x.scalars.enumerated().map { i, v -> Float in
            let a = alpha[((i / columns) % period) * columns + i % columns]
            let p = v.isNaN ? v : relu(v) + (-a) * relu(-v)
            return flushed(p, positive: true)
        }
        #expect(differingBits(out.scalars, expected) == 0)
        // PReLU alone (no flush after it: a fused Dense/conv output pass, or a plan whose next step flushes).
        let alone = try Ops.applyingPostOps([.prelu(alpha: alpha, period: period)], to: x)
        let expectedAlone = x.scalars.enumerated().map { i, v -> Float in
            let a = alpha[((i / columns) % period) * columns + i % columns]
            return v.isNaN ? v : relu(v) + (-a) * relu(-v)
        }
        #expect(differingBits(alone.scalars, expectedAlone) == 0)

        // LeakyReLU and its flush (a stand-alone LeakyReLU layer).
        let leaky = try Ops.applyingPostOps([.activation(.leakyReLU(negativeSlope: 0.3)), .flushDenormals], to: x)
        let expectedLeaky = x.scalars.map { v in flushed(v > 0 ? v : v * 0.3, positive: false) }
        #expect(differingBits(leaky.scalars, expectedLeaky) == 0)

        // BatchNormalization's scale/shift and its flush: products and sums that land on denormals and on −0.
        var scale = (0..<columns).map { _ in rng.uniform(-2, 2) }, shift = (0..<columns).map { _ in rng.uniform(-1, 1) }
        scale[0] = 1e-3; shift[0] = 0; scale[1] = -1; shift[1] = 0
        let bn = try Ops.applyingPostOps([.scaleShift(scale: scale, shift: shift), .flushDenormals], to: x)
        let expectedBN = x.scalars.enumerated().map { i, v in flushed(v * scale[i % columns] + shift[i % columns], positive: false) }
        #expect(differingBits(bn.scalars, expectedBN) == 0)

        let sum = try Ops.addFlushingDenormals(inputs: [x, y])
        let expectedSum = zip(x.scalars, y.scalars).map { flushed($0 + $1, positive: false) }
        #expect(differingBits(sum.scalars, expectedSum) == 0)
        #expect(sum.scalars.contains { $0 == 0 && $0.sign == .minus }, "the test should reach a negative zero")

        // Shapes that broadcast, and three inputs: the sum, then the flush.
        let row = Tensor(shape: [columns], scalars: Array(y.scalars.prefix(columns)))
        let broadcastSum = try Ops.addFlushingDenormals(inputs: [x, row, y])
        let expectedBroadcast = x.scalars.indices.map { i in
            flushed((x.scalars[i] + row.scalars[i % columns]) + y.scalars[i], positive: false)
        }
        #expect(differingBits(broadcastSum.scalars, expectedBroadcast) == 0)
    }

    /// The kernels for the edges of the output (the rows after the last whole 6-row tile, up to 8 vectors of 8 columns
    /// at a time, and a last panel of 8 columns or fewer, 12 rows at a time) against the 6 × 16 tile alone, bit for
    /// bit: the same product with its rows rounded up to a multiple of 6 (more rows of A) and its columns to a
    /// multiple of 16 (zero columns of B) has no edges, and its first m rows and n columns must be the same sums.
    /// Shapes: k = 1…40 and k above the 256-float K block (the later blocks add to C), n with a last panel of 8, of 4
    /// and of 12 columns, m from 1 to 61, plain matrices and a convolution's geometry (segments, rows crossing images).
    @Test("edge kernels give the bits of the 6 × 16 tile", arguments: [13, 16, 20, 24, 28, 40, 56, 72, 88, 130])
    func edgeKernels(n: Int) throws {
        var rng = SeededRandom(seed: UInt64(n))
        let ks = Array(1...40) + [255, 300, 600]
        let ms = [1, 2, 3, 4, 5, 7, 11, 12, 13, 17, 49, 61]
        var checked = 0
        for (index, k) in ks.enumerated() {
            let m = ms[index % ms.count], padded = (m + 5) / 6 * 6
            let wide = (n + 15) / 16 * 16
            let w = (0..<(k * n)).map { _ in rng.uniform() }
            var wPadded = [Float](repeating: 0, count: k * wide)
            for r in 0..<k { for j in 0..<n { wPadded[r * wide + j] = w[r * n + j] } }
            let b = w.withUnsafeBufferPointer { Ops.PackedKernel($0.baseAddress!, k: k, n: n, ldb: n) }
            let bPadded = wPadded.withUnsafeBufferPointer {
                Ops.PackedKernel($0.baseAddress!, k: k, n: wide, ldb: wide)
            }
            // A plain matrix (k floats a row), and a convolution-like geometry: rows of 5 pixels, 3 rows an image,
            // two segments a pixel (k split in two pieces 11 floats apart in a row of 7 + k floats per pixel).
            let first = (k + 1) / 2
            let conv = DirectGEMM.Geometry(outH: 3, outW: 5, imageStride: 17 * (7 + k) * 5, rowStride: 5 * (7 + k) + 3,
                                           colStride: 7 + k, segmentOffsets: [0, first + 11],
                                           segmentLengths: [first, k - first])
            for geometry in [DirectGEMM.Geometry.matrix(rows: padded, k: k, lda: k), conv] {
                let extent = geometry.outW == padded ? padded * k : (padded / 15 + 1) * geometry.imageStride + 1
                let a = (0..<extent).map { _ in rng.uniform() }
                var c = [Float](repeating: .nan, count: m * n)
                var reference = [Float](repeating: .nan, count: padded * wide)
                a.withUnsafeBufferPointer { a in
                    c.withUnsafeMutableBufferPointer { c in
                        DirectGEMM.multiply(a: a.baseAddress!, geometry: geometry, m: m, b: b, c: c.baseAddress!,
                                            ldc: n, pass: .none)
                    }
                    reference.withUnsafeMutableBufferPointer { r in
                        DirectGEMM.multiply(a: a.baseAddress!, geometry: geometry, m: padded, b: bPadded,
                                            c: r.baseAddress!, ldc: wide, pass: .none)
                    }
                }
                var differing = 0
                for i in 0..<m { for j in 0..<n where c[i * n + j].bitPattern != reference[i * wide + j].bitPattern {
                    differing += 1
                } }
                let kind = geometry.outW == padded ? "matrix" : "convolution"
                #expect(differing == 0, "m \(m), k \(k), n \(n), \(kind): \(differing) values differ")
                checked += m * n
            }
        }
        #expect(checked > 0)
    }

    /// The K chains fix the rounding (each chain's sum is added to C after the one before), so they are pinned here:
    /// every output is, bit for bit, the FMA chain over each chain's steps of k in order from zero, the chains' sums
    /// added one after the other, a chain being the segments (DirectGEMM cuts them to at most 256 floats) grouped
    /// greedily up to 256 floats (a plain matrix's segments are 256 floats: 728 = 256 + 256 + 216; a 3 × 3 window
    /// over 37 channels has segments of 111: chains 222 + 111). kp_gemm runs several chains per K pass (up to 768
    /// floats where k fits in that, else 512), each kernel adding a chain's sum to C where it ends; chains of up to
    /// 768 / 512 floats instead were 2–3 % faster on Xception and ResNet50 (round 28) but carry more rounding: one
    /// real-world model (RegNetX320, Keras 2) then left the parity bound against Keras (max |Δ| 1.54e-4). Shapes:
    /// 12-row tiles with the 13-row one and edges, the column split (few rows) and the row split, a last partial
    /// panel, rows 4 KiB apart (k = 1024, 2048: the tiles read a copy of them), and convolution windows (segments of
    /// 111, and of 300 cut into 256 + 44).
    @Test("each output is its K chains' FMA chains, added chain after chain", arguments: [
        (25, 728, 40, 0), (13, 768, 32, 0), (30, 769, 48, 0), (49, 1100, 136, 0), (200, 1100, 24, 0),
        (12, 1536, 16, 0), (26, 1024, 40, 0), (14, 2048, 32, 0), (49, 333, 40, 37), (49, 900, 24, 100),
    ])
    func sliceChains(m: Int, k: Int, n: Int, channels: Int) throws {
        var rng = SeededRandom(seed: UInt64(m * 7 + k))
        // A plain matrix, or 7 × 7 outputs of a 3 × 3 window over a 9 × 9 × channels input (k = 9 · channels).
        let geometry = channels == 0
            ? DirectGEMM.Geometry.matrix(rows: m, k: k, lda: k)
            : DirectGEMM.Geometry(outH: 7, outW: 7, imageStride: 81 * channels, rowStride: 9 * channels,
                                  colStride: channels, segmentOffsets: [0, 9 * channels, 18 * channels],
                                  segmentLengths: [3 * channels, 3 * channels, 3 * channels])
        let extent = channels == 0 ? m * k : 81 * channels
        let a = (0..<extent).map { _ in rng.uniform() }, w = (0..<(k * n)).map { _ in rng.uniform() }
        let b = w.withUnsafeBufferPointer { Ops.PackedKernel($0.baseAddress!, k: k, n: n, ldb: n) }
        // With the AVX-512 tiles where this machine has them (kernelWidths), and with the AVX2 ones.
        var c = [Float](repeating: .nan, count: m * n), narrow = c
        a.withUnsafeBufferPointer { a in
            c.withUnsafeMutableBufferPointer { c in
                DirectGEMM.multiply(a: a.baseAddress!, geometry: geometry, m: m, b: b, c: c.baseAddress!, ldc: n,
                                    pass: .none)
            }
            narrow.withUnsafeMutableBufferPointer { c in
                DirectGEMM.multiply(a: a.baseAddress!, geometry: geometry, m: m, b: b, c: c.baseAddress!, ldc: n,
                                    wideTiles: false, pass: .none)
            }
        }
        // The segments as DirectGEMM cuts them (at most 256 floats), then the chains: greedily up to 256 floats.
        var pieces: [Range<Int>] = []   // offsets from a row's base
        for (offset, length) in (0..<geometry.segmentCount).map(geometry.segment) {
            for start in stride(from: 0, to: length, by: 256) {
                pieces.append((offset + start)..<(offset + min(start + 256, length)))
            }
        }
        var chains: [[Range<Int>]] = [], run = 0
        for piece in pieces {
            if chains.isEmpty || run + piece.count > 256 {
                chains.append([])
                run = 0
            }
            chains[chains.count - 1].append(piece)
            run += piece.count
        }
        #expect(chains.flatMap { $0 }.reduce(0) { $0 + $1.count } == k)
        var expected = [Float](repeating: 0, count: m * n)
        for i in 0..<m {
            let (ow, q) = (i % geometry.outW, i / geometry.outW)
            let base = (q / geometry.outH) * geometry.imageStride + (q % geometry.outH) * geometry.rowStride
                + ow * geometry.colStride
            for j in 0..<n {
                var total: Float = 0, kk = 0
                for (index, chain) in chains.enumerated() {
                    var sum: Float = 0
                    for piece in chain {
                        for e in piece {
                            sum = sum.addingProduct(a[base + e], w[kk * n + j])
                            kk += 1
                        }
                    }
                    total = index == 0 ? sum : total + sum
                }
                expected[i * n + j] = total
            }
        }
        #expect(differingBits(c, expected) == 0, "m \(m), k \(k), n \(n), channels \(channels)")
        #expect(differingBits(narrow, expected) == 0, "m \(m), k \(k), n \(n), channels \(channels): AVX2 tiles")
    }

    /// A geometry of one segment held without arrays (`run`: the 1×1 convolution's pixel of the band-fused blocks, a
    /// matrix row up to 256 floats) multiplies as the same segment in lists, bit for bit: segments up to 256 floats,
    /// over 256 (cut into 256-float pieces as the lists' are), and the narrow kernel (fewer than 12 columns, B
    /// transposed, which takes the segment uncut), with the AVX-512 tiles where this machine has them and the AVX2
    /// ones.
    @Test("a one-segment geometry without arrays equals the same segment in lists", arguments: [
        (30, 16, 40), (25, 256, 24), (49, 257, 72), (37, 728, 40), (13, 300, 8), (40, 96, 5),
    ])
    func runLengthGeometry(m: Int, k: Int, n: Int) throws {
        var rng = SeededRandom(seed: UInt64(m * 13 + k * 3 + n))
        let a = (0..<(m * k)).map { _ in rng.uniform() }, w = (0..<(k * n)).map { _ in rng.uniform() }
        let b = w.withUnsafeBufferPointer { Ops.PackedKernel($0.baseAddress!, k: k, n: n, ldb: n) }
        let run = DirectGEMM.Geometry.pointwise(rows: m, channels: k)
        let listed = DirectGEMM.Geometry(outH: 1, outW: m, imageStride: 0, rowStride: 0, colStride: k,
                                         segmentOffsets: [0], segmentLengths: [k])
        #expect(run.segmentOffsets.isEmpty && run.k == k && run.segmentCount == 1)
        for wide in [true, false] {
            func product(_ g: DirectGEMM.Geometry) -> [Float] {
                var c = [Float](repeating: .nan, count: m * n)
                a.withUnsafeBufferPointer { a in
                    c.withUnsafeMutableBufferPointer { c in
                        DirectGEMM.multiply(a: a.baseAddress!, geometry: g, m: m, b: b, c: c.baseAddress!, ldc: n,
                                            wideTiles: wide && Ops.wideArithmetic, pass: .none)
                    }
                }
                return c
            }
            let x = product(run), y = product(listed)
            #expect(!x.contains { $0.isNaN })
            #expect(differingBits(x, y) == 0, "m \(m), k \(k), n \(n), wide \(wide)")
        }
    }

    /// kp_gemm with its prefetch of the next K slice (taken where a block has at least 4 whole tiles) and the edge
    /// rows computed before a slice's tiles, against each row computed alone (one row: the 1-row edge kernel, no tiles,
    /// no prefetch), bit for bit: several K slices (k = 1100: 256 · 4 + 76), one and several 288-row blocks (the
    /// prefetch of the next block's first slice), rows past the last whole tile, a last panel of 8 columns, the
    /// column split (m ≤ 1024, fewer than `rowSplitMinTilesPerCore` tiles per core: m = 49, and 186 rows on two
    /// cores), the row split in one chunk per core (m ≤ 1024 with more tiles: 192 rows, Xception's 361 rows with
    /// K = 728 in three slices, 611) and in four (m > 1024, or few panels), and a convolution's geometry (a 3 × 3
    /// window over 37 channels, segments of 111 floats).
    @Test("products with the next-slice prefetch equal the rows computed alone", arguments: [
        (49, 1100, 136), (361, 600, 40), (611, 1100, 72), (1100, 520, 24), (186, 64, 72), (192, 64, 72),
        (361, 728, 104),
    ])
    func prefetchedSlices(m: Int, k: Int, n: Int) throws {
        var rng = SeededRandom(seed: UInt64(m * 31 + n))
        let w = (0..<(k * n)).map { _ in rng.uniform() }
        let b = w.withUnsafeBufferPointer { Ops.PackedKernel($0.baseAddress!, k: k, n: n, ldb: n) }
        let matrix = DirectGEMM.Geometry.matrix(rows: m, k: k, lda: k)
        var geometries = [(matrix, m * k, b)]
        if m == 49 {
            // 7 × 7 outputs of a 3 × 3 window over a 9 × 9 × 37 input: k = 333.
            let kc = 3 * 3 * 37
            let wc = (0..<(kc * n)).map { _ in rng.uniform() }
            let bc = wc.withUnsafeBufferPointer { Ops.PackedKernel($0.baseAddress!, k: kc, n: n, ldb: n) }
            let conv = DirectGEMM.Geometry(outH: 7, outW: 7, imageStride: 81 * 37, rowStride: 9 * 37, colStride: 37,
                                           segmentOffsets: [0, 9 * 37, 18 * 37], segmentLengths: [111, 111, 111])
            geometries.append((conv, 81 * 37, bc))
        }
        for (geometry, extent, packed) in geometries {
            let a = (0..<extent).map { _ in rng.uniform() }
            var c = [Float](repeating: .nan, count: m * n), rows = c, byRows = c
            a.withUnsafeBufferPointer { a in
                c.withUnsafeMutableBufferPointer { c in
                    DirectGEMM.multiply(a: a.baseAddress!, geometry: geometry, m: m, b: packed, c: c.baseAddress!,
                                        ldc: n, pass: .none)
                }
                rows.withUnsafeMutableBufferPointer { c in
                    DirectGEMM.multiply(a: a.baseAddress!, geometry: geometry, m: m, b: packed, c: c.baseAddress!,
                                        ldc: n, splitColumns: false, pass: .none)
                }
                byRows.withUnsafeMutableBufferPointer { c in
                    for i in 0..<m {
                        // Row i alone: the same geometry with its row bases moved to row i's.
                        var g = geometry
                        let (ow, q) = (i % g.outW, i / g.outW)
                        let base = (q / g.outH) * g.imageStride + (q % g.outH) * g.rowStride + ow * g.colStride
                        g.outH = 1
                        g.outW = 1
                        DirectGEMM.multiply(a: a.baseAddress! + base, geometry: g, m: 1, b: packed,
                                            c: c.baseAddress! + i * n, ldc: n, pass: .none)
                    }
                }
            }
            #expect(differingBits(c, byRows) == 0, "m \(m), k \(packed.k), n \(n): split as chosen vs rows alone")
            #expect(differingBits(rows, byRows) == 0, "m \(m), k \(packed.k), n \(n): rows split vs rows alone")
            #expect(!byRows.contains { $0.isNaN })
        }
    }

    /// The 12-row AVX-512 tiles (12 × 32, and 12 × 16 for a group's odd last panel, masked stores for a last panel of
    /// 1–15 columns, where the AVX2 path takes a last panel of 8 or fewer 12 × 8 at a time), the AVX-512 edge
    /// kernels (the 2–11 rows after the last 12-row tile, up to 24 / rows panels at a time) and the 13-row tiles (one
    /// row after the last 12-row tile goes with it: m = 13, 25, 49, 97, 361) against the 6 × 16 AVX2 tile and its
    /// edges, bit for bit, whatever `Ops.wideArithmetic` chose for this machine: every row rest 1…11, odd
    /// and even panel counts, partial last panels (4, 8, 12 columns), one and several K slices (the accumulate into
    /// C), a convolution geometry, both splits.
    @Test("the 12-row AVX-512 tiles give the 6 × 16 tile's values bit for bit", .enabled(if: Ops.avx512Available,
          "this CPU has no AVX-512F"), arguments: [
        (12, 7, 32), (13, 300, 16), (18, 64, 48), (25, 256, 44), (49, 333, 136), (97, 1100, 40), (361, 728, 104),
        (611, 520, 72), (1100, 64, 24), (300, 40, 200), (13, 300, 200), (35, 70, 100), (22, 33, 520), (7, 20, 24),
        (2, 40, 136), (3, 256, 48), (4, 100, 100), (5, 64, 40), (9, 30, 264), (16, 50, 72), (20, 64, 56),
    ])
    func wideTiles(m: Int, k: Int, n: Int) throws {
        var rng = SeededRandom(seed: UInt64(m * 131 + k * 7 + n))
        let w = (0..<(k * n)).map { _ in rng.uniform(-1, 1) }
        let b = w.withUnsafeBufferPointer { Ops.PackedKernel($0.baseAddress!, k: k, n: n, ldb: n) }
        var geometries = [(DirectGEMM.Geometry.matrix(rows: m, k: k, lda: k + 3), m * (k + 3))]
        if k == 333 {
            // 7 × 7 outputs of a 3 × 3 window over a 9 × 9 × 37 input.
            geometries.append((DirectGEMM.Geometry(outH: 7, outW: 7, imageStride: 81 * 37, rowStride: 9 * 37,
                                                   colStride: 37, segmentOffsets: [0, 9 * 37, 18 * 37],
                                                   segmentLengths: [111, 111, 111]), 81 * 37))
        }
        for (geometry, extent) in geometries {
            let a = (0..<extent).map { _ in rng.uniform(-1, 1) }
            // The wide tiles with a last panel of ≤ 8 columns beside the one before it (a 12 × 32 tile) and apart
            // (on the 12 × 8 AVX2 tile).
            for splitColumns in [true, false] {
                for apart in [false, true] {
                    var narrow = [Float](repeating: .nan, count: m * n), wide = narrow
                    a.withUnsafeBufferPointer { a in
                        for (useWide, out) in [(false, 0), (true, 1)] {
                            var c = [Float](repeating: .nan, count: m * n)
                            c.withUnsafeMutableBufferPointer { c in
                                Ops.$narrowPanelsApart.withValue(apart) {
                                    DirectGEMM.multiply(a: a.baseAddress!, geometry: geometry, m: m, b: b,
                                                        c: c.baseAddress!, ldc: n, splitColumns: splitColumns,
                                                        wideTiles: useWide, pass: .none)
                                }
                            }
                            if out == 0 { narrow = c } else { wide = c }
                        }
                    }
                    #expect(differingBits(narrow, wide) == 0,
                            "m \(m), k \(k), n \(n), split columns \(splitColumns), apart \(apart)")
                    #expect(!wide.contains { $0.isNaN }, "m \(m), k \(k), n \(n): an output not written")
                }
            }
        }
    }
}

extension DirectGEMMTests {
    @Test("rows of A alias in L1 where more than 8 of a tile's rows start in one 64-byte-line set")
    func rowsAlias() {
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: 13 * 2064 + 64)
        defer { buffer.deallocate() }
        func alias(stride: Int, rows: Int = 12, offset: Int = 0) -> Bool {
            let bases: [UnsafePointer<Float>?] = (0..<rows).map { UnsafePointer(buffer + $0 * stride) }
            return bases.withUnsafeBufferPointer { kp_gemm_rows_alias($0.baseAddress!, offset, Int32(rows)) != 0 }
        }
        #expect(alias(stride: 1024), "rows 4 KiB apart: all twelve in one set")
        #expect(alias(stride: 2048, rows: 13, offset: 5), "rows 8 KiB apart, 13 of them, from an offset")
        #expect(!alias(stride: 1040), "rows 4,160 bytes apart: one per set")
        #expect(!alias(stride: 512), "rows 2 KiB apart: six in each of two sets")
        #expect(!alias(stride: 1024, rows: 8), "eight rows fit the eight ways of a set")
    }

    /// Where a wide tile's rows alias in L1 it reads a copy of them (each K slice's segments one after the other),
    /// which must hold the same values in the same order of k: products whose rows are 4 or 8 KiB apart (Dense rows,
    /// a 1 × 1 convolution at stride 2 over 512 channels, a window of two segments per slice, the 13-row tile) give
    /// the 6 × 16 AVX2 tile's values (which reads the rows where they are) bit for bit.
    @Test("the wide tiles over rows that alias in L1 give the 6 × 16 tile's values bit for bit",
          .enabled(if: Ops.avx512Available, "this CPU has no AVX-512F"), arguments: [
        (49, 1024, 72, 0), (25, 300, 40, 0), (196, 1024, 256, 0), (61, 2048, 48, 0), (25, 512, 64, 1), (49, 200, 40, 2),
    ])
    func aliasedRows(m: Int, k: Int, n: Int, shape: Int) throws {
        var rng = SeededRandom(seed: UInt64(m * 17 + k * 3 + n + shape))
        let w = (0..<(k * n)).map { _ in rng.uniform(-1, 1) }
        let b = w.withUnsafeBufferPointer { Ops.PackedKernel($0.baseAddress!, k: k, n: n, ldb: n) }
        let geometry: DirectGEMM.Geometry, extent: Int, stride: Int
        switch shape {
        case 0:   // rows a multiple of 1,024 floats apart
            stride = (k + 1023) / 1024 * 1024
            (geometry, extent) = (.matrix(rows: m, k: k, lda: stride), m * stride)
        case 1:   // a 1 × 1 convolution at stride 2 over a 10 × 10 × 512 input: 5 × 5 outputs, pixels 4 KiB apart
            stride = 1024
            geometry = DirectGEMM.Geometry(outH: 5, outW: 5, imageStride: 100 * 512, rowStride: 2 * 10 * 512,
                                           colStride: 1024, segmentOffsets: [0], segmentLengths: [512])
            extent = 100 * 512
        default:  // two segments of 100 floats per row (one K slice), rows 4 KiB apart
            stride = 1024
            geometry = DirectGEMM.Geometry(outH: 1, outW: m, imageStride: 0, rowStride: 0, colStride: 1024,
                                           segmentOffsets: [0, 300], segmentLengths: [100, 100])
            extent = m * 1024
        }
        let a = (0..<extent).map { _ in rng.uniform(-1, 1) }
        var outputs: [[Float]] = []
        a.withUnsafeBufferPointer { a in
            let rows: [UnsafePointer<Float>?] = (0..<12).map { UnsafePointer(a.baseAddress! + $0 * stride) }
            #expect(rows.withUnsafeBufferPointer { kp_gemm_rows_alias($0.baseAddress!, 0, 12) } != 0,
                    "the test's rows must alias for the copy to be exercised")
            for useWide in [false, true] {
                var c = [Float](repeating: .nan, count: m * n)
                c.withUnsafeMutableBufferPointer { c in
                    DirectGEMM.multiply(a: a.baseAddress!, geometry: geometry, m: m, b: b, c: c.baseAddress!, ldc: n,
                                        wideTiles: useWide, pass: .none)
                }
                outputs.append(c)
            }
        }
        #expect(differingBits(outputs[0], outputs[1]) == 0, "m \(m), k \(k), n \(n), shape \(shape)")
        #expect(!outputs[1].contains { $0.isNaN }, "m \(m), k \(k), n \(n): an output not written")
    }
}

/// Positions where `a` and `b` differ bit for bit (a count, so a failure does not diff two million-element arrays).
/// Elements whose bits differ; any NaN matches any NaN, as in `bitwiseEqual` (the sign of a NaN carries no meaning:
/// TensorFlow itself gives +NaN or −NaN for the same PReLU, and which operand's NaN x86 propagates depends on the
/// order the compiler chose, which differs between the -O0 and optimized builds of CKernels).
private func differingBits(_ a: [Float], _ b: [Float]) -> Int {
    guard a.count == b.count else { return max(a.count, b.count) }
    return zip(a, b).reduce(0) { $0 + ($1.0.bitPattern == $1.1.bitPattern || ($1.0.isNaN && $1.1.isNaN) ? 0 : 1) }
}
