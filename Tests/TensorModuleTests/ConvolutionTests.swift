import Testing
@testable import TensorModule
import _TestSupport

// Naive references: direct loops over the definition, with padding computed here from the
// TensorFlow formula (independently of the kernel code).

/// TF "same": pad_total = max((ceil(in/s) - 1)·s + (k-1)·d + 1 - in, 0); before = total / 2.
func samePadding(_ input: Int, _ k: Int, _ s: Int, _ d: Int) -> (out: Int, before: Int) {
    let out = (input + s - 1) / s
    let total = max((out - 1) * s + (k - 1) * d + 1 - input, 0)
    return (out, total / 2)
}

func naiveConv2d(_ x: Tensor, _ w: Tensor, _ b: Tensor?, strides: (Int, Int), same: Bool,
                 dilation: (Int, Int), groups: Int, padBefore: (Int, Int)? = nil, outSize: (Int, Int)? = nil) -> Tensor {
    let (n, h, wd) = (x.shape[0], x.shape[1], x.shape[2])
    let (kh, kw, cin, f) = (w.shape[0], w.shape[1], w.shape[2], w.shape[3])
    var oh = (h - (kh - 1) * dilation.0 - 1) / strides.0 + 1, ow = (wd - (kw - 1) * dilation.1 - 1) / strides.1 + 1
    var (pt, pl) = (0, 0)
    if same {
        (oh, pt) = samePadding(h, kh, strides.0, dilation.0)
        (ow, pl) = samePadding(wd, kw, strides.1, dilation.1)
    }
    if let padBefore { (pt, pl) = padBefore }
    if let outSize { (oh, ow) = outSize }
    let coutG = f / groups
    var y = Tensor(shape: [n, oh, ow, f], repeating: 0)
    for bi in 0..<n { for i in 0..<oh { for j in 0..<ow { for o in 0..<f {
        let g = o / coutG
        var s: Float = 0
        for a in 0..<kh { for bb in 0..<kw { for ci in 0..<cin {
            let ih = i * strides.0 - pt + a * dilation.0, iw = j * strides.1 - pl + bb * dilation.1
            if ih < 0 || ih >= h || iw < 0 || iw >= wd { continue }
            s += x[[bi, ih, iw, g * cin + ci]] * w[[a, bb, ci, o]]
        } } }
        y[[bi, i, j, o]] = s + (b?.scalars[o] ?? 0)
    } } } }
    return y
}

