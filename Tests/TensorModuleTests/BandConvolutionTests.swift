import Testing
@testable import TensorModule
import _TestSupport

/// `Ops.bandFused` with a stem's convolution as the expand stage (`Ops.ConvolutionStage`: the band's rows of its
/// output made by the direct GEMM from a zero-padded copy of the input) against the convolution, the depthwise
/// convolution and the 1×1 projection run one after the other (`Ops.$bandFusion` bound to `false`), bit for bit:
/// MobileNetV2's 3×3 stride-2 `same` stem on an even and an odd input, EfficientNet's folded asymmetric zero padding
/// with a `valid` stride-2 stem, a 5×5 stride-1 and a dilated 3×3 convolution, rectangular strides and kernels;
/// batch 1 and 2 (bands that start mid-image, rows split across the threads), 5 (whole images per chunk); with and
/// without the project stage; with the plan the machine's cores choose and each plan forced, bands with and without
/// the halo exchange and with one thread running the chunks in either order. A 3×3 `same` convolution on a
/// one-pixel-wide input (kernel columns that only meet padding, which `conv2d` cuts off) runs as the stages.
@Suite("Band-fused stem convolution → depthwise (→ 1×1)")
struct BandConvolutionTests {
    typealias Case = BandFusionTests.Case

    static let cases: [Case] = [
        Case(batch: 1, h: 64, w: 60, cin: 3, c: 32, kernel: (3, 3), strides: (2, 2), dilation: (1, 1),
             padding: .same, zeroPadding: ((0, 0), (0, 0))),
        Case(batch: 2, h: 61, w: 57, cin: 3, c: 40, kernel: (3, 3), strides: (2, 2), dilation: (1, 1),
             padding: .same, zeroPadding: ((0, 0), (0, 0))),
        Case(batch: 1, h: 66, w: 62, cin: 3, c: 36, kernel: (3, 3), strides: (2, 2), dilation: (1, 1),
             padding: .valid, zeroPadding: ((0, 1), (0, 1))),
        Case(batch: 5, h: 30, w: 28, cin: 4, c: 24, kernel: (5, 5), strides: (1, 1), dilation: (1, 1),
             padding: .same, zeroPadding: ((0, 0), (0, 0))),
        Case(batch: 2, h: 40, w: 37, cin: 6, c: 20, kernel: (3, 3), strides: (1, 1), dilation: (2, 2),
             padding: .same, zeroPadding: ((1, 0), (2, 1))),
        Case(batch: 1, h: 70, w: 50, cin: 5, c: 27, kernel: (2, 4), strides: (2, 1), dilation: (1, 1),
             padding: .valid, zeroPadding: ((0, 0), (0, 0))),
        Case(batch: 1, h: 400, w: 1, cin: 4, c: 48, kernel: (3, 3), strides: (1, 1), dilation: (1, 1),
             padding: .same, zeroPadding: ((0, 0), (0, 0))),
    ]

    @Test("banded equals the stages bit for bit", arguments: cases)
    func bandedEqualsStages(_ k: Case) throws {
        try #require(DirectGEMM.available, "the banded path needs the AVX2 kernels")
        var rng = SeededRandom(seed: UInt64(k.h * 100 + k.c))
        let x = rng.tensor([k.batch, k.h, k.w, k.cin])
        let scale = (0..<k.c).map { _ in rng.uniform(-2, 2) }
        let shift = (0..<k.c).map { _ in rng.uniform(-1, 1) }
        // MobileNetV2's stem: no bias, BatchNormalization, ReLU6; EfficientNet's: swish; a bias and ReLU.
        let variants: [(Tensor?, Ops.Activation, [Ops.PostOp])] = [
            (nil, .linear, [.flushDenormals, .scaleShift(scale: scale, shift: shift), .flushDenormals,
                            .activation(.relu6), .flushDenormals]),
            (nil, .swish, [.flushDenormals]),
            (rng.tensor([k.c]), .relu, []),
        ]
        let stage = { (bias: Tensor?, activation: Ops.Activation) throws -> Ops.ConvolutionStage in
            try #require(Ops.ConvolutionStage(kernel: .packing(rng.tensor([k.kernel.0, k.kernel.1, k.cin, k.c])),
                                              bias: bias, activation: activation, strides: k.strides,
                                              padding: k.padding, dilation: k.dilation, zeroPadding: k.zeroPadding))
        }
        let depthwise = try #require(Ops.DepthwiseStage(kernel: rng.tensor([3, 3, k.c, 1]), bias: nil,
                                                         strides: (1, 1), padding: .same, dilation: (1, 1),
                                                         zeroPadding: ((0, 0), (0, 0)), activation: .linear))
        let project = try #require(Ops.PointwiseStage(kernel: .packing(rng.tensor([1, 1, k.c, 11])),
                                                      bias: rng.tensor([11]), activation: .linear))
        for (i, v) in variants.enumerated() {
            let convolution = try stage(v.0, v.1)
            for withProject in [true, false] {
                let run = { (banded: Bool, plan: Ops.BandPlan?) throws -> Tensor in
                    try Ops.$bandFusion.withValue(banded) {
                        try Ops.$bandPlanOverride.withValue(plan) {
                            try Ops.bandFused(input: x, expand: .convolution(convolution), expandPostOps: v.2,
                                              depthwise: depthwise,
                                              depthwisePostOps: [.flushDenormals, .activation(.relu6)],
                                              project: withProject ? project : nil, projectPostOps: [.flushDenormals])
                        }
                    }
                }
                let stages = try run(false, nil)
                #expect(stages.scalars.contains { $0 != 0 }, "variant \(i): an all-zero output proves nothing")
                try BandFusionTests.forEachBanding { plan, note in
                    let banded = try run(true, plan)
                    #expect(banded.shape == stages.shape)
                    #expect(bitwiseEqual(banded, stages),
                            "variant \(i), project \(withProject), \(note): \(firstBitwiseDifference(banded, stages))")
                }
            }
        }
    }

    /// The stage refuses what it cannot run as the direct product: a kernel that is not packed (the BLAS engine),
    /// a non-element-wise activation, causal padding, a bias of the wrong size.
    @Test("stages that are not made")
    func refusals() throws {
        try #require(DirectGEMM.available, "packed kernels need the AVX2 kernels")
        var rng = SeededRandom(seed: 7)
        let kernel = rng.tensor([3, 3, 3, 16])
        func make(_ operand: Ops.KernelOperand, bias: Tensor? = nil, activation: Ops.Activation = .linear,
                  padding: Ops.Padding = .same) -> Ops.ConvolutionStage? {
            Ops.ConvolutionStage(kernel: operand, bias: bias, activation: activation, strides: (2, 2),
                                 padding: padding, dilation: (1, 1), zeroPadding: ((0, 0), (0, 0)))
        }
        #expect(make(.packing(kernel)) != nil)
        #expect(make(Ops.KernelOperand(kernel, packed: nil)) == nil)
        #expect(make(.packing(kernel), activation: .softmax(axis: -1)) == nil)
        #expect(make(.packing(kernel), padding: .causal) == nil)
        #expect(make(.packing(kernel), bias: rng.tensor([15])) == nil)
    }
}
