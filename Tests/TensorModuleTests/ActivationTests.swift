import Foundation
import Testing
@testable import TensorModule
import _TestSupport

/// Special values, in an order that puts some in the vector body and some in the tail.
let specials: [Float] = [-0.0, 0.0, .infinity, -.infinity, .nan, -Float.nan, -2, 3, 7, -1e-30,
                         1e30, -1e30, 0.5, -0.5, 6, -6, 2.5, -3, 1, -1, 100]

func bitsEqual(_ a: Float, _ b: Float) -> Bool { a.bitPattern == b.bitPattern }

@Suite("Activations")
struct ActivationTests {
    /// TensorFlow: `features > 0 ? features : features * alpha` (checked against TF 2.21 on this machine:
    /// leaky(-0.0, 0.3) = -0.0, leaky(-inf, 0) = NaN (0xffc00000), leaky(-0.0, -0.5) = +0.0).
    @Test("leaky ReLU is piecewise and bit-exact", arguments: [Float(0.3), 0, -0.5, 2, 1, 0.2])
    func leakyReLU(slope: Float) {
        let x = Tensor(shape: [specials.count], scalars: specials)
        let y = Ops.leakyReLU(input: x, negativeSlope: slope)
        for (i, v) in specials.enumerated() {
            let expected = v > 0 ? v : v * slope
            #expect(bitsEqual(y.scalars[i], expected), "x=\(v) slope=\(slope): \(hex(y.scalars[i])) vs \(hex(expected))")
        }
        // Values seen in TensorFlow 2.21 (tf.nn.leaky_relu) for these exact cases.
        let tf = Ops.leakyReLU(input: Tensor(shape: [4], scalars: [-0.0, -.infinity, -2, .nan]), negativeSlope: 0)
        #expect(tf.scalars.map(\.bitPattern) == [0x8000_0000, 0xFFC0_0000, 0x8000_0000, 0x7FC0_0000])
    }

    /// Keras PReLU = relu(x) + (-alpha)·relu(-x). Bits from TF 2.21 / Keras 3.15 on this machine for
    /// x = [-0, 0, inf, -inf, nan, -nan, -2, 3, 7]:
    /// alpha 0.3: [0, 0, inf, -inf, nan, -nan, 0xbf19999a, 3, 7]; alpha 0: -inf → 0xffc00000, -2 → 0;
    /// alpha -0.5: -inf → +inf, -2 → 1; alpha 2: -2 → -4.
    @Test func preluMatchesKerasBits() throws {
        let x: [Float] = [-0.0, 0.0, .infinity, -.infinity, .nan, -Float.nan, -2, 3, 7]
        let expected: [Float: [UInt32]] = [
            0.3: [0x0, 0x0, 0x7F80_0000, 0xFF80_0000, 0x7FC0_0000, 0xFFC0_0000, 0xBF19_999A, 0x4040_0000, 0x40E0_0000],
            0.0: [0x0, 0x0, 0x7F80_0000, 0xFFC0_0000, 0x7FC0_0000, 0xFFC0_0000, 0x0, 0x4040_0000, 0x40E0_0000],
            -0.5: [0x0, 0x0, 0x7F80_0000, 0x7F80_0000, 0x7FC0_0000, 0xFFC0_0000, 0x3F80_0000, 0x4040_0000, 0x40E0_0000],
            2.0: [0x0, 0x0, 0x7F80_0000, 0xFF80_0000, 0x7FC0_0000, 0xFFC0_0000, 0xC080_0000, 0x4040_0000, 0x40E0_0000],
        ]
        for (alpha, bits) in expected {
            // Batch of 3 so rows land in both the vector body and the tail.
            let input = Tensor(shape: [3, 9], scalars: x + x + x)
            let y = try Ops.prelu(input: input, alpha: Tensor(shape: [9], repeating: alpha))
            for b in 0..<3 {
                #expect(Array(y.scalars[(b * 9)..<(b * 9 + 9)]).map(\.bitPattern) == bits, "alpha \(alpha)")
            }
        }
    }

