import Testing
@testable import TensorModule
import _TestSupport

/// The AVX2 depthwise row kernel (`kp_depthwise_row`: groups of adjacent output pixels with the sums in registers,
/// specialised for kernel widths 3 (stride 1), 5 and 7 (strides 1, 2), a clipped variant for border groups, masked
/// loads for channel tails, and the one-pixel order for 3×3 stride 2 and for channel counts that crowd L1 sets)
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
                    let direct = try run(.automatic), portable = try run(.blas)
                    #expect(direct.shape == portable.shape)
                    #expect(bitwiseEqual(direct, portable),
                            "c \(channels) w \(width) h \(height) pad \(zeroPadding) \(padding): \(firstBitwiseDifference(direct, portable))")
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
        (4, 9, 512, 5, 1, 1, true),
    ])
    func wideRows(_ p: (Int, Int, Int, Int, Int, Int, Bool)) throws {
        var rng = SeededRandom(seed: UInt64(p.1 * 17 + p.2 + p.3))
        let x = rng.tensor([1, p.0, p.1, p.2]), w = rng.tensor([p.3, p.3, p.2, 1])
        let expected = naiveDepthwise(x, w, strides: (p.4, p.4), same: p.6, dilation: (p.5, p.5))
        for engine in [DirectGEMM.Engine.automatic, .blas] {
            let y = try DirectGEMM.$engine.withValue(engine) {
                try Ops.depthwiseConv2d(input: x, kernel: w, strides: (p.4, p.4), padding: p.6 ? .same : .valid,
                                        dilation: (p.5, p.5))
            }
            #expect(bitwiseEqual(y, expected), "\(engine): \(firstBitwiseDifference(y, expected))")
        }
    }
}
