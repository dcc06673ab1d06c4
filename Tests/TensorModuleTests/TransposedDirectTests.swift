import Foundation
import Testing
@testable import TensorModule
import _TestSupport

/// The transposed convolution on the direct kernel, phase by phase (Ops+TransposedDirect.swift), against a scatter
/// loop in double precision and against the GEMM + col2im path (OpenBLAS).
@Suite("Transposed convolution, phase by phase")
struct TransposedDirectTests {
    /// (batch, h, w, channels, kh, kw, filters, sh, sw, same, output padding)
    typealias Case = (Int, Int, Int, Int, Int, Int, Int, Int, Int, Bool, (Int, Int)?)

    /// The scatter form in double precision, and per output the sum of the products' magnitudes (for the bound).
    static func reference(_ x: Tensor, _ w: Tensor, _ b: Tensor, strides: (Int, Int), rows: WindowAxis,
                          cols: WindowAxis) -> (values: [Double], magnitudes: [Double]) {
        let (n, h, wd, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (kh, kw, f) = (w.shape[0], w.shape[1], w.shape[2])
        let (oh, ow) = (rows.input, cols.input)
        var y = [Double](repeating: 0, count: n * oh * ow * f), mag = y
        for bi in 0..<n { for i in 0..<h { for j in 0..<wd { for a in 0..<kh { for bb in 0..<kw {
            let oi = i * strides.0 - rows.padBefore + a, oj = j * strides.1 - cols.padBefore + bb
            if oi < 0 || oi >= oh || oj < 0 || oj >= ow { continue }
            for o in 0..<f {
                let at = ((bi * oh + oi) * ow + oj) * f + o
                for ci in 0..<c {
                    let p = Double(x.scalars[((bi * h + i) * wd + j) * c + ci])
                        * Double(w.scalars[((a * kw + bb) * f + o) * c + ci])
                    y[at] += p
                    mag[at] += abs(p)
                }
            }
        } } } } }
        for i in 0..<y.count {
            y[i] += Double(b.scalars[i % f])
            mag[i] += abs(Double(b.scalars[i % f]))
        }
        return (y, mag)
    }

    @Test("The phases compute the scatter loop's sums, and what OpenBLAS' GEMM + col2im computes", arguments: [
        (2, 4, 4, 64, 4, 4, 32, 2, 2, true, nil),        // a DCGAN generator's step
        (1, 5, 6, 300, 3, 3, 40, 2, 2, true, nil),       // segments over 256 floats, cut
        (1, 5, 6, 300, 3, 3, 40, 2, 2, false, nil),
        (3, 6, 5, 7, 5, 5, 3, 2, 2, true, nil),          // 3 filters: the narrow kernel
        (2, 3, 4, 5, 2, 2, 16, 2, 2, false, nil),        // no overlap: one tap per output
        (1, 7, 7, 20, 3, 3, 24, 1, 1, true, nil),        // stride 1: a flipped convolution
        (2, 4, 3, 6, 3, 5, 18, 2, 3, false, nil),        // unequal strides and kernel sides
        (1, 3, 3, 4, 3, 3, 8, 2, 2, true, (1, 0)),       // output padding
        (1, 32, 32, 8, 4, 4, 512, 2, 2, true, nil),      // a phase in chunks of rows
        (5, 2, 2, 12, 4, 4, 16, 2, 2, true, nil),        // several images per chunk
    ] as [Case])
    func phases(_ p: Case) throws {
        var rng = SeededRandom(seed: UInt64(p.1 * 97 + p.3 * 13 + p.6 + p.7))
        let x = rng.tensor([p.0, p.1, p.2, p.3]), w = rng.tensor([p.4, p.5, p.6, p.3]), b = rng.tensor([p.6])
        let padding: Ops.Padding = p.9 ? .same : .valid
        let rows = try Ops.transposedAxis("t", "height", input: p.1, kernel: p.4, stride: p.7, dilation: 1,
                                          padding: padding, outputPadding: p.10?.0)
        let cols = try Ops.transposedAxis("t", "width", input: p.2, kernel: p.5, stride: p.8, dilation: 1,
                                          padding: padding, outputPadding: p.10?.1)
        let prepared = Ops.TransposedKernel(w, strides: (p.7, p.8), dilation: (1, 1))
        guard DirectGEMM.available else {
            #expect(prepared.phases.isEmpty)
            return
        }
        // The phase path itself runs here (it does not decline these shapes).
        var direct = [Float](repeating: .nan, count: p.0 * rows.input * cols.input * p.6)
        let pass = Ops.PreparedPass(bias: b, activation: .linear, postOps: [], columns: p.6)
        let ran = x.scalars.withUnsafeBufferPointer { xs in
            direct.withUnsafeMutableBufferPointer { out in
                Ops.transposedDirect(input: xs.baseAddress!, batch: p.0, channels: p.3, kernel: prepared, filters: p.6,
                                     rows: rows, cols: cols, output: out.baseAddress!, pass: pass)
            }
        }
        #expect(ran)
        // Every output written, each within the rounding bound of a sum of K products: |error| ≤ K·2⁻²⁴·Σ|terms|
        // (K = the taps reaching it × channels, plus the bias), the bound of any order of float additions.
        let (ref, mag) = Self.reference(x, w, b, strides: (p.7, p.8), rows: rows, cols: cols)
        let k = Double(((p.4 + p.7 - 1) / p.7) * ((p.5 + p.8 - 1) / p.8) * p.3 + 1)
        // (Counted so that a NaN, an output never written, fails too.)
        var (outside, worst) = (0, 0.0)
        for i in 0..<ref.count {
            let bound: Double = k * 0x1p-24 * mag[i] + 1e-30
            let error = abs(Double(direct[i]) - ref[i])
            if !(error <= bound) { outside += 1 }
            if error / bound > worst { worst = error / bound }
        }
        #expect(outside == 0, "\(outside) outputs outside the bound; worst error / bound \(worst)")
        // The layer's call (the same path) and the OpenBLAS path agree within the same bound.
        let y = try Ops.conv2dTranspose(input: x, kernel: prepared, bias: b, strides: (p.7, p.8), padding: padding,
                                        outputPadding: p.10)
        let sameBits = y.scalars.elementsEqual(direct) { $0.bitPattern == $1.bitPattern }
        #expect(sameBits, "the layer's call differs from the phase path's")
        let blas = try DirectGEMM.$engine.withValue(.blas) {
            try Ops.conv2dTranspose(input: x, kernel: w, bias: b, strides: (p.7, p.8), padding: padding,
                                    outputPadding: p.10)
        }
        #expect(blas.shape == y.shape)
        var apart = 0
        for i in 0..<ref.count {
            let bound: Double = 2 * k * 0x1p-24 * mag[i] + 1e-30
            if !(abs(Double(blas.scalars[i]) - Double(y.scalars[i])) <= bound) { apart += 1 }
        }
        #expect(apart == 0, "\(apart) outputs differ from OpenBLAS' by more than the bound")
    }

    @Test("Fused post-ops (BatchNormalization's scale/shift, PReLU per channel and per position, a residual Add) give what the GEMM + col2im path gives",
          arguments: [false, true])
    func postOps(_ byRow: Bool) throws {
        var rng = SeededRandom(seed: byRow ? 31 : 32)
        let (batch, h, w, c, f) = (2, 5, 4, 24, 20)
        let x = rng.tensor([batch, h, w, c]), k = rng.tensor([4, 4, f, c]), b = rng.tensor([f])
        let (oh, ow) = (2 * h, 2 * w)
        var ops: [Ops.PostOp] = [.scaleShift(scale: rng.tensor([f]).scalars, shift: rng.tensor([f]).scalars),
                                 .prelu(alpha: rng.tensor([f]).scalars, period: 1)]
        if byRow {
            // Alphas per output position (PReLU without shared axes: one row of alphas per pixel of an image), and a
            // residual operand of the output's shape.
            ops.append(.prelu(alpha: rng.tensor([oh * ow * f]).scalars, period: oh * ow))
            ops.append(.addTensor(rng.tensor([batch, oh, ow, f])))
        }
        let prepared = Ops.TransposedKernel(k, strides: (2, 2), dilation: (1, 1))
        let y = try Ops.conv2dTranspose(input: x, kernel: prepared, bias: b, strides: (2, 2), padding: .same,
                                        activation: .relu, postOps: ops)
        let blas = try DirectGEMM.$engine.withValue(.blas) {
            try Ops.conv2dTranspose(input: x, kernel: prepared, bias: b, strides: (2, 2), padding: .same,
                                    activation: .relu, postOps: ops)
        }
        #expect(y.shape == [batch, oh, ow, f])
        // The two products agree to rounding (4 taps × 24 channels + the bias, values in [-1, 1]: each within
        // 97·2⁻²⁴·97 of the exact sum); the steps after them multiply that by at most |scale·alpha·alpha| < 1 and add
        // the same residual.
        #expect(closeness(y, blas, rtol: 0, atol: 2 * 97 * 97 * 0x1p-24).ok)
        // Without the post-ops the values differ: they were applied.
        let plain = try Ops.conv2dTranspose(input: x, kernel: prepared, bias: b, strides: (2, 2), padding: .same,
                                            activation: .relu)
        #expect(!closeness(y, plain, rtol: 1e-3, atol: 1e-3).ok)
    }

    @Test("A kernel shorter than its stride (phases without taps) and a dilation take the GEMM + col2im path")
    func declines() throws {
        var rng = SeededRandom(seed: 5)
        let x = rng.tensor([1, 3, 4, 2]), w = rng.tensor([2, 2, 3, 2])
        let rows = try Ops.transposedAxis("t", "height", input: 3, kernel: 2, stride: 3, dilation: 1, padding: .valid,
                                          outputPadding: nil)
        let cols = try Ops.transposedAxis("t", "width", input: 4, kernel: 2, stride: 3, dilation: 1, padding: .valid,
                                          outputPadding: nil)
        let prepared = Ops.TransposedKernel(w, strides: (3, 3), dilation: (1, 1))
        var out = [Float](repeating: 0, count: rows.input * cols.input * 3)
        let ran = x.scalars.withUnsafeBufferPointer { xs in
            out.withUnsafeMutableBufferPointer {
                Ops.transposedDirect(input: xs.baseAddress!, batch: 1, channels: 2, kernel: prepared, filters: 3,
                                     rows: rows, cols: cols, output: $0.baseAddress!, pass: .none)
            }
        }
        #expect(!ran)
        #expect(prepared.phases.isEmpty)
        #expect(Ops.TransposedKernel(w, strides: (2, 2), dilation: (2, 2)).phases.isEmpty)
        // A file's huge stride costs nothing at compile time (no loop over its phases).
        #expect(Ops.TransposedKernel(w, strides: (1 << 40, 1 << 40), dilation: (1, 1)).phases.isEmpty)
        // Still the transposed convolution: the scatter loop's values.
        let y = try Ops.conv2dTranspose(input: x, kernel: prepared, strides: (3, 3), padding: .valid)
        let expected = naiveConvTranspose2d(x, w, strides: (3, 3), same: false)
        #expect(closeness(y, expected, rtol: gemmRtol, atol: gemmAtol).ok)
    }

    @Test("Conv1DTranspose's phases match OpenBLAS' GEMM + col2im")
    func oneDimension() throws {
        var rng = SeededRandom(seed: 9)
        let x = rng.tensor([2, 11, 6]), w = rng.tensor([4, 20, 6]), b = rng.tensor([20])
        for padding in [Ops.Padding.same, .valid] {
            let prepared = Ops.TransposedKernel(w, strides: (1, 2), dilation: (1, 1))
            #expect(prepared.phases.count == (DirectGEMM.available ? 2 : 0))
            let y = try Ops.conv1dTranspose(input: x, kernel: prepared, bias: b, stride: 2, padding: padding,
                                            activation: .relu)
            let blas = try DirectGEMM.$engine.withValue(.blas) {
                try Ops.conv1dTranspose(input: x, kernel: w, bias: b, stride: 2, padding: padding, activation: .relu)
            }
            #expect(y.shape == blas.shape)
            // At most 2 taps × 6 channels + the bias per output, all in [-1, 1]: each path within 13·2⁻²⁴·13 of
            // the exact sum, so the two within twice that.
            #expect(closeness(y, blas, rtol: 0, atol: 2 * 13 * 13 * 0x1p-24).ok)
        }
    }
}
