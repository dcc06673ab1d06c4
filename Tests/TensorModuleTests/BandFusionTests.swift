import Testing
@testable import TensorModule
import _TestSupport

/// `Ops.pointwiseDepthwise` (a 1×1 convolution and the depthwise convolution reading its output, run in bands of
/// rows with the expanded rows in a per-thread buffer) against the same two stages run one after the other
/// (`Ops.$bandFusion` bound to `false`), bit for bit: bands that start mid-image (batch 1 and 2: rows split across
/// threads, the band buffer's kept rows and its refills) and whole images per chunk (batch 5), strides 1–3 (a
/// stride larger than the window: bands with a gap between them), 3×3 / 5×5 / 1×1 / non-square kernels, dilation 2,
/// `same` / `valid` with a folded asymmetric zero padding, channel counts that are not multiples of 8, output
/// passes with BatchNormalization-like scale/shift, ReLU6, swish, bias, PReLU with a row period, and denormal
/// flushes; with and without a project 1×1 stage (BatchNormalization and a residual Add) after the depthwise one,
/// and a depthwise + project pair with no expand stage; each with the plan the machine's cores choose and with
/// each plan forced (bands, the whole expanded tensor first); bands with and without the halo exchange
/// (`Ops.$bandExchange`), and with one thread running the chunks in either order.
@Suite("Band-fused 1×1 → depthwise (→ 1×1)")
struct BandFusionTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var batch: Int, h: Int, w: Int, cin: Int, c: Int
        var kernel: (Int, Int), strides: (Int, Int), dilation: (Int, Int)
        var padding: Ops.Padding, zeroPadding: ((Int, Int), (Int, Int))
        var testDescription: String {
            "\(batch)×\(h)×\(w)×\(cin)→\(c) k\(kernel) s\(strides) d\(dilation) \(padding) zp\(zeroPadding)"
        }
    }

    static let cases: [Case] = [
        Case(batch: 1, h: 40, w: 40, cin: 8, c: 165, kernel: (3, 3), strides: (1, 1), dilation: (1, 1),
             padding: .same, zeroPadding: ((0, 0), (0, 0))),
        Case(batch: 1, h: 41, w: 37, cin: 16, c: 176, kernel: (3, 3), strides: (2, 2), dilation: (1, 1),
             padding: .valid, zeroPadding: ((0, 1), (0, 1))),
        Case(batch: 2, h: 30, w: 23, cin: 5, c: 203, kernel: (5, 5), strides: (1, 1), dilation: (1, 1),
             padding: .same, zeroPadding: ((0, 0), (0, 0))),
        Case(batch: 5, h: 20, w: 19, cin: 24, c: 144, kernel: (5, 5), strides: (2, 2), dilation: (1, 1),
             padding: .same, zeroPadding: ((0, 0), (0, 0))),
        Case(batch: 2, h: 33, w: 29, cin: 7, c: 150, kernel: (3, 3), strides: (1, 1), dilation: (2, 2),
             padding: .same, zeroPadding: ((2, 0), (0, 3))),
        Case(batch: 1, h: 64, w: 31, cin: 3, c: 140, kernel: (1, 1), strides: (3, 3), dilation: (1, 1),
             padding: .valid, zeroPadding: ((0, 0), (0, 0))),
        Case(batch: 3, h: 26, w: 27, cin: 12, c: 129, kernel: (2, 4), strides: (3, 1), dilation: (1, 1),
             padding: .valid, zeroPadding: ((1, 1), (0, 0))),
        // Small blocks (MobileNetV2's 7×7 and 14×14 shapes), banded since they split across cores by rows: a chunk
        // per core, each a few rows with its own first band. (With a 5×5 kernel a 7×7 image in two chunks makes one
        // of them compute 6 of its 7 expanded rows, over 1.5× its share: there the stages run; see `busiestChunk`.)
        Case(batch: 1, h: 7, w: 7, cin: 64, c: 384, kernel: (3, 3), strides: (1, 1), dilation: (1, 1),
             padding: .same, zeroPadding: ((0, 0), (0, 0))),
        Case(batch: 1, h: 14, w: 14, cin: 24, c: 144, kernel: (5, 5), strides: (2, 2), dilation: (1, 1),
             padding: .same, zeroPadding: ((0, 0), (0, 0))),
    ]

    /// Calls `body` with each way to run a banded block (a description of it for messages): the plan this machine's
    /// cores choose, then each plan forced (whatever the core count); bands with and without the chunks handing each
    /// other their shared expanded rows, and with one thread running the chunks in turn, first to last and last to
    /// first (a chunk then makes the rows of a neighbour that has not started itself, and copies those of one that
    /// has run).
    static func forEachBanding(_ body: (Ops.BandPlan?, String) throws -> Void) throws {
        for plan in [nil, Ops.BandPlan.bands, .wholeExpanded] {
            for exchange in plan == .bands ? [true, false] : [Ops.bandExchange] {
                let orders: [Parallel.SerialOrder?] = plan == .bands && exchange ? [nil, .forward, .reverse] : [nil]
                for order in orders {
                    try Ops.$bandExchange.withValue(exchange) {
                        try Parallel.$serialChunks.withValue(order) {
                            try body(plan, "plan \(plan.map { "\($0)" } ?? "chosen"), exchange \(exchange), serial \(order.map { "\($0)" } ?? "no")")
                        }
                    }
                }
            }
        }
    }

    @Test("banded equals the two stages bit for bit", arguments: cases)
    func bandedEqualsTwoStages(_ k: Case) throws {
        try #require(DirectGEMM.available, "the banded path needs the AVX2 kernels")
        var rng = SeededRandom(seed: UInt64(k.h * 1000 + k.c))
        let x = rng.tensor([k.batch, k.h, k.w, k.cin])
        #expect(k.batch * k.h * k.w * k.c * 4 >= Ops.bandFusionMinBytes, "the case must be large enough to band")
        let kernel = Ops.KernelOperand.packing(rng.tensor([1, 1, k.cin, k.c]))
        let dwKernel = rng.tensor([k.kernel.0, k.kernel.1, k.c, 1])
        let tiny = Float(bitPattern: 0x0000_0400)  // a denormal: flushes must happen where the stages do them
        let scale = (0..<k.c).map { i in i % 17 == 0 ? Float(1e-38) : rng.uniform(-2, 2) }
        let shift = (0..<k.c).map { i in i % 13 == 0 ? tiny : rng.uniform(-1, 1) }
        let outW = try WindowAxis.make(operation: "t", axisName: "w", input: k.w, kernel: k.kernel.1,
                                       stride: k.strides.1, dilation: k.dilation.1, padding: k.padding,
                                       zeroPadding: k.zeroPadding.1).output
        let alpha = (0..<(outW * k.c)).map { _ in rng.uniform(-1.5, 2.5) }
        let variants: [(Ops.Activation, [Ops.PostOp], Tensor?, Ops.Activation, [Ops.PostOp])] = [
            // MobileNetV2: conv (no bias) + BN + ReLU6, depthwise (no bias) + BN + ReLU6.
            (.linear, [.flushDenormals, .scaleShift(scale: scale, shift: shift), .flushDenormals,
                       .activation(.relu6), .flushDenormals],
             nil, .linear, [.flushDenormals, .scaleShift(scale: shift, shift: scale), .flushDenormals,
                            .activation(.relu6), .flushDenormals]),
            // EfficientNet-like swish, then a PReLU whose alpha changes along the output row (period = out width).
            (.swish, [.flushDenormals], rng.tensor([k.c]), .linear,
             [.flushDenormals, .prelu(alpha: alpha, period: outW), .flushDenormalsToPositiveZero, .flushDenormals]),
        ]
        // The project stage (13 columns: a full and a partial panel) with BatchNormalization and a residual Add
        // whose operand rows must line up with the band's rows.
        let outH = try WindowAxis.make(operation: "t", axisName: "h", input: k.h, kernel: k.kernel.0,
                                       stride: k.strides.0, dilation: k.dilation.0, padding: k.padding,
                                       zeroPadding: k.zeroPadding.0).output
        let cout = 13
        let residual = rng.tensor([k.batch, outH, outW, cout])
        let project = try #require(Ops.PointwiseStage(kernel: .packing(rng.tensor([1, 1, k.c, cout])),
                                                      bias: rng.tensor([cout]), activation: .linear))
        let projectOps: [Ops.PostOp] = [.flushDenormals, .scaleShift(scale: Array(scale.prefix(cout)),
                                                                     shift: Array(shift.prefix(cout))),
                                        .flushDenormals, .addTensor(residual), .flushDenormals]
        // The project stage's post-ops without the residual (a block whose project adds none).
        let projectOpsAlone = projectOps.filter { if case .addTensor = $0 { false } else { true } }
        // Without an expand stage (a depthwise then a project), the depthwise reads this input.
        let wide = rng.tensor([k.batch, k.h, k.w, k.c])
        for (i, v) in (variants + variants + variants).enumerated() {
            let bias: Tensor? = i % 2 == 1 ? rng.tensor([k.c]) : nil
            let pointwise = i >= 4 ? nil : try #require(Ops.PointwiseStage(kernel: kernel, bias: bias, activation: v.0))
            let depthwise = try #require(Ops.DepthwiseStage(kernel: dwKernel, bias: v.2, strides: k.strides,
                                                             padding: k.padding, dilation: k.dilation,
                                                             zeroPadding: k.zeroPadding, activation: v.3))
            let run = { (banded: Bool, plan: Ops.BandPlan?, passes: Ops.BandPasses?, residual: Bool) throws -> Tensor in
                try Ops.$bandFusion.withValue(banded) {
                    try Ops.$bandPlanOverride.withValue(plan) {
                        try Ops.pointwiseDepthwise(input: i >= 4 ? wide : x, pointwise: pointwise,
                                                   pointwisePostOps: i >= 4 ? [] : v.1,
                                                   depthwise: depthwise, depthwisePostOps: v.4,
                                                   project: i >= 2 ? project : nil,
                                                   projectPostOps: i < 2 ? [] : residual ? projectOps : projectOpsAlone,
                                                   passes: passes)
                    }
                }
            }
            let stages = try run(false, nil, nil, true)
            #expect(stages.scalars.contains { $0 != 0 }, "variant \(i): an all-zero output proves nothing")
            try Self.forEachBanding { plan, note in
                let banded = try run(true, plan, nil, true)
                #expect(banded.shape == stages.shape)
                #expect(bitwiseEqual(banded, stages), "variant \(i), \(note): \(firstBitwiseDifference(banded, stages))")
            }
            // The passes prepared ahead, as a compiled block holds them (the project's too where it adds no
            // residual), made under the choices of the call and under another depthwise width (then not used).
            let stagesAlone = try run(false, nil, nil, false)
            for residual in [true, false] {
                for otherWidth in [false, true] {
                    let width = otherWidth ? !Ops.wideDepthwise : Ops.wideDepthwise
                    let passes = Ops.$wideDepthwise.withValue(width) {
                        Ops.BandPasses(pointwise: pointwise, pointwisePostOps: i >= 4 ? [] : v.1, depthwise: depthwise,
                                       depthwisePostOps: v.4, project: i >= 2 ? project : nil,
                                       projectPostOps: i >= 2 ? projectOpsAlone : [], residual: residual)
                    }
                    let banded = try run(true, nil, passes, residual)
                    let expected = residual ? stages : stagesAlone
                    let note = "variant \(i), prepared passes, residual \(residual), other width \(otherWidth)"
                    #expect(bitwiseEqual(banded, expected), "\(note): \(firstBitwiseDifference(banded, expected))")
                }
            }
        }
    }

    /// The expanded rows the busiest chunk computes (its windows' reach, rows shared with the chunk above made
    /// again), which decides whether small images band: two chunks of a 7×7 image need 4 and 5 rows with a 3×3
    /// kernel, 5 and 6 with a 5×5 one (pad 2), against a share of 3.5; 14×14 with 3×3: 8 each (share 7); a
    /// stride-2 5×5 window (pad 1) over 14 rows, 7 output rows: rows 0–7 and 5–13, 8 and 9; two images in two
    /// chunks: no shared rows (7 each); one chunk: the image.
    @Test("expanded rows of the busiest band chunk")
    func busiestChunk() {
        func rows(lines: Int, chunks: Int, out: Int, h: Int, stride: Int, pad: Int, reach: Int) -> Int {
            Ops.busiestChunkExpandedRows(lines: lines, chunks: chunks, outRows: out, height: h, stride: stride,
                                         padBefore: pad, reach: reach)
        }
        #expect(rows(lines: 7, chunks: 2, out: 7, h: 7, stride: 1, pad: 1, reach: 3) == 5)
        #expect(rows(lines: 7, chunks: 2, out: 7, h: 7, stride: 1, pad: 2, reach: 5) == 6)
        #expect(rows(lines: 14, chunks: 2, out: 14, h: 14, stride: 1, pad: 1, reach: 3) == 8)
        #expect(rows(lines: 7, chunks: 2, out: 7, h: 14, stride: 2, pad: 1, reach: 5) == 9)
        #expect(rows(lines: 14, chunks: 2, out: 7, h: 7, stride: 1, pad: 1, reach: 3) == 7)
        #expect(rows(lines: 7, chunks: 1, out: 7, h: 7, stride: 1, pad: 2, reach: 5) == 7)
    }

    /// Which plan small images take on two cores (the expanded tensor's shape, the depthwise window): a 7×7
    /// image's second chunk needs 5 of 7 expanded rows with a 3×3 kernel (1.43× its share) and 6 with a 5×5 one
    /// (1.71×): the whole expanded tensor first, while it is at most 1 MiB (MobileNetV2's 7×7×960, EfficientNetB0's
    /// 7×7×1152), else the stages over 1.5× and bands under; 14×14 with 3×3 (8 of 14 rows, 1.14×) stays banded;
    /// as do whole images per chunk (batch ≥ 2 × cores), one core, and blocks without an expand stage; 7 output
    /// rows of a stride-2 block split 4 and 3, so whole first.
    @Test("band plan for small images")
    func bandPlanChoice() {
        func plan(expand: Bool = true, batch: Int = 1, h: Int, c: Int, out: Int? = nil, stride: Int = 1,
                  kernel: Int, cores: Int = 2) -> Ops.BandPlan {
            Ops.bandPlan(expand: expand, batch: batch, height: h, width: h, channels: c, outputRows: out ?? h,
                         stride: stride, padBefore: (kernel - 1) / 2, reach: kernel, cores: cores)
        }
        #expect(plan(h: 7, c: 960, kernel: 3) == .wholeExpanded)
        #expect(plan(h: 7, c: 1152, kernel: 5) == .wholeExpanded)
        #expect(plan(h: 7, c: 6000, kernel: 5) == .stages)       // 1.18 MB expanded
        #expect(plan(h: 7, c: 6000, kernel: 3) == .bands)        // 1.43×, too large to make whole
        #expect(plan(h: 14, c: 384, kernel: 3) == .bands)
        #expect(plan(h: 14, c: 576, out: 7, stride: 2, kernel: 3) == .wholeExpanded)   // 9 of 14 rows, 1.29×
        // MobileNetV2's block_13 (its ZeroPadding2D folded: none before): 8 of 14 rows (1.14×), but its 7 output
        // rows split 4 and 3.
        #expect(Ops.bandPlan(expand: true, batch: 1, height: 14, width: 14, channels: 576, outputRows: 7, stride: 2,
                             padBefore: 0, reach: 3, cores: 2) == .wholeExpanded)
        #expect(plan(batch: 4, h: 7, c: 960, kernel: 3) == .bands)
        #expect(plan(h: 7, c: 960, kernel: 3, cores: 1) == .bands)
        #expect(plan(expand: false, h: 7, c: 960, kernel: 3) == .bands)
    }

    /// A per-image channel scale (squeeze-and-excitation's `Multiply`) and the 1×1 convolution after it, in blocks
    /// of pixel rows, and as two stages (its product in one vectorised pass), each against the `Multiply` (the
    /// general broadcast, flushed as at a layer boundary) then the convolution: bit for bit, with scales that make
    /// denormal products, blocks that end mid-image, a narrow (transposed) and a wide kernel, BatchNormalization and
    /// a residual Add; the last case is too small to band.
    @Test("channel scale joined to the 1×1 convolution after it",
          arguments: [(1, 40, 37, 181), (3, 32, 29, 96), (2, 3, 3, 40)])
    func scaledPointwise(_ k: (Int, Int, Int, Int)) throws {
        try #require(DirectGEMM.available, "the banded path needs the AVX2 kernels")
        var rng = SeededRandom(seed: UInt64(k.3))
        let (batch, h, w, c) = k
        let x = rng.tensor([batch, h, w, c])
        #expect((x.count * 4 >= Ops.bandFusionMinBytes) == (c != 40), "the first cases band, the last does not")
        // Image 0's products are all denormal (|x| < 1 times 1e-39): flushed, its outputs are exactly 0 before the
        // output pass's huge scale; unflushed, about 1e-9 after it. Other images mix in denormal products.
        let s = Tensor(shape: [batch, 1, 1, c], scalars: (0..<(batch * c)).map { i in
            i < c ? Float(1e-39) : i % 11 == 0 ? Float(1e-38) : rng.uniform(0, 1)
        })
        for (cout, flushSensitive) in [(5, false), (24, false), (5, true), (24, true)] {
            let project = try #require(Ops.PointwiseStage(kernel: .packing(rng.tensor([1, 1, c, cout])),
                                                          bias: flushSensitive ? nil : rng.tensor([cout]),
                                                          activation: .linear))
            let residual = rng.tensor([batch, h, w, cout])
            let post: [Ops.PostOp] = flushSensitive
                ? [.flushDenormals, .scaleShift(scale: [Float](repeating: 1e30, count: cout),
                                                shift: [Float](repeating: 0, count: cout)), .flushDenormals]
                : [.flushDenormals, .scaleShift(scale: (0..<cout).map { _ in rng.uniform(-2, 2) },
                                                shift: (0..<cout).map { _ in rng.uniform(-1, 1) }),
                   .flushDenormals, .addTensor(residual), .flushDenormals]
            let run = { (banded: Bool) throws -> Tensor in
                try Ops.$bandFusion.withValue(banded) {
                    try Ops.scaledPointwise(input: x, scale: s, project: project, postOps: post)
                }
            }
            let banded = try run(true), stages = try run(false)
            var product = try Ops.multiply(lhs: x, rhs: s)
            product.scalars.withUnsafeMutableBufferPointer { Ops.flushDenormals($0.baseAddress!, count: $0.count,
                                                                                toPositiveZero: false) }
            let reference = try Ops.conv2d(input: product, kernel: project.operand, bias: project.bias,
                                           activation: project.activation, postOps: post)
            #expect(banded.shape == [batch, h, w, cout])
            #expect(bitwiseEqual(banded, reference), "cout \(cout): \(firstBitwiseDifference(banded, reference))")
            #expect(bitwiseEqual(stages, reference), "cout \(cout): \(firstBitwiseDifference(stages, reference))")
            if flushSensitive {
                #expect(stages.scalars.prefix(h * w * cout).allSatisfy { $0 == 0 }, "image 0 must come out as zeros")
            }
        }
    }

    /// Stages that cannot band are refused at compile time (the plan then keeps the layers as they are).
    @Test("stages that cannot band")
    func refusedStages() {
        var rng = SeededRandom(seed: 7)
        let threeByThree = Ops.KernelOperand.packing(rng.tensor([3, 3, 4, 32]))
        #expect(Ops.PointwiseStage(kernel: threeByThree, bias: nil, activation: .linear) == nil)
        let softmax = Ops.KernelOperand.packing(rng.tensor([1, 1, 4, 32]))
        #expect(Ops.PointwiseStage(kernel: softmax, bias: nil, activation: .softmax(axis: -1)) == nil)
        let multiplier2 = rng.tensor([3, 3, 8, 2])
        #expect(Ops.DepthwiseStage(kernel: multiplier2, bias: nil, strides: (1, 1), padding: .same, dilation: (1, 1),
                                   zeroPadding: ((0, 0), (0, 0)), activation: .linear) == nil)
    }
}
