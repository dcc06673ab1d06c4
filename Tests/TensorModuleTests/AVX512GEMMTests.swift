import Testing
@testable import TensorModule
import _TestSupport

/// The AVX-512 GEMM kernel does, per output, the same fused multiply-adds in the same k order and K-slices as the
/// AVX2 kernel, so both must give identical bits; a wrong row, panel, mask or slice would show as a difference.
@Suite("AVX-512 and AVX2 GEMM kernels agree", .enabled(if: DirectGEMM.available && DirectGEMM.avx512Available,
                                                        "this CPU has no AVX-512 (F, BW, VL, DQ)"))
struct AVX512GEMMTests {
    @Test("Dense: identical bits", arguments: [
        // (m, k, n): the 12-row tile, one or two 16-column panels, partial panels (masked stores), K slices of 256
        (2, 1, 16), (7, 5, 17), (13, 256, 32), (25, 257, 47), (300, 600, 40), (1030, 33, 48), (64, 1100, 70),
        (12, 40, 64), (37, 520, 100),
    ])
    func dense(_ p: (Int, Int, Int)) throws {
        var rng = SeededRandom(seed: UInt64(p.0 * 7919 + p.1 * 31 + p.2))
        let x = rng.tensor([p.0, p.1]), w = rng.tensor([p.1, p.2]), b = rng.tensor([p.2])
        let packed = Ops.PackedKernel.pack(w)
        let run = { (width: DirectGEMM.Width) in
            try DirectGEMM.$width.withValue(width) {
                try DirectGEMM.$engine.withValue(.direct) { try Ops.dense(input: x, kernel: w, bias: b, packedKernel: packed) }
            }
        }
        let (a, v) = (try run(.avx2), try run(.avx512))
        #expect(bitwiseEqual(a, v), "first difference: \(firstBitwiseDifference(a, v))")
    }

    @Test("conv2d (implicit GEMM over padded patches, and Winograd products): identical bits")
    func conv() throws {
        var rng = SeededRandom(seed: 99)
        let x = rng.tensor([2, 13, 11, 37]), w = rng.tensor([3, 3, 37, 45]), b = rng.tensor([45])
        let winograd = try #require(Ops.WinogradKernel.make(w))
        for mode in [Winograd.Mode.off, .f2, .f4] {
            let run = { (width: DirectGEMM.Width) in
                try DirectGEMM.$width.withValue(width) {
                    try Winograd.$mode.withValue(mode) {
                        try Ops.conv2d(input: x, kernel: w, bias: b, padding: .same, activation: .relu, winograd: winograd)
                    }
                }
            }
            let (a, v) = (try run(.avx2), try run(.avx512))
            #expect(bitwiseEqual(a, v), "\(mode): first difference: \(firstBitwiseDifference(a, v))")
        }
    }
}
