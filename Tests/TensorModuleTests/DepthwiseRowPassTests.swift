import Testing
@testable import TensorModule
import _TestSupport

/// The depthwise row kernel running the output pass on each group of pixels it has just stored
/// (`kp_depthwise_row_pass`, ``Ops/depthwiseRowPass``) against the same kernel followed by the pass over the stored
/// row (`Ops.$depthwiseRowPass` bound to `false`), and against the portable step-by-step path (`.blas`), bit for
/// bit: every group size of the row kernels (10 / 8 / 4 / 2 / 1 pixels for 3×3, 6 / 4 / 2 / 1 for 5×5), border and
/// interior groups, the one-pixel order (3×3 stride 2, and 256 channels, which crowd L1 sets), channel counts that
/// are not multiples of 8 or 16, widths 1–3 and odd sizes at stride 2; passes with a bias, a BatchNormalization-like
/// scale/shift whose products and sums are denormal (the flushes must happen), ReLU6 with values above 6, ReLU, and
/// swish (kept as a pass over the row where it runs on 16 lanes; the row kernel's where it does not); in the plain
/// depthwise convolution and in the
/// band-fused block (expand → depthwise → project, rows split across threads).
@Suite("Depthwise row kernel with its output pass")
struct DepthwiseRowPassTests {
    /// Output passes (bias, activation, post-ops) for `c` channels, as the inference plan makes them.
    static func passes(_ c: Int, _ rng: inout SeededRandom) -> [(String, Tensor?, Ops.Activation, [Ops.PostOp])] {
        let tiny = Float(bitPattern: 0x0000_0400)  // a denormal
        // Some channels scale every sum into the denormal range, others shift by a denormal: flush-sensitive.
        let scale = (0..<c).map { i in i % 7 == 6 ? Float(1e-39) : i % 5 == 4 ? 1e-38 : rng.uniform(-9, 9) }
        let shift = (0..<c).map { i in i % 3 == 0 ? tiny : rng.uniform(-1, 1) }
        let bn: [Ops.PostOp] = [.flushDenormals, .scaleShift(scale: scale, shift: shift), .flushDenormals]
        let bias = Tensor(shape: [c], scalars: (0..<c).map { i in i % 4 == 0 ? -tiny : rng.uniform(-1, 1) })
        return [
            ("BN + ReLU6", nil, .linear, bn + [.activation(.relu6), .flushDenormals]),
            ("bias + BN + ReLU6", bias, .linear, bn + [.activation(.relu6), .flushDenormals]),
            ("BN + ReLU", nil, .linear, bn + [.activation(.relu), .flushDenormals]),
            ("BN", nil, .linear, bn),
            ("BN + swish", nil, .linear, bn + [.activation(.swish), .flushDenormals]),
            ("bias + ReLU6 activation", bias, .relu6, []),
            ("bias + flush", bias, .linear, [.flushDenormals]),
        ]
    }

