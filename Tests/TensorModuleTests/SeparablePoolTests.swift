import Testing
@testable import TensorModule
import _TestSupport

/// `Ops.separableConv2dMaxPooled` (a separable convolution and the max pooling of its output, band by band) against
/// `Ops.separableConv2d` then `Ops.maxPool2d`, bit for bit: Xception's 3×3 stride-2 `same` pooling and `valid` 2×2
/// and 3×3 stride-1 ones (windows that overlap by two rows, a band's kept rows), a strided and a dilated separable,
/// batch 1 and 3 (chunks that start mid-image and span images), bands of one pooled row and of many, channel counts
/// that are not multiples of 16, and output passes with BatchNormalization-like scale/shift, ReLU, a PReLU whose
/// alpha changes along the row, and denormal flushes. A pointwise kernel over the banding limit, a pooling window
/// larger than the image and a residual `Add` in the pass are refused (`nil`: the caller runs the two layers).
@Suite("SeparableConv2D joined to the MaxPooling2D after it")
struct SeparablePoolTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var batch: Int, h: Int, w: Int, cin: Int, cout: Int
        var strides: (Int, Int), dilation: (Int, Int), padding: Ops.Padding
        var pool: Ops.MaxPoolWindow
        var testDescription: String {
            "\(batch)×\(h)×\(w)×\(cin)→\(cout) s\(strides) d\(dilation) \(padding), pool \(pool.size) s\(pool.strides) \(pool.padding)"
        }
    }

    static let xceptionPool = Ops.MaxPoolWindow(size: (3, 3), strides: (2, 2), padding: .same)
    static let cases: [Case] = [
        Case(batch: 1, h: 37, w: 35, cin: 40, cout: 48, strides: (1, 1), dilation: (1, 1), padding: .same,
             pool: xceptionPool),
        Case(batch: 3, h: 17, w: 16, cin: 24, cout: 21, strides: (1, 1), dilation: (1, 1), padding: .same,
             pool: xceptionPool),
        Case(batch: 1, h: 30, w: 29, cin: 16, cout: 37, strides: (2, 1), dilation: (1, 1), padding: .valid,
             pool: Ops.MaxPoolWindow(size: (2, 2), strides: (2, 2), padding: .valid)),
        Case(batch: 2, h: 21, w: 23, cin: 19, cout: 32, strides: (1, 1), dilation: (2, 2), padding: .same,
             pool: Ops.MaxPoolWindow(size: (3, 3), strides: (1, 1), padding: .valid)),
        // Rows wide enough that a band holds one pooled row (147 × 128 → 128, as Xception's block2).
        Case(batch: 1, h: 23, w: 147, cin: 128, cout: 128, strides: (1, 1), dilation: (1, 1), padding: .same,
             pool: xceptionPool),
    ]

    @Test("equals the separable convolution then the max pooling, bit for bit", arguments: cases)
    func equalsTwoLayers(_ k: Case) throws {
        try #require(DirectGEMM.available, "the band-fused path needs the AVX2 kernels")
        var rng = SeededRandom(seed: UInt64(k.h * 100 + k.cout))
        let x = rng.tensor([k.batch, k.h, k.w, k.cin])
        let depthwise = rng.tensor([3, 3, k.cin, 1])
        let pointwise = Ops.KernelOperand.packing(rng.tensor([1, 1, k.cin, k.cout]))
        let outW = try WindowAxis.make(operation: "t", axisName: "w", input: k.w, kernel: 3, stride: k.strides.1,
                                       dilation: k.dilation.1, padding: k.padding, zeroPadding: (0, 0)).output
        let tiny = Float(bitPattern: 0x0000_0400)
        let scale = (0..<k.cout).map { i in i % 11 == 0 ? Float(1e-38) : rng.uniform(-2, 2) }
        let shift = (0..<k.cout).map { i in i % 7 == 0 ? tiny : rng.uniform(-1, 1) }
        let alpha = (0..<(outW * k.cout)).map { _ in rng.uniform(-1.5, 2.5) }
        let passes: [(Tensor?, Ops.Activation, [Ops.PostOp])] = [
            (nil, .linear, [.flushDenormals, .scaleShift(scale: scale, shift: shift), .flushDenormals]),
            (rng.tensor([k.cout]), .relu, [.flushDenormals]),
            (nil, .linear, [.flushDenormals, .prelu(alpha: alpha, period: outW), .flushDenormals]),
        ]
        for (i, pass) in passes.enumerated() {
            let conv = try Ops.separableConv2d(input: x, depthwiseKernel: depthwise, pointwiseKernel: pointwise,
                                               bias: pass.0, strides: k.strides, padding: k.padding,
                                               dilation: k.dilation, activation: pass.1, postOps: pass.2)
            let expected = try Ops.maxPool2d(input: conv, poolSize: k.pool.size, strides: k.pool.strides,
                                             padding: k.pool.padding)
            #expect(expected.scalars.contains { $0 != 0 }, "pass \(i): an all-zero output proves nothing")
            let fused = try #require(Ops.separableConv2dMaxPooled(
                input: x, depthwiseKernel: depthwise, pointwiseKernel: pointwise, bias: pass.0, strides: k.strides,
                padding: k.padding, dilation: k.dilation, activation: pass.1, postOps: pass.2, reluInput: false,
                pool: k.pool), "pass \(i): the fused path must run")
            #expect(fused.shape == expected.shape)
            #expect(bitwiseEqual(fused, expected), "pass \(i): \(firstBitwiseDifference(fused, expected))")
        }
    }

    @Test("refused where the two layers must run")
    func refused() throws {
        try #require(DirectGEMM.available, "the band-fused path needs the AVX2 kernels")
        var rng = SeededRandom(seed: 11)
        let x = rng.tensor([1, 9, 9, 8])
        let depthwise = rng.tensor([3, 3, 8, 1])
        let pointwise = Ops.KernelOperand.packing(rng.tensor([1, 1, 8, 16]))
        func run(_ xs: Tensor, _ dw: Tensor, _ pw: Ops.KernelOperand, _ pool: Ops.MaxPoolWindow,
                 _ post: [Ops.PostOp] = []) -> Tensor? {
            Ops.separableConv2dMaxPooled(input: xs, depthwiseKernel: dw, pointwiseKernel: pw, bias: nil,
                                         strides: (1, 1), padding: .same, dilation: (1, 1), activation: .linear,
                                         postOps: post, reluInput: false, pool: pool)
        }
        #expect(run(x, depthwise, pointwise, Self.xceptionPool) != nil)
        // A 10 × 10 valid window over a 9 × 9 output.
        #expect(run(x, depthwise, pointwise, Ops.MaxPoolWindow(size: (10, 10), strides: (1, 1), padding: .valid)) == nil)
        // A residual operand belongs to the unpooled output.
        #expect(run(x, depthwise, pointwise, Self.xceptionPool, [.addTensor(rng.tensor([1, 9, 9, 16]))]) == nil)
        // A pointwise kernel past the banding limit (every band would stream it from L3).
        let wide = rng.tensor([1, 9, 9, 300])
        let large = Ops.KernelOperand.packing(rng.tensor([1, 1, 300, 300]))
        #expect(run(wide, rng.tensor([3, 3, 300, 1]), large, Self.xceptionPool) == nil)
    }
}
