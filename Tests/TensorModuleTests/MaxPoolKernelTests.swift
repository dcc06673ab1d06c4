import Testing
@testable import TensorModule
import _TestSupport

/// The max-pooling row kernels against the portable Swift loop (`DirectGEMM.$engine` bound to `.blas`), bit for bit:
/// the AVX2 one (`kp_max_pool_row`: each window's maximum in registers, 32 channels at a time, then 8, then a
/// masked last pass) and, where the processor has AVX-512F, the 16-lane one (`kp_max_pool_row_avx512`: 64 channels
/// at a time, then 16, then a masked last pass; `Ops.$widePooling`), both maxpool_body.h; channel counts that reach
/// each channel path of both and their tails, windows and strides (overlapping, disjoint, larger than the stride,
/// 1×1), `same` / `valid` and folded zero padding (windows over zeros, over `same` padding beyond them, and over
/// both), and the values where the order of the comparison shows: NaN (skipped), −0 beside +0 (the first kept), ±inf
/// and an all-(−inf) window (−FLT_MAX).
@Suite("Max pooling row kernels")
struct MaxPoolKernelTests {
    /// The row kernels this machine can run: the AVX2 one, and the 16-lane one where it has AVX-512F.
    static let widths: [Bool] = Ops.avx512Available ? [false, true] : [false]

    /// `body` once per row kernel of ``widths``, with `Ops.$widePooling` bound to choose it.
    func forEachWidth(_ body: (Bool) throws -> Void) rethrows {
        for wide in Self.widths { try Ops.$widePooling.withValue(wide) { try body(wide) } }
    }

