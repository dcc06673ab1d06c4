import Testing
@testable import TensorModule
import _TestSupport

/// The band-fused `SeparableConv2D` (Ops+SeparableBand.swift: per band of output lines, the depthwise rows into a
/// scratch buffer and the pointwise GEMM over them, the output pass on the band's rows) against the unfused
/// computation (the whole depthwise tensor, then the 1×1 convolution through the same direct GEMM), bit for bit, on
/// band lengths that split images, batches and the GEMM's 6-row tiles; and the direct GEMM's values against the rows
/// a call covers, the property the banding rests on.
@Suite("SeparableConv2D bands", .enabled(if: DirectGEMM.available, "this CPU has no AVX2/FMA (no banded path)"))
struct SeparableBandTests {
    /// (batch, h, w, channels, filters, kernel, stride, same)
    typealias Shape = (Int, Int, Int, Int, Int, Int, Int, Bool)

    /// The unfused path: `depthwiseConv2d` then `conv2d` with the 1×1 kernel.
    static func unfused(_ x: Tensor, _ dw: Tensor, _ pw: Ops.KernelOperand, _ bias: Tensor?, stride: Int,
                        padding: Ops.Padding, activation: Ops.Activation, postOps: [Ops.PostOp]) throws -> Tensor {
        let mid = try Ops.depthwiseConv2d(input: x, kernel: dw, strides: (stride, stride), padding: padding)
        return try Ops.conv2d(input: mid, kernel: pw, bias: bias, activation: activation, postOps: postOps)
    }