    @Test("row pass equals the pass after the row, and the portable path", arguments: [
        // (kh, kw, sh, sw)
        (3, 3, 1, 1),
        (3, 3, 2, 2),
        (5, 5, 1, 1),
        (5, 5, 2, 2),
        (7, 7, 2, 2),
    ])
    func depthwise(_ k: (Int, Int, Int, Int)) throws {
        try #require(DirectGEMM.available, "the row pass needs the AVX2 kernels")
        var rng = SeededRandom(seed: UInt64(k.0 * 100 + k.2 * 10 + 7))
        var checked = 0, nonzero: [String: Int] = [:]
        for channels in [1, 3, 9, 17, 40, 256] {
            let w = rng.tensor([k.0, k.1, channels, 1], -2, 2)
            let passes = Self.passes(channels, &rng)
            for width in [1, 2, 3, 7, 13, 23] {
                let height = 3 + width % 4
                let x = rng.tensor([1, height, width, channels], -3, 3)
                for (name, bias, activation, postOps) in passes {
                    let run = { (rowPass: Bool, engine: DirectGEMM.Engine) throws -> Tensor in
                        try DirectGEMM.$engine.withValue(engine) {
                            try Ops.$depthwiseRowPass.withValue(rowPass) {
                                try Ops.depthwiseConv2d(input: x, kernel: w, bias: bias, strides: (k.2, k.3),
                                                        padding: .same, activation: activation, postOps: postOps)
                            }
                        }
                    }
                    let inRow = try run(true, .automatic), after = try run(false, .automatic)
                    let portable = try run(false, .blas)
                    let what = "\(name) c \(channels) w \(width) h \(height)"
                    #expect(bitwiseEqual(inRow, after), "\(what): \(firstBitwiseDifference(inRow, after))")
                    #expect(bitwiseEqual(inRow, portable), "\(what): \(firstBitwiseDifference(inRow, portable))")
                    if inRow.scalars.contains(where: { $0 != 0 }) { nonzero[name, default: 0] += 1 }
                    checked += 1
                }
            }
        }
        #expect(checked == 6 * 6 * 7)
        // All-zero outputs prove little (ReLU of a 1-channel row may zero it): most outputs of every pass are not.
        for (name, _, _, _) in Self.passes(1, &rng) { #expect(nonzero[name, default: 0] > 30, "\(name)") }
    }

    /// The pass is run by the row kernel, flushes included: every sum here is positive and at most 9 · 13 · 0.25,
    /// so scaled by 1e-40 it is denormal (below 2^-126), flushed to zero, and ReLU6 makes +0 of it; an unflushed
    /// or skipped pass leaves nonzero values.
    @Test("the row pass flushes the denormal values it makes")
    func flushes() throws {
        try #require(DirectGEMM.available, "the row pass needs the AVX2 kernels")
        for c in [11, 16] {
            let x = Tensor(shape: [1, 5, 23, c], scalars: (0..<(5 * 23 * c)).map { Float($0 % 13) + 1 })
            let w = Tensor(shape: [3, 3, c, 1], scalars: [Float](repeating: 0.25, count: 9 * c))
            let postOps: [Ops.PostOp] = [.flushDenormals,
                                         .scaleShift(scale: [Float](repeating: Float(bitPattern: 0x0001_16C2), count: c),
                                                     shift: [Float](repeating: 0, count: c)),
                                         .flushDenormals, .activation(.relu6), .flushDenormals]
            let y = try Ops.$depthwiseRowPass.withValue(true) {
                try Ops.depthwiseConv2d(input: x, kernel: w, padding: .same, postOps: postOps)
            }
            #expect(y.scalars.allSatisfy { $0.bitPattern == 0 }, "c \(c): \(y.scalars.first { $0.bitPattern != 0 } ?? 0)")
        }
    }

    /// The band-fused block (expand → depthwise → project) with the depthwise pass in the row kernel against the
    /// pass after each row: MobileNetV2's 7×7 and 14×14 shapes at batch 1 (rows split across threads), a stride-2
    /// block with odd sizes, and channel counts that are not multiples of 16.
    @Test("band-fused block: row pass equals the pass after the row", arguments: [
        // (h, w, cin, c, k, stride)
        (7, 7, 64, 384, 3, 1),
        (14, 14, 24, 150, 3, 1),
        (15, 13, 16, 99, 3, 2),
        (14, 14, 40, 243, 5, 2),
        (28, 3, 8, 120, 3, 1),
    ])
    func banded(_ k: (Int, Int, Int, Int, Int, Int)) throws {
        try #require(DirectGEMM.available, "the banded path needs the AVX2 kernels")
        var rng = SeededRandom(seed: UInt64(k.0 * 100 + k.3))
        let x = rng.tensor([1, k.0, k.1, k.2])
        let pointwise = try #require(Ops.PointwiseStage(kernel: .packing(rng.tensor([1, 1, k.2, k.3])), bias: nil,
                                                        activation: .linear))
        let dwKernel = rng.tensor([k.4, k.4, k.3, 1], -2, 2)
        let depthwise = try #require(Ops.DepthwiseStage(kernel: dwKernel, bias: nil, strides: (k.5, k.5),
                                                         padding: .same, dilation: (1, 1),
                                                         zeroPadding: ((0, 0), (0, 0)), activation: .linear))
        let project = try #require(Ops.PointwiseStage(kernel: .packing(rng.tensor([1, 1, k.3, 21])), bias: nil,
                                                      activation: .linear))
        let relu6: [Ops.PostOp] = [.flushDenormals,
                                   .scaleShift(scale: (0..<k.3).map { _ in rng.uniform(-3, 3) },
                                               shift: (0..<k.3).map { _ in rng.uniform(-1, 1) }),
                                   .flushDenormals, .activation(.relu6), .flushDenormals]
        for (name, _, _, postOps) in Self.passes(k.3, &rng) where name == "BN + ReLU6" || name == "BN + swish" {
            let run = { (rowPass: Bool) throws -> Tensor in
                try Ops.$depthwiseRowPass.withValue(rowPass) {
                    try Ops.pointwiseDepthwise(input: x, pointwise: pointwise, pointwisePostOps: relu6,
                                               depthwise: depthwise, depthwisePostOps: postOps, project: project,
                                               projectPostOps: [.flushDenormals])
                }
            }
            let inRow = try run(true), after = try run(false)
            #expect(bitwiseEqual(inRow, after), "\(name): \(firstBitwiseDifference(inRow, after))")
            #expect(inRow.scalars.contains { $0 != 0 }, "\(name): an all-zero output proves nothing")
        }
    }
}