    @Test func preluBroadcastsSharedAxes() throws {
        var rng = SeededRandom(seed: 3)
        let x = rng.tensor([2, 3, 4, 5], -2, 2)
        let alpha = rng.tensor([1, 1, 5], -1, 3)  // shared_axes = [1, 2]
        let y = try Ops.prelu(input: x, alpha: alpha)
        for i in 0..<x.count {
            let v = x.scalars[i], a = alpha.scalars[i % 5]
            #expect(y.scalars[i] == (v > 0 ? v : a * v))
        }
        let perElement = rng.tensor([3, 4, 5])
        let y2 = try Ops.prelu(input: x, alpha: perElement)
        #expect(y2.scalars[61] == (x.scalars[61] > 0 ? x.scalars[61] : perElement.scalars[1] * x.scalars[61]))
        #expect(throws: TensorError.self) { try Ops.prelu(input: x, alpha: Tensor(shape: [4], repeating: 1)) }
    }

    /// relu / relu6: TF's vectorised path gives +0.0 for -0.0 and propagates NaN.
    @Test func reluFamilyBits() throws {
        let x = Tensor(shape: [specials.count], scalars: specials)
        let r = try Ops.activation(.relu, input: x)
        let r6 = try Ops.activation(.relu6, input: x)
        for (i, v) in specials.enumerated() {
            let e: Float = v.isNaN ? v : (v > 0 ? v : 0)
            #expect(bitsEqual(r.scalars[i], e), "relu(\(v))")
            let e6: Float = v.isNaN ? v : min(max(v, 0), 6) + 0  // + 0 turns -0 into +0
            #expect(bitsEqual(r6.scalars[i], e6), "relu6(\(v))")
        }
    }

    /// Keras 3 relu(x, negative_slope, max_value, threshold), reference written out from
    /// keras/src/activations/activations.py (ReLU.static_call). TF 2.21 bits for x = [1, -inf, nan, -0.0]:
    /// threshold 0.5 → [1, 0, 0, 0]; max_value 3 → [1, 0, nan, (±0)]; slope 0.1 + max 3 → [1, -inf, nan, ±0].
    @Test func generalReLU() throws {
        let x = Tensor(shape: [4], scalars: [1, -.infinity, .nan, -0.0])
        let t = Ops.relu(input: x, threshold: 0.5)
        #expect(t.scalars.map(\.bitPattern) == [0x3F80_0000, 0, 0, 0])
        let m = Ops.relu(input: x, maxValue: 3)
        #expect(m.scalars[0] == 1 && m.scalars[1] == 0 && m.scalars[2].isNaN && m.scalars[3] == 0)
        let s = Ops.relu(input: x, negativeSlope: 0.1, maxValue: 3)
        #expect(s.scalars[0] == 1 && s.scalars[1] == -.infinity && s.scalars[2].isNaN && s.scalars[3] == 0)
        // Keras 2 multiplies by the mask: -inf·0 = NaN, negatives become -0.0.
        let k2 = Ops.relu(input: x, threshold: 0.5, thresholdForm: .multiply)
        #expect(k2.scalars[0] == 1 && k2.scalars[1].isNaN && k2.scalars[3].bitPattern == 0x8000_0000)
        var rng = SeededRandom(seed: 8)
        let r = rng.tensor([100], -10, 10)
        for (slope, maxValue, threshold) in [(Float(0.1), Float?.some(6), Float(0)), (0.2, 4, 1), (0, 6, 0), (0, nil, 2), (0.3, nil, -1)] {
            let y = Ops.relu(input: r, negativeSlope: slope, maxValue: maxValue, threshold: threshold)
            for (i, v) in r.scalars.enumerated() {
                var e: Float = threshold != 0 ? (v > threshold ? v : 0) : max(v, 0)
                if let maxValue { e = min(e, maxValue) }
                if slope != 0 { e -= slope * max(-v + threshold, 0) }
                #expect(abs(y.scalars[i] - e) <= 1e-6, "slope \(slope) max \(String(describing: maxValue)) thr \(threshold) x \(v)")
            }
        }
    }

