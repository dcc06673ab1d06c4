import Foundation
import KerasPort
import TensorModule
import Testing
import _TestSupport

/// The `winograd_k3` fixture (3×3 stride-1 convolutions of odd sizes, same / valid / folded ZeroPadding2D, channel
/// counts off multiples of 8 and 16, batch 2, BatchNormalization + residual Add + ReLU and PReLU in the output pass)
/// through each Winograd variant, forced, against real Keras with the fixture bound (|Δ| ≤ 1e-5 + 1e-4·|keras|).
@Suite("Winograd convolutions match Keras", .enabled(if: Ops.WinogradKernel.make(Tensor(shape: [3, 3, 1, 1], repeating: 0)) != nil,
                                                      "this machine does not use the direct GEMM kernel (no AVX2/FMA)"))
struct WinogradParityTests {
    @Test("winograd_k3 under F(2×2, 3×3) and F(4×4, 3×3)", arguments: [Winograd.Mode.f2, .f4])
    func fixture(_ mode: Winograd.Mode) throws {
        let c = try #require(ParityCase.all().first { $0.fixture == "winograd_k3" }, "fixture winograd_k3 missing")
        let file = try KerasFile.open(c.url(c.file).path)
        let model = try CompiledModel(try file.loadGraph())
        let inputs = try c.inputs.map { try readNPY(contentsOf: c.url($0)) }
        let expected = try c.outputs.map { try readNPY(contentsOf: c.url($0)) }
        let direct = try Winograd.$mode.withValue(.off) { try model.predict(inputs) }
        let ours = try Winograd.$mode.withValue(mode) { try model.predict(inputs) }
        try #require(ours.count == expected.count)
        for (i, (y, keras)) in zip(ours, expected).enumerated() {
            let r = closeness(y, keras, rtol: c.rtol, atol: c.atol)
            #expect(r.ok, "output \(i): \(r)")
            // Winograd rounds differently from the direct sum: identical bits would mean it did not run.
            #expect(!bitwiseEqual(y, direct[i]), "output \(i): \(mode) gave the direct path's bits")
        }
    }
}
