import Testing
@testable import TensorModule
import _TestSupport

/// The AVX2 depthwise row kernel (`kp_depthwise_row`: groups of adjacent output pixels with the sums in registers,
/// specialised for kernel widths 3, 5 and 7 (strides 1, 2), a clipped variant for border groups, masked
/// loads for channel tails, and the one-pixel order for 3×3 kernels over channel counts that crowd L1 sets)
/// against the portable Swift loop (`DirectGEMM.$engine` bound to `.blas`), bit for bit, on the odd cases where the
/// kernel's paths split: widths 1–9 and 17–23 (narrower than one group, one group, several groups, the rest in
/// groups of 8/4/2/1), channel counts 3 / 8 / 13 / 40 (tails and full blocks), strides 1–3, dilation 2, kernels
/// 1×1 … 7×7 and non-square, asymmetric zero padding (border groups with every tap outside).
@Suite("Depthwise AVX2 row kernel")
struct DepthwiseKernelTests {
    @Test("AVX2 row kernel equals the portable loop bit for bit", arguments: [
        // (kh, kw, sh, sw, dh, dw)
        (3, 3, 1, 1, 1, 1),
        (3, 3, 2, 2, 1, 1),
        (5, 5, 1, 1, 1, 1),
        (5, 5, 2, 2, 1, 1),
        (7, 7, 1, 1, 1, 1),
        (7, 7, 2, 2, 1, 1),
        (3, 3, 1, 1, 2, 2),
        (5, 5, 2, 2, 2, 2),
        (3, 3, 3, 3, 1, 1),
        (1, 1, 1, 1, 1, 1),
        (2, 4, 1, 2, 1, 1),
        (4, 6, 2, 1, 1, 3),
        (3, 5, 1, 3, 2, 1),
    ])
    func avx2EqualsPortable(_ k: (Int, Int, Int, Int, Int, Int)) throws {
        var rng = SeededRandom(seed: UInt64(k.0 * 1000 + k.1 * 100 + k.3 * 10 + k.5))
        // ((top, bottom), (left, right)) folded zero padding, applied on top of `same` / `valid`.
        let paddings: [(((Int, Int), (Int, Int)), Ops.Padding)] = [
            (((0, 0), (0, 0)), .same),
            (((0, 0), (0, 0)), .valid),
            (((2, 0), (0, 3)), .valid),
            (((0, 1), (5, 1)), .same),
        ]
        var checked = 0
        for channels in [3, 8, 13, 40] {
            let w = rng.tensor([k.0, k.1, channels, 1])
            let b = rng.tensor([channels])
            for width in Array(1...9) + [17, 23] {
                let height = 4 + width % 3
                let x = rng.tensor([1, height, width, channels])
                for (zeroPadding, padding) in paddings {
                    // Skip windows larger than the (padded) input under `valid`: an error on both paths.
                    let paddedH = height + zeroPadding.0.0 + zeroPadding.0.1
                    let paddedW = width + zeroPadding.1.0 + zeroPadding.1.1
                    if padding == .valid && ((k.0 - 1) * k.4 + 1 > paddedH || (k.1 - 1) * k.5 + 1 > paddedW) { continue }
                    let run = { (engine: DirectGEMM.Engine) throws -> Tensor in
                        try DirectGEMM.$engine.withValue(engine) {
                            try Ops.depthwiseConv2d(input: x, kernel: w, bias: b, strides: (k.2, k.3),
                                                    padding: padding, dilation: (k.4, k.5), zeroPadding: zeroPadding)
                        }
                    }
                    let portable = try run(.blas)
                    for wide in depthwiseWidths {
                        let direct = try Ops.$wideDepthwise.withValue(wide) { try run(.automatic) }
                        #expect(direct.shape == portable.shape)
                        #expect(bitwiseEqual(direct, portable),
                                "16 lanes \(wide) c \(channels) w \(width) h \(height) pad \(zeroPadding) \(padding): \(firstBitwiseDifference(direct, portable))")
                    }
                    checked += 1
                }
            }
        }
        #expect(checked >= 44)
    }

    /// Both paths against the naive loop of the definition (independent of the kernel code) on wide rows with
    /// several unclipped groups per row, so the register-held sums of the interior path are checked against values
    /// computed one tap at a time; and channel counts that send 3×3 rows to the one-pixel order.
    @Test("AVX2 row kernel equals the naive loop on wide rows", arguments: [
        // (h, w, c, k, s, d, same)
        (6, 40, 16, 3, 1, 1, true),
        (7, 45, 24, 3, 2, 1, true),
        (6, 33, 21, 5, 1, 1, true),
        (9, 47, 11, 5, 2, 1, false),
        (9, 38, 8, 7, 1, 1, true),
        (9, 41, 19, 7, 2, 1, true),
        (7, 30, 12, 3, 1, 2, true),
        (5, 14, 256, 3, 1, 1, true),   // C·4 a multiple of 1 KB: the one-pixel order (groups would crowd L1 sets)
        (7, 29, 256, 3, 2, 1, true),   // the same at stride 2
        (8, 37, 40, 3, 2, 1, false),   // 3×3 stride 2 groups of 8 (and 4, 2 at the row's end), unpadded
        (4, 9, 512, 5, 1, 1, true),
    ])
    func wideRows(_ p: (Int, Int, Int, Int, Int, Int, Bool)) throws {
        var rng = SeededRandom(seed: UInt64(p.1 * 17 + p.2 + p.3))
        let x = rng.tensor([1, p.0, p.1, p.2]), w = rng.tensor([p.3, p.3, p.2, 1])
        let expected = naiveDepthwise(x, w, strides: (p.4, p.4), same: p.6, dilation: (p.5, p.5))
        for engine in [DirectGEMM.Engine.automatic, .blas] {
            for wide in depthwiseWidths {
                let y = try Ops.$wideDepthwise.withValue(wide) {
                    try DirectGEMM.$engine.withValue(engine) {
                        try Ops.depthwiseConv2d(input: x, kernel: w, strides: (p.4, p.4), padding: p.6 ? .same : .valid,
                                                dilation: (p.5, p.5))
                    }
                }
                #expect(bitwiseEqual(y, expected), "\(engine), 16 lanes \(wide): \(firstBitwiseDifference(y, expected))")
            }
        }
    }

    /// The output pass applied by the row kernel to each value in registers (`kp_depthwise_row`'s `pass`: a
    /// BatchNormalization's scale/shift, then ReLU6 / ReLU / swish / hard silu, with the flush before the scale/shift
    /// or, where it cannot change a value, without) against the portable loop and the step-by-step pass, bit for bit, on each
    /// of the kernel's paths (3×3 stride 1 and 2 groups, 256-channel one-pixel rows, 5×5, 7×7 stride 2,
    /// dilated any-width rows), channel tails, and inputs with denormals, ±0, NaN and ±∞.
    @Test("AVX2 row kernel applies the output pass in registers with the bits of the separate pass", arguments: [
        // (k, s, d, channels)
        (3, 1, 1, 13), (3, 2, 1, 13), (3, 1, 1, 256), (5, 1, 1, 40), (7, 2, 1, 19), (3, 1, 2, 11), (3, 1, 1, 8),
    ])
    func inRegisterPass(_ p: (Int, Int, Int, Int)) throws {
        var rng = SeededRandom(seed: UInt64(p.0 * 100 + p.1 * 10 + p.3))
        let (h, w, c) = (7, 23, p.3)
        let tiny = Float.leastNormalMagnitude / 8
        let special: [Float] = [tiny, -tiny, 0, -0.0, .nan, .infinity, -.infinity, 1e-39, -3e-39]
        let x = Tensor(shape: [1, h, w, c], scalars: (0..<(h * w * c)).map { i in
            i % 7 == 0 ? special[(i / 7) % special.count] : rng.uniform(-4, 4) })
        // Kernel taps that make some sums denormal (`tiny` inputs times taps ≤ 1 sum to denormals).
        let kernel = Tensor(shape: [p.0, p.0, c, 1], scalars: (0..<(p.0 * p.0 * c)).map { i in
            i % 11 == 0 ? 0.5 : rng.uniform(-1, 1) })
        // BatchNormalization operands for which the flush before the scale/shift is redundant (t = 0 with |s| ≤ 1,
        // or |t| ≥ 2⁻⁸⁰ with |s| ≤ 2²⁰, at the bounds) and for which it is not (t = 1e-30).
        let redundant = (0..<c).map { j -> (Float, Float) in
            switch j % 4 {
            case 0: return (rng.uniform(-1, 1), 0)
            case 1: return (1, -0.0)
            case 2: return (0x1p20, 0x1p-80)
            default: return (rng.uniform(-3, 3), rng.uniform(-2, 2))
            }
        }
        let needed = redundant.enumerated().map { j, st in j == 1 ? (st.0, Float(1e-30)) : st }
        // Operands for which it is redundant before any step (no zero shift): the swish then goes without it too.
        let strict = redundant.enumerated().map { j, st in st.1 == 0 ? (st.0, j % 8 == 0 ? Float(0x1p-80) : -3) : st }
        let relu6 = Ops.Activation.reluGeneral(negativeSlope: 0, maxValue: 6, threshold: 0, thresholdForm: .multiply)
        var passes: Set<Int32> = []
        // The 8-lane swish (the kernel's pass 5) is taken where the processor has no AVX-512F (on one, the swish's
        // own 16-lane pass is faster unless the kernel runs on 16 lanes): bound as if it had none, so every path runs
        // here, on 8 lanes and (where the processor has AVX-512F) on 16.
        for wide in depthwiseWidths {
        try Ops.$wideDepthwise.withValue(wide) {
        try Ops.$avx512.withValue(false) {
            for operands in [redundant, needed, strict] {
                let bn = Ops.PostOp.scaleShift(scale: operands.map(\.0), shift: operands.map(\.1))
                for activation in [relu6, Ops.Activation.relu, .swish, .hardSilu] {
                    let post: [Ops.PostOp] = [.flushDenormals, bn, .flushDenormals, .activation(activation), .flushDenormals]
                    let fused = try #require(Ops.FusedEpilogue(bias: nil, activation: .linear, postOps: post, columns: c))
                    passes.insert(fused.depthwisePass)
                    let run = { (engine: DirectGEMM.Engine) throws -> Tensor in
                        try DirectGEMM.$engine.withValue(engine) {
                            try Ops.depthwiseConv2d(input: x, kernel: kernel, strides: (p.1, p.1), padding: .same,
                                                    dilation: (p.2, p.2), postOps: post)
                        }
                    }
                    let direct = try run(.automatic), portable = try run(.blas)
                    #expect(bitwiseEqual(direct, portable),
                            "\(activation), pass \(fused.depthwisePass), 16 lanes \(wide): \(firstBitwiseDifference(direct, portable))")
                }
            }
        }
        }
        }
        if Ops.avx512Available {
            // With AVX-512F the swish keeps its own 16-lane pass after the 8-lane kernel, and goes into the registers
            // of the 16-lane kernel.
            let swish: [Ops.PostOp] = [.flushDenormals, .scaleShift(scale: needed.map(\.0), shift: needed.map(\.1)),
                                       .flushDenormals, .activation(.swish), .flushDenormals]
            let eightLanes = Ops.$wideDepthwise.withValue(false) {
                Ops.FusedEpilogue(bias: nil, activation: .linear, postOps: swish, columns: c)?.depthwisePass
            }
            #expect(eightLanes == 0)
            let sixteenLanes = Ops.$wideDepthwise.withValue(true) {
                Ops.FusedEpilogue(bias: nil, activation: .linear, postOps: swish, columns: c)?.depthwisePass
            }
            #expect(sixteenLanes == 5)
        }
        // Each of the eight in-register passes was taken (the flush before a swish or hard silu kept where a shift is
        // zero).
        #expect(passes == [1, 2, 3, 4, 5, 6, 7, 8])
    }
}