/// A small image's expand → depthwise → project block at batch 1 split across cores by channels
/// (``Ops/channelSplitBlock``: each core's range of expanded channels, whole 16-column panels, then their depthwise
/// rows) against the row bands (`Ops.$channelSplit` bound to `false`) and the three stages one after the other, bit
/// for bit: 7×7 and odd-sized images (a split the rows could not halve), strides 1 and 2, 3×3 and 5×5 kernels,
/// channel counts that are not multiples of 16 (a last panel part full), passes with flush-sensitive
/// BatchNormalization, ReLU / ReLU6 and swish (where swish runs on 16 lanes the block keeps its row bands), a
/// project stage with a residual Add.
@Suite("Channel-split small blocks")
struct ChannelSplitBlockTests {
    @Test("channel split equals the row bands and the stages", arguments: [
        // (h, w, cin, c, k, stride, cout)
        (7, 7, 64, 384, 3, 1, 64),
        (7, 7, 160, 960, 3, 1, 320),
        (7, 9, 24, 270, 3, 1, 21),
        (13, 11, 16, 136, 5, 2, 40),
        (6, 7, 8, 411, 5, 1, 5),
    ])
    func channelSplit(_ k: (Int, Int, Int, Int, Int, Int, Int)) throws {
        try #require(DirectGEMM.available, "the split needs the AVX2 kernels")
        try #require(Parallel.coreCount > 1, "the split is for more than one core")
        var rng = SeededRandom(seed: UInt64(k.0 * 1000 + k.3))
        let x = rng.tensor([1, k.0, k.1, k.2])
        #expect(k.0 * k.1 * k.3 * 4 <= Ops.bandBytes && k.0 * k.1 * k.3 * 4 >= Ops.bandFusionMinBytes,
                "the case must take the split")
        let pointwise = try #require(Ops.PointwiseStage(kernel: .packing(rng.tensor([1, 1, k.2, k.3])), bias: nil,
                                                        activation: .linear))
        let depthwise = try #require(Ops.DepthwiseStage(kernel: rng.tensor([k.4, k.4, k.3, 1], -2, 2), bias: nil,
                                                         strides: (k.5, k.5), padding: .same, dilation: (1, 1),
                                                         zeroPadding: ((0, 0), (0, 0)), activation: .linear))
        let project = try #require(Ops.PointwiseStage(kernel: .packing(rng.tensor([1, 1, k.3, k.6])),
                                                      bias: rng.tensor([k.6]), activation: .linear))
        let outH = (k.0 + k.5 - 1) / k.5, outW = (k.1 + k.5 - 1) / k.5
        let residual = rng.tensor([1, outH, outW, k.6])
        let projectOps: [Ops.PostOp] = [.flushDenormals, .addTensor(residual), .flushDenormals]
        let passes = DepthwiseRowPassTests.passes(k.3, &rng).filter { $0.1 == nil && $0.2 == .linear }
        #expect(passes.count == 4)
        for (i, (name, _, _, postOps)) in passes.enumerated() {
            let expandOps = passes[(i + 1) % passes.count].3
            let run = { (split: Bool, banded: Bool) throws -> Tensor in
                try Ops.$channelSplit.withValue(split) {
                    try Ops.$bandFusion.withValue(banded) {
                        try Ops.pointwiseDepthwise(input: x, pointwise: pointwise, pointwisePostOps: expandOps,
                                                   depthwise: depthwise, depthwisePostOps: postOps, project: project,
                                                   projectPostOps: projectOps)
                    }
                }
            }
            let split = try run(true, true), bands = try run(false, true), stages = try run(false, false)
            #expect(split.shape == [1, outH, outW, k.6])
            #expect(bitwiseEqual(split, bands), "\(name): \(firstBitwiseDifference(split, bands))")
            #expect(bitwiseEqual(split, stages), "\(name): \(firstBitwiseDifference(split, stages))")
            #expect(split.scalars.contains { $0 != 0 }, "\(name): an all-zero output proves nothing")
        }
    }
}