func naiveDepthwise(_ x: Tensor, _ w: Tensor, strides: (Int, Int), same: Bool, dilation: (Int, Int)) -> Tensor {
    let (n, h, wd, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (kh, kw, dm) = (w.shape[0], w.shape[1], w.shape[3])
    var oh = (h - (kh - 1) * dilation.0 - 1) / strides.0 + 1, ow = (wd - (kw - 1) * dilation.1 - 1) / strides.1 + 1
    var (pt, pl) = (0, 0)
    if same {
        (oh, pt) = samePadding(h, kh, strides.0, dilation.0)
        (ow, pl) = samePadding(wd, kw, strides.1, dilation.1)
    }
    var y = Tensor(shape: [n, oh, ow, c * dm], repeating: 0)
    for bi in 0..<n { for i in 0..<oh { for j in 0..<ow { for ci in 0..<c { for m in 0..<dm {
        var s: Float = 0
        for a in 0..<kh { for bb in 0..<kw {
            let ih = i * strides.0 - pt + a * dilation.0, iw = j * strides.1 - pl + bb * dilation.1
            if ih < 0 || ih >= h || iw < 0 || iw >= wd { continue }
            s += x[[bi, ih, iw, ci]] * w[[a, bb, ci, m]]
        } }
        y[[bi, i, j, ci * dm + m]] = s
    } } } } }
    return y
}

/// Scatter form of the transposed convolution: out[h·s − pad + i·d] += x[h] · k[i, f, c].
func naiveConvTranspose2d(_ x: Tensor, _ w: Tensor, strides: (Int, Int), same: Bool, outputPadding: (Int, Int)? = nil) -> Tensor {
    let (n, h, wd, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (kh, kw, f) = (w.shape[0], w.shape[1], w.shape[2])
    func length(_ i: Int, _ k: Int, _ s: Int, _ op: Int?) -> Int {
        if let op { return (i - 1) * s + k - 2 * (same ? k / 2 : 0) + op }
        return same ? i * s : i * s + max(k - s, 0)
    }
    let oh = length(h, kh, strides.0, outputPadding?.0), ow = length(wd, kw, strides.1, outputPadding?.1)
    let pt = same ? samePadding(oh, kh, strides.0, 1).before : 0
    let pl = same ? samePadding(ow, kw, strides.1, 1).before : 0
    var y = Tensor(shape: [n, oh, ow, f], repeating: 0)
    for bi in 0..<n { for i in 0..<h { for j in 0..<wd { for a in 0..<kh { for bb in 0..<kw {
        let oi = i * strides.0 - pt + a, oj = j * strides.1 - pl + bb
        if oi < 0 || oi >= oh || oj < 0 || oj >= ow { continue }
        for o in 0..<f { for ci in 0..<c { y[[bi, oi, oj, o]] += x[[bi, i, j, ci]] * w[[a, bb, o, ci]] } }
    } } } } }
    return y
}

/// GEMM-based kernels sum in a different order than the loops above: rtol 1e-5 plus atol 1e-5
/// (sums of ~100 products of values in [-1, 1], whose partial sums cancel).
let gemmRtol: Float = 1e-5, gemmAtol: Float = 1e-5

@Suite("Convolution")
struct ConvolutionTests {
    @Test("conv2d matches the naive loop", arguments: [
        // (h, w, c, kh, kw, f, sh, sw, dh, dw, groups, same)
        (7, 6, 3, 3, 3, 4, 1, 1, 1, 1, 1, true),
        (7, 6, 3, 3, 3, 4, 1, 1, 1, 1, 1, false),
        (9, 8, 4, 2, 4, 6, 2, 3, 1, 1, 1, true),
        (9, 8, 4, 2, 4, 6, 2, 3, 1, 1, 1, false),
        (10, 9, 6, 3, 2, 4, 1, 2, 2, 3, 2, true),
        (10, 9, 6, 3, 3, 6, 2, 2, 1, 1, 3, false),
        (5, 5, 8, 1, 1, 5, 1, 1, 1, 1, 1, false),   // 1×1 fast path
        (5, 5, 8, 1, 1, 4, 2, 2, 1, 1, 1, true),    // 1×1 strided
        (4, 4, 2, 5, 5, 3, 1, 1, 1, 1, 1, true),    // kernel larger than input
    ])
    func conv2d(_ p: (Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Bool)) throws {
        var rng = SeededRandom(seed: UInt64(p.0 * 1000 + p.3 * 10 + p.6))
        let x = rng.tensor([2, p.0, p.1, p.2])
        let w = rng.tensor([p.3, p.4, p.2 / p.10, p.5])
        let b = rng.tensor([p.5])
        let y = try Ops.conv2d(input: x, kernel: w, bias: b, strides: (p.6, p.7), padding: p.11 ? .same : .valid,
                               dilation: (p.8, p.9), groups: p.10)
        let expected = naiveConv2d(x, w, b, strides: (p.6, p.7), same: p.11, dilation: (p.8, p.9), groups: p.10)
        #expect(y.shape == expected.shape)
        let c = closeness(y, expected, rtol: gemmRtol, atol: gemmAtol)
        #expect(c.ok, "\(c)")
    }

    @Test("Grouped conv2d with the kernel packed per group (the direct path) matches the naive loop and OpenBLAS",
          .enabled(if: DirectGEMM.available, "this CPU has no AVX2/FMA"), arguments: [
        // (h, w, channels, kh, kw, filters, stride, dilation, groups, same): groups of 8 output columns (the narrow
        // kernel), 24 and 40 (panels with an edge), fewer groups than two per core (products split by rows) and
        // many (the cores split the groups), strides, dilation, a kernel larger than the input, batch 2.
        (9, 9, 16, 3, 3, 16, 1, 1, 2, true),
        (9, 7, 48, 3, 3, 48, 2, 1, 2, true),
        (8, 8, 96, 3, 3, 96, 1, 1, 4, true),
        (6, 6, 120, 3, 3, 240, 1, 2, 3, true),
        (7, 7, 64, 3, 3, 64, 1, 1, 8, false),
        (5, 5, 368, 3, 3, 368, 1, 1, 46, true),
        (3, 3, 32, 5, 5, 32, 1, 1, 4, true),
        (10, 10, 24, 1, 3, 48, 2, 1, 3, true),
    ])
    func groupedDirect(_ p: (Int, Int, Int, Int, Int, Int, Int, Int, Int, Bool)) throws {
        var rng = SeededRandom(seed: UInt64(p.2 * 100 + p.8))
        let x = rng.tensor([2, p.0, p.1, p.2])
        let w = rng.tensor([p.3, p.4, p.2 / p.8, p.5])
        let b = rng.tensor([p.5])
        let operand = Ops.KernelOperand.packingGroups(w, groups: p.8)
        #expect(operand.groupKernels.count == p.8)
        let run = { (kernel: Ops.KernelOperand) throws -> Tensor in
            try Ops.conv2d(input: x, kernel: kernel, bias: b, strides: (p.6, p.6), padding: p.9 ? .same : .valid,
                           dilation: (p.7, p.7), groups: p.8, activation: .relu)
        }
        let y = try run(operand)
        let blas = try DirectGEMM.$engine.withValue(.blas) { try run(operand) }
        var expected = naiveConv2d(x, w, b, strides: (p.6, p.6), same: p.9, dilation: (p.7, p.7), groups: p.8)
        expected = Tensor(shape: expected.shape, scalars: expected.scalars.map { max($0, 0) })
        #expect(y.shape == expected.shape)
        let c = closeness(y, expected, rtol: gemmRtol, atol: gemmAtol)
        #expect(c.ok, "against the naive loop: \(c)")
        let d = closeness(y, blas, rtol: gemmRtol, atol: gemmAtol)
        #expect(d.ok, "against OpenBLAS: \(d)")
        // A kernel with one input channel per group (depthwise) is not packed per group.
        #expect(Ops.KernelOperand.packingGroups(rng.tensor([3, 3, 1, 8]), groups: 8).groupKernels.isEmpty)
    }

    @Test("Kernel rows and columns that only meet padding are cut off: the taps a window reaches")
    func reachedTaps() throws {
        func taps(input: Int, kernel: Int, stride: Int = 1, dilation: Int = 1, same: Bool = true) throws -> Range<Int> {
            try WindowAxis.make(operation: "test", axisName: "height", input: input, kernel: kernel, stride: stride,
                                dilation: dilation, padding: same ? .same : .valid).reachedTaps
        }
        #expect(try taps(input: 1, kernel: 3) == 1..<2)                 // a 3×3 `same` layer on one pixel: the centre
        #expect(try taps(input: 1, kernel: 7) == 3..<4)
        #expect(try taps(input: 2, kernel: 7) == 2..<5)                 // InceptionV3's 1×7 on two pixels
        #expect(try taps(input: 1, kernel: 3, stride: 2) == 1..<2)
        #expect(try taps(input: 2, kernel: 3) == 0..<3)                 // every tap reaches a pixel
        #expect(try taps(input: 7, kernel: 3) == 0..<3)
        #expect(try taps(input: 5, kernel: 3, same: false) == 0..<3)    // `valid` windows lie inside the input
        #expect(try taps(input: 1, kernel: 1) == 0..<1)
        #expect(try taps(input: 1, kernel: 3, dilation: 2) == 1..<2)
        let axis = try WindowAxis.make(operation: "test", axisName: "height", input: 1, kernel: 3, stride: 1,
                                       dilation: 1, padding: .same)
        let cut = axis.cut(to: 1..<2)
        #expect(cut.kernel == 1 && cut.padBefore == 0 && cut.output == 1 && cut.input == 1)
    }

    @Test("conv2d with kernel taps that only meet padding (cut off) matches the naive loop, packed or not", arguments: [
        // (h, w, channels, kh, kw, filters, stride, groups)
        (1, 1, 5, 3, 3, 4, 1, 1),
        (1, 1, 4, 3, 3, 4, 2, 1),
        (1, 6, 4, 3, 3, 6, 1, 2),
        (3, 1, 6, 1, 3, 6, 1, 3),
        (2, 2, 8, 7, 1, 8, 1, 1),
        (1, 1, 16, 3, 3, 16, 1, 16),
    ])
    func cutTaps(_ p: (Int, Int, Int, Int, Int, Int, Int, Int)) throws {
        var rng = SeededRandom(seed: UInt64(p.0 * 100 + p.1 * 10 + p.7))
        let x = rng.tensor([2, p.0, p.1, p.2])
        let w = rng.tensor([p.3, p.4, p.2 / p.7, p.5])
        let b = rng.tensor([p.5])
        let expected = naiveConv2d(x, w, b, strides: (p.6, p.6), same: true, dilation: (1, 1), groups: p.7)
        let operands = [Ops.KernelOperand(w, packed: nil),
                        p.7 == 1 ? .packing(w) : .packingGroups(w, groups: p.7)]
        for operand in operands {
            for _ in 0..<2 {   // the second call takes the kept cut kernel
                let y = try Ops.conv2d(input: x, kernel: operand, bias: b, strides: (p.6, p.6), padding: .same,
                                       groups: p.7)
                #expect(y.shape == expected.shape)
                let c = closeness(y, expected, rtol: gemmRtol, atol: gemmAtol)
                #expect(c.ok, "\(c)")
                #expect(operand.keptCuts == 1, "every case cuts taps off one axis or both: one cut kernel kept")
            }
        }
    }

    @Test func conv2dSamePaddingShapes() throws {
        // Keras "same": out = ceil(in / stride), independent of kernel size and dilation.
        for (input, k, s, d) in [(7, 3, 2, 1), (8, 4, 3, 1), (5, 3, 1, 2), (1, 3, 2, 1), (6, 1, 4, 1)] {
            let x = Tensor(shape: [1, input, input, 1], repeating: 1)
            let w = Tensor(shape: [k, k, 1, 1], repeating: 1)
            let y = try Ops.conv2d(input: x, kernel: w, strides: (s, s), padding: .same, dilation: (d, d))
            let out = (input + s - 1) / s
            #expect(y.shape == [1, out, out, 1])
        }
        // Even kernel, stride 1, input 4: pad_total 1 → before 0, after 1. The window of output 0 covers
        // inputs 0 and 1; the last output covers input 3 and the pad.
        let x = Tensor(shape: [1, 1, 4, 1], scalars: [1, 2, 3, 4])
        let y = try Ops.conv2d(input: x, kernel: Tensor(shape: [1, 2, 1, 1], scalars: [1, 10]), padding: .same)
        #expect(y.scalars == [21, 32, 43, 4])
    }

    @Test func conv1dPaddingModes() throws {
        var rng = SeededRandom(seed: 11)
        let x = rng.tensor([2, 13, 4])
        let w = rng.tensor([3, 2, 6])
        let b = rng.tensor([6])
        for (padding, stride, dilation) in [(Ops.Padding.valid, 1, 1), (.same, 2, 1), (.causal, 1, 2), (.causal, 3, 1), (.same, 1, 3)] {
            let y = try Ops.conv1d(input: x, kernel: w, bias: b, stride: stride, padding: padding, dilation: dilation, groups: 2)
            // The kernel packed per group (as a compiled Conv1D holds it) gives the same values.
            let grouped = try Ops.conv1d(input: x, kernel: .packingGroups(w, groups: 2), bias: b, stride: stride,
                                         padding: padding, dilation: dilation, groups: 2)
            // Reference: the 2-D loop with height 1; causal = (k-1)·d zeros before, output ceil(in/stride).
            let x4 = Tensor(shape: [2, 1, 13, 4], scalars: x.scalars)
            let w4 = Tensor(shape: [1, 3, 2, 6], scalars: w.scalars)
            let expected: Tensor
            if padding == .causal {
                let out = (13 + stride - 1) / stride
                expected = naiveConv2d(x4, w4, b, strides: (1, stride), same: false, dilation: (1, dilation), groups: 2,
                                       padBefore: (0, 2 * dilation), outSize: (1, out))
            } else {
                expected = naiveConv2d(x4, w4, b, strides: (1, stride), same: padding == .same, dilation: (1, dilation), groups: 2)
            }
            #expect(y.shape == [2, expected.shape[2], 6])
            let c = closeness(y, Tensor(shape: y.shape, scalars: expected.scalars), rtol: gemmRtol, atol: gemmAtol)
            #expect(c.ok, "\(padding) stride \(stride) dilation \(dilation): \(c)")
            let g = closeness(grouped, Tensor(shape: y.shape, scalars: expected.scalars), rtol: gemmRtol, atol: gemmAtol)
            #expect(g.ok, "packed per group, \(padding) stride \(stride) dilation \(dilation): \(g)")
        }
    }

    @Test func fusedActivation() throws {
        var rng = SeededRandom(seed: 5)
        let x = rng.tensor([1, 6, 6, 3]), w = rng.tensor([3, 3, 3, 4]), b = rng.tensor([4])
        let plain = try Ops.conv2d(input: x, kernel: w, bias: b, padding: .same)
        let fused = try Ops.conv2d(input: x, kernel: w, bias: b, padding: .same, activation: .relu6)
        #expect(bitwiseEqual(fused, try Ops.activation(.relu6, input: plain)))
        let soft = try Ops.conv2d(input: x, kernel: w, bias: b, padding: .same, activation: .softmax(axis: -1))
        #expect(bitwiseEqual(soft, try Ops.softmax(input: plain, axis: -1)))
    }

    @Test("depthwiseConv2d matches the naive loop", arguments: [
        // (h, w, c, kh, kw, dm, sh, sw, dh, dw, same)
        (7, 7, 5, 3, 3, 1, 1, 1, 1, 1, true),
        (8, 7, 3, 3, 2, 2, 2, 1, 1, 1, false),
        (9, 9, 17, 3, 3, 1, 2, 2, 1, 1, true),
        (9, 10, 4, 3, 3, 3, 1, 1, 2, 2, true),
    ])
    func depthwise(_ p: (Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Bool)) throws {
        var rng = SeededRandom(seed: UInt64(p.2 * 100 + p.5))
        let x = rng.tensor([2, p.0, p.1, p.2]), w = rng.tensor([p.3, p.4, p.2, p.5]), b = rng.tensor([p.2 * p.5])
        let y = try Ops.depthwiseConv2d(input: x, kernel: w, bias: b, strides: (p.6, p.7), padding: p.10 ? .same : .valid,
                                        dilation: (p.8, p.9))
        var expected = naiveDepthwise(x, w, strides: (p.6, p.7), same: p.10, dilation: (p.8, p.9))
        for i in 0..<expected.count { expected.scalars[i] += b.scalars[i % (p.2 * p.5)] }
        let c = closeness(y, expected, rtol: gemmRtol, atol: gemmAtol)
        #expect(c.ok, "\(c)")
    }

    /// The AVX2 row kernel (sums in registers) and the portable loop compute each value as 0 + x·w + … over the
    /// taps inside the input in kernel-row-major order, as the naive loop does: identical bits (bias added after).
    @Test("depthwiseConv2d equals the naive loop bit for bit", arguments: [
        // (h, w, c, kh, kw, sh, sw, dh, dw, same)
        (7, 7, 5, 3, 3, 1, 1, 1, 1, true),
        (9, 9, 17, 3, 3, 2, 2, 1, 1, true),
        (12, 11, 96, 3, 3, 2, 2, 1, 1, false),
        (10, 9, 44, 5, 5, 1, 1, 1, 1, true),
        (9, 10, 40, 3, 2, 1, 2, 2, 3, true),
        (8, 8, 33, 7, 7, 1, 1, 1, 1, true),
    ])
    func depthwiseBitwise(_ p: (Int, Int, Int, Int, Int, Int, Int, Int, Int, Bool)) throws {
        var rng = SeededRandom(seed: UInt64(p.2 * 7 + p.3))
        let x = rng.tensor([2, p.0, p.1, p.2]), w = rng.tensor([p.3, p.4, p.2, 1]), b = rng.tensor([p.2])
        var expected = naiveDepthwise(x, w, strides: (p.5, p.6), same: p.9, dilation: (p.7, p.8))
        for i in 0..<expected.count { expected.scalars[i] += b.scalars[i % p.2] }
        for engine in [DirectGEMM.Engine.automatic, .blas] {   // the AVX2 row kernel, the portable loop
            let y = try DirectGEMM.$engine.withValue(engine) {
                try Ops.depthwiseConv2d(input: x, kernel: w, bias: b, strides: (p.5, p.6),
                                        padding: p.9 ? .same : .valid, dilation: (p.7, p.8))
            }
            #expect(bitwiseEqual(y, expected), "\(engine): \(firstBitwiseDifference(y, expected))")
        }
    }

    /// A folded ZeroPadding2D: the convolution with `zeroPadding` equals the convolution of the padded copy, bit
    /// for bit (a tap on a padding zero adds x·0 = +0 to a sum that starts at +0, which changes no value).
    @Test("zeroPadding folded into depthwiseConv2d and conv2d equals padding first", arguments: [
        // (h, w, c, k, stride, dilation, top, bottom, left, right, same, dm)
        (9, 10, 20, 3, 2, 1, 0, 1, 1, 2, false, 1),
        (8, 8, 16, 3, 2, 1, 1, 1, 1, 1, false, 1),
        (7, 9, 5, 3, 1, 2, 2, 0, 0, 3, true, 1),
        (6, 7, 3, 7, 2, 1, 3, 3, 3, 3, false, 1),
        (6, 6, 4, 3, 1, 1, 1, 2, 2, 1, true, 2),
        (5, 5, 9, 2, 1, 1, 0, 0, 4, 0, false, 1),
    ])
    func zeroPaddingFolded(_ p: (Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Bool, Int)) throws {
        var rng = SeededRandom(seed: UInt64(p.0 * 31 + p.2 + p.3))
        let x = rng.tensor([2, p.0, p.1, p.2])
        let pads = ((p.6, p.7), (p.8, p.9))
        let padded = try Ops.zeroPadding2d(input: x, padding: pads)
        let padding: Ops.Padding = p.10 ? .same : .valid
        let dw = rng.tensor([p.3, p.3, p.2, p.11]), db = rng.tensor([p.2 * p.11])
        let scale = (0..<(p.2 * p.11)).map { Float($0 % 5) * 0.3 - 0.6 }, shift = scale.map { $0 * 0.5 + 0.1 }
        let post: [Ops.PostOp] = [.flushDenormals, .scaleShift(scale: scale, shift: shift), .flushDenormals]
        for engine in [DirectGEMM.Engine.automatic, .blas] {
            let folded = try DirectGEMM.$engine.withValue(engine) {
                try Ops.depthwiseConv2d(input: x, kernel: dw, bias: db, strides: (p.4, p.4), padding: padding,
                                        dilation: (p.5, p.5), zeroPadding: pads, activation: .relu6, postOps: post)
            }
            let reference = try Ops.applyingPostOps(post, to: try DirectGEMM.$engine.withValue(engine) {
                try Ops.depthwiseConv2d(input: padded, kernel: dw, bias: db, strides: (p.4, p.4), padding: padding,
                                        dilation: (p.5, p.5), activation: .relu6)
            })
            #expect(bitwiseEqual(folded, reference), "depthwise \(engine): \(firstBitwiseDifference(folded, reference))")
        }
        let cw = rng.tensor([p.3, p.3, p.2, 6]), cb = rng.tensor([6])
        for engine in [DirectGEMM.Engine.automatic, .blas] {
            let a = try DirectGEMM.$engine.withValue(engine) {
                try Ops.conv2d(input: x, kernel: cw, bias: cb, strides: (p.4, p.4), padding: padding,
                               dilation: (p.5, p.5), zeroPadding: pads, activation: .relu)
            }
            let b = try DirectGEMM.$engine.withValue(engine) {
                try Ops.conv2d(input: padded, kernel: cw, bias: cb, strides: (p.4, p.4), padding: padding,
                               dilation: (p.5, p.5), activation: .relu)
            }
            #expect(bitwiseEqual(a, b), "conv2d \(engine): \(firstBitwiseDifference(a, b))")
        }
        #expect(throws: TensorError.self) {
            try Ops.depthwiseConv2d(input: x, kernel: dw, zeroPadding: ((-1, 0), (0, 0)))
        }
    }

    @Test func separableIsDepthwiseThenPointwise() throws {
        var rng = SeededRandom(seed: 9)
        let x = rng.tensor([1, 8, 8, 3]), dw = rng.tensor([3, 3, 3, 2]), pw = rng.tensor([1, 1, 6, 5]), b = rng.tensor([5])
        let y = try Ops.separableConv2d(input: x, depthwiseKernel: dw, pointwiseKernel: pw, bias: b, strides: (2, 2), padding: .same)
        let mid = naiveDepthwise(x, dw, strides: (2, 2), same: true, dilation: (1, 1))
        let expected = naiveConv2d(mid, pw, b, strides: (1, 1), same: false, dilation: (1, 1), groups: 1)
        #expect(closeness(y, expected, rtol: gemmRtol, atol: gemmAtol).ok)
        let x1 = rng.tensor([2, 9, 3]), dw1 = rng.tensor([3, 3, 1]), pw1 = rng.tensor([1, 3, 4])
        let y1 = try Ops.separableConv1d(input: x1, depthwiseKernel: dw1, pointwiseKernel: pw1, padding: .causal)
        #expect(y1.shape == [2, 9, 4])
    }

    @Test("conv2dTranspose matches the scatter loop", arguments: [
        // (h, w, c, kh, kw, f, sh, sw, same)
        (4, 5, 3, 3, 3, 2, 2, 2, true),
        (4, 5, 3, 3, 3, 2, 2, 2, false),
        (3, 3, 2, 2, 2, 4, 2, 2, true),
        (3, 4, 2, 2, 3, 3, 3, 3, false),   // kernel < stride: valid gives in·s
        (5, 3, 4, 4, 1, 2, 1, 1, true),
        (2, 2, 3, 5, 5, 2, 2, 3, false),
    ])
    func convTranspose(_ p: (Int, Int, Int, Int, Int, Int, Int, Int, Bool)) throws {
        var rng = SeededRandom(seed: UInt64(p.0 * 31 + p.3 * 7 + p.6))
        let x = rng.tensor([2, p.0, p.1, p.2]), w = rng.tensor([p.3, p.4, p.5, p.2]), b = rng.tensor([p.5])
        let y = try Ops.conv2dTranspose(input: x, kernel: w, bias: b, strides: (p.6, p.7), padding: p.8 ? .same : .valid)
        var expected = naiveConvTranspose2d(x, w, strides: (p.6, p.7), same: p.8)
        for i in 0..<expected.count { expected.scalars[i] += b.scalars[i % p.5] }
        let oh = p.8 ? p.0 * p.6 : p.0 * p.6 + max(p.3 - p.6, 0)
        #expect(y.shape == [2, oh, p.8 ? p.1 * p.7 : p.1 * p.7 + max(p.4 - p.7, 0), p.5])
        #expect(closeness(y, expected, rtol: gemmRtol, atol: gemmAtol).ok)
    }

    @Test func convTransposeOutputPaddingAnd1D() throws {
        var rng = SeededRandom(seed: 77)
        let x = rng.tensor([1, 3, 3, 2]), w = rng.tensor([3, 3, 4, 2])
        let y = try Ops.conv2dTranspose(input: x, kernel: w, strides: (2, 2), padding: .same, outputPadding: (1, 0))
        #expect(y.shape == [1, 6, 5, 4])   // (3-1)·2 + 3 - 2·1 + op
        let expected = naiveConvTranspose2d(x, w, strides: (2, 2), same: true, outputPadding: (1, 0))
        #expect(closeness(y, expected, rtol: gemmRtol, atol: gemmAtol).ok)
        let x1 = rng.tensor([2, 5, 3]), w1 = rng.tensor([4, 2, 3])
        let y1 = try Ops.conv1dTranspose(input: x1, kernel: w1, stride: 2, padding: .valid)
        #expect(y1.shape == [2, 12, 2])    // 5·2 + max(4 - 2, 0)
        let e1 = naiveConvTranspose2d(Tensor(shape: [2, 1, 5, 3], scalars: x1.scalars),
                                      Tensor(shape: [1, 4, 2, 3], scalars: w1.scalars), strides: (1, 2), same: false)
        #expect(closeness(y1, Tensor(shape: [2, 12, 2], scalars: e1.scalars), rtol: gemmRtol, atol: gemmAtol).ok)
    }

    @Test func shapeErrorsThrow() {
        let x = Tensor(shape: [1, 5, 5, 3], repeating: 1)
        #expect(throws: TensorError.self) { try Ops.conv2d(input: x, kernel: Tensor(shape: [3, 3, 4, 2], repeating: 1)) }
        #expect(throws: TensorError.self) { try Ops.conv2d(input: x, kernel: Tensor(shape: [3, 3, 3, 2], repeating: 1), strides: (0, 1)) }
        #expect(throws: TensorError.self) { try Ops.conv2d(input: x, kernel: Tensor(shape: [7, 7, 3, 2], repeating: 1)) }
        #expect(throws: TensorError.self) { try Ops.conv2d(input: x, kernel: Tensor(shape: [3, 3, 3, 2], repeating: 1), bias: Tensor(shape: [3], repeating: 0)) }
        #expect(throws: TensorError.self) { try Ops.conv2d(input: x, kernel: Tensor(shape: [3, 3, 1, 2], repeating: 1), groups: 3) }
        #expect(throws: TensorError.self) { try Ops.conv2d(input: x, kernel: Tensor(shape: [3, 3, 3, 2], repeating: 1), padding: .causal) }
        #expect(throws: TensorError.self) { try Ops.depthwiseConv2d(input: x, kernel: Tensor(shape: [3, 3, 2, 1], repeating: 1)) }
        #expect(throws: TensorError.self) { try Ops.conv2dTranspose(input: x, kernel: Tensor(shape: [3, 3, 2, 4], repeating: 1)) }
        do {
            _ = try Ops.conv2d(input: x, kernel: Tensor(shape: [3, 3, 4, 2], repeating: 1))
        } catch {
            #expect(error.description == "conv2d: kernel [3, 3, 4, 2] expects 4 input channels (groups 1), input [1, 5, 5, 3] has 3")
        }
    }
}
