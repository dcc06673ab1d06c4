import Foundation
import Testing
import TensorModule
import _TestSupport

/// The vectorised transcendental functions against glibc's correctly-rounded-ish scalar versions.
/// Tolerance: the approximations are accurate to a few ulp; `rtol 4e-6` is ~32 ulp of headroom,
/// `atol 1e-7` covers results near zero (tanh/erf of tiny arguments, exp of very negative ones).
@Suite("Vector math")
struct VectorMathTests {
    static let grid: [Float] = stride(from: Float(-30), through: 30, by: 0.0137).map { $0 }
        + [0, -0.0, 1e-8, -1e-8, 3e-4, -3e-4, 1e-3, 80, 88, -87, -100, -104, 88.7, 0.5, -0.5]

    func check(_ activation: Ops.Activation, _ reference: (Float) -> Float, rtol: Float = 4e-6, atol: Float = 1e-7,
               inputs: [Float] = grid) throws {
        let x = Tensor(shape: [inputs.count], scalars: inputs)
        let y = try Ops.activation(activation, input: x)
        let expected = Tensor(shape: [inputs.count], scalars: inputs.map(reference))
        let c = closeness(y, expected, rtol: rtol, atol: atol)
        #expect(c.ok, "\(activation): \(c) at x = \(inputs[max(c.worstIndex, 0)])")
    }

    @Test func exponential() throws {
        try check(.exponential, { Float(Foundation.exp(Double($0))) }, atol: 1e-38)
        let special = try Ops.activation(.exponential, input: Tensor(shape: [4], scalars: [.infinity, -.infinity, .nan, 89]))
        #expect(special.scalars[0] == .infinity && special.scalars[1] == 0 && special.scalars[2].isNaN && special.scalars[3] == .infinity)
    }

    @Test func tanhAndSigmoid() throws {
        try check(.tanh, { Float(Foundation.tanh(Double($0))) })
        try check(.sigmoid, { Float(1 / (1 + Foundation.exp(-Double($0)))) }, atol: 1e-12)
        let special = try Ops.activation(.tanh, input: Tensor(shape: [3], scalars: [.infinity, -.infinity, .nan]))
        #expect(special.scalars[0] == 1 && special.scalars[1] == -1 && special.scalars[2].isNaN)
    }

    /// The reference follows the float32 formula (1 + erf rounds to 0 far left, as in TensorFlow), so the
    /// absolute error is about |x|/2 · a few ulp(1) ≈ 1e-6 for |x| ≤ 6 where 1 + erf cancels.
    @Test func geluExactUsesErf() throws {
        try check(.gelu(approximate: false), { x in
            let e = Float(Foundation.erf(Double(x / Float(2).squareRoot())))
            return (0.5 * x) * (1 + e)
        }, rtol: 4e-6, atol: 1e-6)
    }

    @Test func softplusAndMish() throws {
        func softplus(_ x: Double) -> Double { x > 20 ? x : Foundation.log1p(Foundation.exp(x)) }
        try check(.softplus, { Float(softplus(Double($0))) }, atol: 1e-12)
        try check(.mish, { x in Float(Double(x) * Foundation.tanh(softplus(Double(x)))) }, atol: 1e-7)
    }
}