    @Test("Row kernels equal the portable loop bit for bit", arguments: [
        // (kh, kw, sh, sw)
        (3, 3, 2, 2), (3, 3, 1, 1), (2, 2, 2, 2), (1, 1, 1, 1), (2, 3, 1, 2), (4, 2, 3, 1), (5, 5, 2, 2),
    ])
    func avx2EqualsPortable(_ k: (Int, Int, Int, Int)) throws {
        var rng = SeededRandom(seed: UInt64(k.0 * 1000 + k.1 * 100 + k.2 * 10 + k.3))
        let paddings: [(((Int, Int), (Int, Int)), Ops.Padding)] = [
            (((0, 0), (0, 0)), .same),
            (((0, 0), (0, 0)), .valid),
            (((1, 1), (1, 1)), .valid),
            (((2, 0), (0, 3)), .same),
        ]
        var checked = 0, zeroWins = 0
        for channels in [1, 5, 8, 13, 32, 40, 71, 80, 100] {
            for (height, width) in [(5, 7), (9, 4), (1, 6)] {
                var x = rng.tensor([2, height, width, channels], -1.5, 0.5)
                // Special values scattered over every lane of every channel path (in the first image; the second
                // has none): NaN, −0 and +0 side by side in many windows, ±inf.
                for i in 0..<(x.count / 2) {
                    if i % 11 == 3 { x.scalars[i] = .nan }
                    else if i % 7 == 4 { x.scalars[i] = -0.0 }
                    else if i % 5 == 1 { x.scalars[i] = 0.0 }
                    else if i % 19 == 6 { x.scalars[i] = -.infinity }
                    else if i % 23 == 7 { x.scalars[i] = .infinity }
                }
                for (zeroPadding, padding) in paddings {
                    let paddedH = height + zeroPadding.0.0 + zeroPadding.0.1
                    let paddedW = width + zeroPadding.1.0 + zeroPadding.1.1
                    if padding == .valid && (k.0 > paddedH || k.1 > paddedW) { continue }
                    let run = { (engine: DirectGEMM.Engine) throws -> Tensor in
                        try DirectGEMM.$engine.withValue(engine) {
                            try Ops.maxPool2d(input: x, poolSize: (k.0, k.1), strides: (k.2, k.3), padding: padding,
                                              zeroPadding: zeroPadding)
                        }
                    }
                    let portable = try run(.blas)
                    try forEachWidth { wide in
                        let direct = try run(.automatic)
                        #expect(direct.shape == portable.shape)
                        #expect(bitwiseEqual(direct, portable),
                                "wide \(wide) c \(channels) \(height)×\(width) pad \(zeroPadding) \(padding): \(firstBitwiseDifference(direct, portable))")
                        checked += 1
                    }
                    if portable.scalars.contains(where: { $0.bitPattern == 0 }) { zeroWins += 1 }
                }
            }
        }
        #expect(checked >= 80 * Self.widths.count)
        #expect(zeroWins > 0)   // folded zeros decided some windows
    }

    /// Signed zeros and NaN in one window in every channel path (lanes of each of the four vectors of the AVX2
    /// kernel's 32-channel part, of its 8-channel part and of its masked last part of a 41-channel input; of the
    /// 16-lane kernel's 16-channel parts and its masked last part; and of its 64-channel part of a 105-channel input):
    /// the first of equal values stays and NaN never enters, as in the portable loop (`x > m ? x : m`); and a window
    /// of −inf only gives −FLT_MAX.
    @Test(arguments: [(41, [0, 9, 18, 31, 32, 40]), (105, [0, 17, 34, 63, 64, 79, 80, 95, 96, 104])])
    func comparisonOrder(_ p: (Int, [Int])) throws {
        let (c, lanes) = p
        var x = Tensor(shape: [1, 1, 4, c], repeating: -1)
        for lane in lanes {
            x.scalars[0 * c + lane] = -0.0; x.scalars[1 * c + lane] = 0.0      // window 0: −0 then +0 → −0
            x.scalars[2 * c + lane] = .nan;  x.scalars[3 * c + lane] = -.infinity  // window 2: NaN, −inf → −FLT_MAX
        }
        let runs: [(String, Bool, DirectGEMM.Engine)] = [("portable", false, .blas)] + Self.widths.map {
            ($0 ? "16-lane" : "AVX2", $0, .automatic)
        }
        for (name, wide, engine) in runs {
            let y = try Ops.$widePooling.withValue(wide) {
                try DirectGEMM.$engine.withValue(engine) {
                    try Ops.maxPool2d(input: x, poolSize: (1, 2), strides: (1, 1))
                }
            }
            for lane in lanes {
                #expect(y.scalars[0 * c + lane].bitPattern == 0x8000_0000, "\(name) lane \(lane)")
                #expect(y.scalars[1 * c + lane].bitPattern == 0x0000_0000, "\(name) lane \(lane)")
                #expect(y.scalars[2 * c + lane].bitPattern == 0xFF7F_FFFF, "\(name) lane \(lane)")
            }
            #expect(y.scalars[1] == -1)
        }
    }

    /// Batch-1 shapes of Xception's and ResNet50's max pooling (3×3, stride 2, `same` / folded zeros): a wide image
    /// split across the cores, against the portable loop.
    @Test func modelShapes() throws {
        var rng = SeededRandom(seed: 77)
        let xc = rng.tensor([1, 37, 37, 256])
        let xc728 = rng.tensor([1, 37, 37, 728])
        let r50 = rng.tensor([1, 112, 112, 64], 0, 2)
        let cases: [(Tensor, ((Int, Int), (Int, Int)), Ops.Padding)] = [
            (xc, ((0, 0), (0, 0)), .same), (xc728, ((0, 0), (0, 0)), .same), (r50, ((1, 1), (1, 1)), .valid),
        ]
        for (x, zp, padding) in cases {
            let run = { (engine: DirectGEMM.Engine) throws -> Tensor in
                try DirectGEMM.$engine.withValue(engine) {
                    try Ops.maxPool2d(input: x, poolSize: (3, 3), strides: (2, 2), padding: padding, zeroPadding: zp)
                }
            }
            let portable = try run(.blas)
            try forEachWidth { wide in
                let direct = try run(.automatic)
                #expect(bitwiseEqual(direct, portable), "wide \(wide) \(x.shape): \(firstBitwiseDifference(direct, portable))")
            }
        }
    }

    /// MaxPooling1D goes through the same loop (one row of windows): both paths agree.
    @Test func oneDimensional() throws {
        var rng = SeededRandom(seed: 5)
        let x = rng.tensor([3, 11, 37])
        for (pool, stride, padding) in [(2, 2, Ops.Padding.valid), (3, 1, .same), (4, 3, .same)] {
            let run = { (engine: DirectGEMM.Engine) throws -> Tensor in
                try DirectGEMM.$engine.withValue(engine) {
                    try Ops.maxPool1d(input: x, poolSize: pool, stride: stride, padding: padding)
                }
            }
            let portable = try run(.blas)
            try forEachWidth { wide in
                let direct = try run(.automatic)
                #expect(bitwiseEqual(direct, portable), "wide \(wide) \(pool) \(stride) \(padding): \(firstBitwiseDifference(direct, portable))")
            }
        }
    }
}