/// The row kernel reading the ReLU of its input (`KP_DW_RELU_INPUT`: a ReLU layer before the convolution, folded
/// by the plan) against the portable loop on the ReLU'd input, bit for bit, on each of its paths (3×3 stride-1
/// groups, 3×3 stride 2 groups, 256-channel one-pixel rows, 5×5, 7×7 stride 2, dilated any-width rows, channel tails),
/// with and without an in-register output pass, on inputs with ±0, NaN, ±∞ and negatives.
@Suite("Depthwise row kernel reading a ReLU of its input")
struct DepthwiseReLUInputTests {
    @Test("ReLU of the input as the kernel reads it equals the convolution of the ReLU'd input", arguments: [
        // (k, s, d, channels)
        (3, 1, 1, 13), (3, 2, 1, 13), (3, 1, 1, 256), (5, 1, 1, 40), (5, 2, 1, 8), (7, 2, 1, 19), (3, 1, 2, 11),
        (4, 1, 1, 6),
    ])
    func reluInput(_ p: (Int, Int, Int, Int)) throws {
        var rng = SeededRandom(seed: UInt64(p.0 * 1000 + p.1 * 100 + p.2 * 10 + p.3))
        let (h, w, c) = (6, 27, p.3)
        let special: [Float] = [0, -0.0, .nan, .infinity, -.infinity, -1e30, 1e30]
        let x = Tensor(shape: [2, h, w, c], scalars: (0..<(2 * h * w * c)).map { i in
            i % 9 == 0 ? special[(i / 9) % special.count] : rng.uniform(-4, 4) })
        let kernel = rng.tensor([p.0, p.0, c, 1])
        let relu = try Ops.activation(.relu, input: x)
        #expect(relu.scalars.allSatisfy { !($0 < 0) }, "the ReLU'd input has negatives")
        let scale = (0..<c).map { _ in rng.uniform(-2, 2) }, shift = (0..<c).map { _ in rng.uniform(-1, 1) }
        let passes: [[Ops.PostOp]] = [
            [],
            [.flushDenormals, .scaleShift(scale: scale, shift: shift), .flushDenormals, .activation(.relu6),
             .flushDenormals],
        ]
        for post in passes {
            let run = { (input: Tensor, reluInput: Bool, engine: DirectGEMM.Engine) throws -> Tensor in
                try DirectGEMM.$engine.withValue(engine) {
                    try Ops.depthwiseConv2d(input: input, kernel: kernel, strides: (p.1, p.1), padding: .same,
                                            dilation: (p.2, p.2), postOps: post, reluInput: reluInput)
                }
            }
            let expected = try run(relu, false, .blas)
            // The input's negatives change the output, so a flag the kernel ignored would fail below.
            #expect(!bitwiseEqual(try run(x, false, .blas), expected))
            #expect(bitwiseEqual(try run(x, true, .blas), expected), "portable path")
            for wide in depthwiseWidths {
                let direct = try Ops.$wideDepthwise.withValue(wide) { try run(x, true, .automatic) }
                #expect(bitwiseEqual(direct, expected),
                        "pass \(post.count), 16 lanes \(wide): \(firstBitwiseDifference(direct, expected))")
            }
        }
    }
}

/// The depthwise row kernels to test: the 8-lane one, and the 16-lane one where the processor has AVX-512F (bound
/// through `Ops.$wideDepthwise`, whatever `Ops.wideArithmetic` chose for this machine).
private let depthwiseWidths = Ops.avx512Available ? [false, true] : [false]