    @Test("Banded SeparableConv2D equals depthwise then pointwise bit for bit", arguments: [
        (1, 9, 9, 13, 20, 3, 1, true),      // channels and filters not multiples of 8 / 16
        (3, 8, 7, 13, 10, 3, 2, false),     // batch 3, stride 2 valid, filters < 12 (the narrow GEMM kernel)
        (1, 11, 23, 24, 33, 5, 1, true),    // 5×5, out_w 23
        (3, 10, 10, 40, 48, 5, 2, true),    // 5×5 stride 2 same over a batch
        (2, 7, 3, 5, 17, 3, 1, false),      // out_w 1
        (1, 6, 61, 19, 16, 3, 1, true),     // a wide row (61 pixels: 10 tiles and a partial one per line)
        (2, 5, 6, 300, 20, 3, 1, true),     // K 300: two K slices (256 + 44) in the GEMM
        (1, 5, 5, 520, 40, 3, 2, true),     // K 520: three K slices, stride 2
        (1, 12, 12, 24, 80, 3, 1, true),    // 144 rows, 5 panels: the unfused GEMM splits columns, the bands rows
        (2, 6, 7, 300, 5, 3, 1, true),      // the narrow kernel over K 300 (not a multiple of 8)
    ] as [Shape])
    func bandedEqualsUnfused(_ s: Shape) throws {
        let (batch, h, w, c, f, k, stride, same) = s
        var rng = SeededRandom(seed: UInt64(batch * 100_003 + h * 1009 + w * 101 + c * 7 + f))
        let x = rng.tensor([batch, h, w, c]), dw = rng.tensor([k, k, c, 1])
        let pw = Ops.KernelOperand.packing(rng.tensor([1, 1, c, f]))
        let bias = rng.tensor([f])
        let padding: Ops.Padding = same ? .same : .valid
        let outH = same ? (h + stride - 1) / stride : (h - k) / stride + 1
        let outW = same ? (w + stride - 1) / stride : (w - k) / stride + 1
        let lines = batch * outH, count = lines * outW * f
        let scale = (0..<f).map { _ in rng.uniform(0.5, 1.5) }, shift = (0..<f).map { _ in rng.uniform(-0.5, 0.5) }
        let residual = rng.tensor([batch, outH, outW, f])
        // PReLU's alpha row depends on the row's index in the whole output: a period that is not a multiple of a band.
        let period = outW + 1
        let alpha = (0..<(period * f)).map { _ in rng.uniform(-1, 1) }
        let passes: [(String, Tensor?, Ops.Activation, [Ops.PostOp])] = [
            ("linear", nil, .linear, []),
            ("bias relu", bias, .relu, []),
            ("bn relu", nil, .linear, [.scaleShift(scale: scale, shift: shift), .activation(.relu)]),
            ("bias bn add", bias, .linear, [.scaleShift(scale: scale, shift: shift), .addTensor(residual)]),
            ("bias tanh prelu add", bias, .tanh, [.prelu(alpha: alpha, period: period), .addTensor(residual)]),
        ]
        // Band counts: one band, two, three, lines / 2 (bands of two lines or so) and one line each (bands ending inside
        // an image at batch > 1); and the default choice (nil: may be the unfused path for small shapes, which must
        // agree as well).
        for bands in [1, 2, 3, max(1, lines / 2), lines, nil] as [Int?] {
            for (name, b, activation, postOps) in passes {
                let expected = try Self.unfused(x, dw, pw, b, stride: stride, padding: padding,
                                                activation: activation, postOps: postOps)
                #expect(expected.count == count)
                if let bands {
                    let banded = Ops.separableConv2dBanded(input: x, depthwiseKernel: dw, pointwiseKernel: pw,
                                                           bias: b, strides: (stride, stride), padding: padding,
                                                           dilation: (1, 1), activation: activation,
                                                           postOps: postOps, bands: bands)
                    #expect(banded != nil, "the banded path did not apply (\(name), \(bands) bands)")
                    if let banded {
                        #expect(banded.shape == expected.shape)
                        let same = bitwiseEqual(banded, expected)
                        #expect(same,
                                "\(name), \(bands) bands: \(firstBitwiseDifference(banded, expected))")
                    }
                }
                let y = try Ops.separableConv2d(input: x, depthwiseKernel: dw, pointwiseKernel: pw, bias: b,
                                                strides: (stride, stride), padding: padding, activation: activation,
                                                postOps: postOps)
                let same = bitwiseEqual(y, expected)
                #expect(same, "\(name), default: \(firstBitwiseDifference(y, expected))")
            }
        }
    }

    /// The depthwise stage reading the ReLU of its input (a ReLU layer before the SeparableConv2D, folded by the
    /// plan): banded and unfused, against the layer on the ReLU'd input, bit for bit.
    @Test("Banded and unfused SeparableConv2D read the ReLU of their input", arguments: [
        (2, 9, 9, 13, 20, 3, 1, true), (1, 8, 7, 300, 24, 3, 2, false), (1, 6, 61, 19, 16, 3, 1, true),
    ] as [Shape])
    func reluInput(_ s: Shape) throws {
        let (batch, h, w, c, f, k, stride, same) = s
        var rng = SeededRandom(seed: UInt64(batch * 7 + h * 1009 + w * 101 + c))
        // ±0 and negatives (NaN and ±∞ are covered by the depthwise kernel's own test: here the pointwise product
        // would spread one to every output of its pixel).
        let special: [Float] = [0, -0.0]
        let x = Tensor(shape: [batch, h, w, c], scalars: (0..<(batch * h * w * c)).map { (i: Int) -> Float in
            i % 13 == 0 ? special[(i / 13) % special.count] : rng.uniform(-3, 3) })
        let dw = rng.tensor([k, k, c, 1]), pw = Ops.KernelOperand.packing(rng.tensor([1, 1, c, f]))
        let bias = rng.tensor([f])
        let padding: Ops.Padding = same ? .same : .valid
        let expected = try Self.unfused(try Ops.activation(.relu, input: x), dw, pw, bias, stride: stride, padding: padding,
                                        activation: .relu, postOps: [])
        let plain = try Self.unfused(x, dw, pw, bias, stride: stride, padding: padding, activation: .relu, postOps: [])
        #expect(!bitwiseEqual(plain, expected), "the input's negatives do not change the output")
        for bands in [1, 3] {
            let banded = try #require(Ops.separableConv2dBanded(
                input: x, depthwiseKernel: dw, pointwiseKernel: pw, bias: bias, strides: (stride, stride),
                padding: padding, dilation: (1, 1), activation: .relu, postOps: [], reluInput: true, bands: bands))
            #expect(bitwiseEqual(banded, expected), "\(bands) bands: \(firstBitwiseDifference(banded, expected))")
        }
        // The default path, and the portable one (`.blas`: the ReLU'd copy, OpenBLAS' product) against its own
        // computation on the ReLU'd input.
        for engine in [DirectGEMM.Engine.automatic, .blas] {
            let (y, reference) = try DirectGEMM.$engine.withValue(engine) {
                (try Ops.separableConv2d(input: x, depthwiseKernel: dw, pointwiseKernel: pw, bias: bias,
                                         strides: (stride, stride), padding: padding, activation: .relu,
                                         reluInput: true),
                 try Ops.separableConv2d(input: try Ops.activation(.relu, input: x), depthwiseKernel: dw, pointwiseKernel: pw,
                                         bias: bias, strides: (stride, stride), padding: padding, activation: .relu))
            }
            #expect(bitwiseEqual(y, reference), "\(engine): \(firstBitwiseDifference(y, reference))")
            if engine == .automatic {
                #expect(bitwiseEqual(y, expected), "\(engine): \(firstBitwiseDifference(y, expected))")
            }
        }
    }

    @Test("The default choice bands an entry-flow-like layer and keeps the values")
    func defaultBands() throws {
        // 1 × 40 × 40 × 32: 1,280 floats per line, 40 lines (more than one band of 256 KiB is not needed, but the
        // cores get one band each at least).
        var rng = SeededRandom(seed: 77)
        let x = rng.tensor([1, 40, 40, 32]), dw = rng.tensor([3, 3, 32, 1])
        let pw = Ops.KernelOperand.packing(rng.tensor([1, 1, 32, 64]))
        let scale = (0..<64).map { _ in rng.uniform(0.5, 1.5) }, shift = (0..<64).map { _ in rng.uniform(-0.5, 0.5) }
        let postOps: [Ops.PostOp] = [.scaleShift(scale: scale, shift: shift), .activation(.relu)]
        let bands = Ops.separableBandCount(lines: 40, lineFloats: 40 * 32, packedFloats: 32 * 64)
        #expect(bands != nil && bands! > 1, "expected bands, got \(String(describing: bands))")
        let banded = Ops.separableConv2dBanded(input: x, depthwiseKernel: dw, pointwiseKernel: pw, bias: nil,
                                               strides: (1, 1), padding: .same, dilation: (1, 1),
                                               activation: .linear, postOps: postOps)
        #expect(banded != nil)
        let y = try Ops.separableConv2d(input: x, depthwiseKernel: dw, pointwiseKernel: pw, strides: (1, 1),
                                        padding: .same, postOps: postOps)
        let expected = try Self.unfused(x, dw, pw, nil, stride: 1, padding: .same, activation: .linear,
                                        postOps: postOps)
        let same = bitwiseEqual(y, expected)
        #expect(same, "\(firstBitwiseDifference(y, expected))")
        // A large pointwise kernel is not banded (each band would stream all of it).
        #expect(Ops.separableBandCount(lines: 40, lineFloats: 40 * 32, packedFloats: 728 * 736) == nil)
    }

    @Test("Where bands do not apply, the unfused path runs (and errors are its own)")
    func fallbacks() throws {
        var rng = SeededRandom(seed: 5)
        let x = rng.tensor([1, 6, 6, 4]), dw = rng.tensor([3, 3, 4, 1]), dw2 = rng.tensor([3, 3, 4, 2])
        let kernel = rng.tensor([1, 1, 4, 5])
        let packed = Ops.KernelOperand.packing(kernel), plain = Ops.KernelOperand(kernel, packed: nil)
        func banded(_ dw: Tensor, _ pw: Ops.KernelOperand, _ activation: Ops.Activation = .linear) -> Tensor? {
            Ops.separableConv2dBanded(input: x, depthwiseKernel: dw, pointwiseKernel: pw, bias: nil, strides: (1, 1),
                                      padding: .same, dilation: (1, 1), activation: activation, postOps: [],
                                      bands: 2)
        }
        #expect(banded(dw, packed) != nil)
        #expect(banded(dw, plain) == nil)                        // pointwise kernel not packed
        #expect(banded(dw2, Ops.KernelOperand.packing(rng.tensor([1, 1, 8, 5]))) == nil)  // depth multiplier 2
        #expect(banded(dw, packed, .softmax(axis: -1)) == nil)              // not element-wise
        #expect(DirectGEMM.$engine.withValue(.blas) { banded(dw, packed) } == nil)
        #expect(Ops.$bandFusion.withValue(false) { banded(dw, packed) } == nil)   // KERASPORT_BAND_FUSION=0
        // A pointwise kernel that does not fit the depthwise output: the unfused path's error.
        let wrong = Ops.KernelOperand.packing(rng.tensor([1, 1, 3, 5]))
        #expect(banded(dw, wrong) == nil)
        #expect(throws: TensorError.self) {
            try Ops.separableConv2d(input: x, depthwiseKernel: dw, pointwiseKernel: wrong, padding: .same)
        }
        // Softmax (applied after the whole output) through the public entry: equal to the unfused computation.
        let y = try Ops.separableConv2d(input: x, depthwiseKernel: dw, pointwiseKernel: packed, padding: .same,
                                        activation: .softmax(axis: -1))
        let expected = try Self.unfused(x, dw, packed, nil, stride: 1, padding: .same, activation: .softmax(axis: -1),
                                        postOps: [])
        let same = bitwiseEqual(y, expected)
        #expect(same, "\(firstBitwiseDifference(y, expected))")
    }

    /// `kp_gemm` / `kp_gemm_narrow` compute each output row from that row of A alone: any split of the rows into
    /// calls (the bands) gives the same bits as one call over all of them.
    @Test("Direct GEMM values do not depend on the rows a call covers", arguments: [
        // (m, k, n): K slices 1–3, narrow (n < 12) and panel kernels, partial tiles and panels
        (97, 40, 20), (97, 300, 33), (61, 520, 5), (50, 728, 48), (150, 200, 80),
    ])
    func gemmRowSplits(_ p: (Int, Int, Int)) throws {
        let (m, k, n) = p
        var rng = SeededRandom(seed: UInt64(m * 1000 + k + n))
        let a = rng.tensor([m, k]), w = rng.tensor([k, n])
        let packed = try #require(Ops.PackedKernel.pack(w))
        func run(_ splits: [Int]) -> [Float] {
            var c = [Float](repeating: .nan, count: m * n)
            a.scalars.withUnsafeBufferPointer { a in
                c.withUnsafeMutableBufferPointer { c in
                    var r0 = 0
                    for r1 in splits.filter({ $0 < m }) + [m] where r1 > r0 {
                        DirectGEMM.multiply(a: a.baseAddress! + r0 * k, geometry: .matrix(rows: r1 - r0, k: k, lda: k),
                                            m: r1 - r0, b: packed, c: c.baseAddress! + r0 * n, ldc: n, pass: .none)
                        r0 = r1
                    }
                }
            }
            return c
        }
        let whole = run([])
        // The columns split between calls (the unfused path's choice for few rows) and the rows path: the same bits.
        var rows = [Float](repeating: .nan, count: m * n)
        a.scalars.withUnsafeBufferPointer { a in
            rows.withUnsafeMutableBufferPointer { c in
                DirectGEMM.multiply(a: a.baseAddress!, geometry: .matrix(rows: m, k: k, lda: k), m: m, b: packed,
                                    c: c.baseAddress!, ldc: n, splitColumns: false, pass: .none)
            }
        }
        let sameRows = rows.map(\.bitPattern) == whole.map(\.bitPattern)
        #expect(sameRows, "rows path")
        for splits in [[1], [5, 6, 7], [13, 40, 41, 90], Array(stride(from: 4, to: m, by: 4))] {
            let pieces = run(splits)
            let same = pieces.map(\.bitPattern) == whole.map(\.bitPattern)
            #expect(same, "splits \(splits)")
        }
    }
}