    @Test func thresholdedReLU() throws {
        let y = try Ops.activation(.thresholdedReLU(theta: 1), input: Tensor(shape: [5], scalars: [0.5, 1, 1.5, -2, -.infinity]))
        #expect(y.scalars[0] == 0 && y.scalars[1] == 0 && y.scalars[2] == 1.5 && y.scalars[3].bitPattern == 0x8000_0000 && y.scalars[4].isNaN)
    }

    /// Piecewise-linear formulas written out; exact equality expected (same operations, same order).
    @Test func hardSigmoidAndSoftsign() throws {
        var rng = SeededRandom(seed: 4)
        let x = rng.tensor([257], -8, 8)
        let h2 = try Ops.activation(.hardSigmoid(.keras2), input: x)
        let h3 = try Ops.activation(.hardSigmoid(.keras3), input: x)
        let hs = try Ops.activation(.hardSilu, input: x)
        let ss = try Ops.activation(.softsign, input: x)
        for (i, v) in x.scalars.enumerated() {
            #expect(h2.scalars[i] == min(max(v * 0.2 + 0.5, 0), 1))
            #expect(h3.scalars[i] == min(max(v + 3, 0), 6) / 6)
            #expect(hs.scalars[i] == v * (min(max(v + 3, 0), 6) / 6))
            #expect(ss.scalars[i] == v / (abs(v) + 1))
        }
    }

    /// Formulas with exp/tanh/erf against Double references; tolerance from the ~few-ulp approximations.
    @Test func transcendentalActivations() throws {
        var rng = SeededRandom(seed: 12)
        let x = rng.tensor([1000], -12, 12)
        func ref(_ f: (Double) -> Double) -> Tensor { Tensor(shape: x.shape, scalars: x.scalars.map { Float(f(Double($0))) }) }
        let cases: [(Ops.Activation, (Double) -> Double, Float)] = [
            (.elu(alpha: 1), { $0 > 0 ? $0 : exp($0) - 1 }, 1e-6),
            (.elu(alpha: 0.5), { $0 > 0 ? $0 : 0.5 * (exp($0) - 1) }, 1e-6),
            (.selu, { $0 >= 0 ? 1.0507009873554805 * $0 : 1.7580993408473769 * (exp($0) - 1) }, 1e-6),
            (.swish, { $0 / (1 + exp(-$0)) }, 1e-6),
            (.gelu(approximate: true), { 0.5 * $0 * (1 + tanh(0.7978845608028654 * ($0 + 0.044715 * $0 * $0 * $0))) }, 1e-6),
            (.sigmoid, { 1 / (1 + exp(-$0)) }, 1e-7),
        ]
        for (activation, f, atol) in cases {
            let c = closeness(try Ops.activation(activation, input: x), ref(f), rtol: 4e-6, atol: atol)
            #expect(c.ok, "\(activation): \(c)")
        }
    }

    /// The AVX2 sigmoid / swish kernels (8 lanes) and the portable vector loop (`.blas` engine) give the same bits, on
    /// special values, the range where exp over- and underflows, denormal results, and lengths with tails. (Under the
    /// parallel threshold, so the whole tensor runs on the test's task, where the `.blas` binding is seen.)
    @Test("sigmoid and swish: the AVX2 kernels give the portable loop's bits", arguments: [Ops.Activation.sigmoid, .swish])
    func sigmoidSwishKernelsMatchLoop(activation: Ops.Activation) throws {
        var rng = SeededRandom(seed: 21)
        var values = specials + [88.7, 88.73, 89, -87.3, -88, -103.9, -104, -110, 1e-38, -1e-38, 1e-45, -1e-45,
                                 Float.greatestFiniteMagnitude, -Float.greatestFiniteMagnitude]
        values += rng.tensor([4000], -20, 20).scalars + rng.tensor([997], -120, 120).scalars
        for count in [1, 7, 8, 9, 15, 16, 17, values.count] {
            let x = Tensor(shape: [count], scalars: Array(values.prefix(count)))
            let fast = try DirectGEMM.$engine.withValue(.direct) { try Ops.activation(activation, input: x) }
            let loop = try DirectGEMM.$engine.withValue(.blas) { try Ops.activation(activation, input: x) }
            let differing = zip(x.scalars, zip(fast.scalars, loop.scalars)).filter { !bitsEqual($1.0, $1.1) }
            #expect(differing.isEmpty, "\(activation), \(count) values: \(differing.count) differ, e.g. \(differing.prefix(3).map { "x \(hex($0)): \(hex($1.0)) vs \(hex($1.1))" })")
        }
    }

    /// The limits of sigmoid and swish (whose e^−x is clamped, see `VectorMath.sigmoidDenominator`): sigmoid(+inf) = 1,
    /// sigmoid(−inf) = 0, NaN stays NaN, and values far out stay within 4e-39 of the exact ones.
    @Test func sigmoidSwishLimits() throws {
        let x = Tensor(shape: [9], scalars: [.infinity, -.infinity, .nan, -200, -88.5, -87.5, 87.5, 200, 30])
        let s = try Ops.activation(.sigmoid, input: x).scalars
        #expect(s[0] == 1 && s[1] == 0 && s[2].isNaN && s[7] == 1 && s[8] == 1)
        for i in [3, 4, 5, 6] {
            let exact = 1 / (1 + Foundation.exp(-Double(x.scalars[i])))
            #expect(abs(Double(s[i]) - exact) < 4e-39, "sigmoid(\(x.scalars[i])) = \(s[i]), exact \(exact)")
        }
        let w = try Ops.activation(.swish, input: x).scalars
        #expect(w[0] == .infinity && w[1].isNaN && w[2].isNaN && w[3] == 0 && w[7] == 200 && w[8] == 30)
        #expect(abs(Double(w[4])) < 1e-36 && abs(Double(w[5])) < 1e-36)
    }

    @Test func softmaxAnyAxis() throws {
        var rng = SeededRandom(seed: 6)
        let x = rng.tensor([3, 4, 5], -5, 5)
        for axis in [-1, 0, 1, 2] {
            let y = try Ops.softmax(input: x, axis: axis)
            let a = (axis + 3) % 3
            let shape = x.shape
            for i in 0..<shape[0] { for j in 0..<shape[1] { for k in 0..<shape[2] {
                var idx = [i, j, k]
                var m = -Float.infinity
                for t in 0..<shape[a] { idx[a] = t; m = max(m, x[idx]) }
                var s: Double = 0
                for t in 0..<shape[a] { idx[a] = t; s += exp(Double(x[idx] - m)) }
                idx = [i, j, k]
                let e = Float(exp(Double(x[idx] - m)) / s)
                #expect(abs(y[idx] - e) <= 1e-6 + 4e-6 * e)
            } } }
        }
        #expect(throws: TensorError.self) { try Ops.softmax(input: x, axis: 3) }
        let big = try Ops.softmax(input: Tensor(shape: [3], scalars: [1000, 1000, -1000]))
        #expect(big.scalars == [0.5, 0.5, 0])
    }

    /// Large tensors take the parallel path; results must equal the single-chunk path bit for bit.
    @Test func parallelPathMatches() throws {
        var rng = SeededRandom(seed: 13)
        let big = rng.tensor([300_001], -5, 5)
        let y = try Ops.activation(.gelu(approximate: false), input: big)
        let small = try Ops.activation(.gelu(approximate: false), input: Tensor(shape: [17], scalars: Array(big.scalars[150_000..<150_017])))
        #expect(Array(y.scalars[150_000..<150_017]) == small.scalars)
    }
}
