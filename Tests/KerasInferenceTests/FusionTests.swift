import Foundation
import KerasPort
import Testing
import TensorModule
import _TestSupport

/// The execution plan fuses element-wise layers (activations, LeakyReLU, PReLU, ReLU, BatchNormalization) into the
/// output pass of the Dense / convolution before them; a prediction with an observer runs the unfused plan (one
/// step per layer). Both must give the same bits: fusion only reorders memory passes, never arithmetic.
@Suite("Fused and unfused plans agree bit for bit")
struct FusionTests {
    /// A parity fixture's model, compiled, and its inputs.
    private static func compiled(_ c: ParityCase) throws -> (CompiledModel, [Tensor]) {
        let file = try KerasFile.open(c.url(c.file).path, architecture: c.config.map { c.url($0).path })
        return (try CompiledModel(try file.loadGraph()), try c.inputs.map { try readNPY(contentsOf: c.url($0)) })
    }

    /// Expects `a` and `b` to hold the same outputs bit for bit (`what` names the comparison).
    private static func expectSameBits(_ a: [Tensor], _ b: [Tensor], _ what: String) throws {
        try #require(a.count == b.count)
        for (i, (x, y)) in zip(a, b).enumerated() {
            #expect(bitwiseEqual(x, y), "\(what)output \(i): \(firstBitwiseDifference(x, y))")
        }
    }

    @Test("fixture outputs", arguments: ParityCase.all())
    func fusedEqualsUnfused(_ c: ParityCase) throws {
        let (model, inputs) = try Self.compiled(c)
        let fused = try model.predict(inputs)
        var observed = 0
        let unfused = try model.predict(inputs) { _, _, _ in observed += 1 }
        #expect(observed > 0)
        try Self.expectSameBits(fused, unfused, "")
    }

    /// A loop split in two between the cores ends the calling thread's part where the pool measured the two would
    /// finish together, per loop and changing from one prediction to the next: the values must not depend on it.
    /// Where the machine has one core, nothing is split and the test compares equal runs.
    @Test("the same bits wherever the two cores' split falls", arguments: ParityCase.all())
    func splitIndependent(_ c: ParityCase) throws {
        let (model, inputs) = try Self.compiled(c)
        let measured = try model.predict(inputs)
        for share in [0.3, 0.7] {
            let fixed = try Ops.withSplitShare(share) { try model.predict(inputs) }
            try Self.expectSameBits(fixed, measured, "share \(share), ")
        }
    }

    /// The plan folds a ZeroPadding2D into the convolution it alone feeds (no padded tensor), and the
    /// BatchNormalization / activation after a DepthwiseConv2D into its output pass; a padding read twice or
    /// returned as a model output stays a step of its own. The values are checked against Keras by the parity
    /// tests and against the unfused plan, bit for bit, by ``fusedEqualsUnfused(_:)``.
    @Test("ZeroPadding2D folded into the convolution after it", .enabled(if: FileManager.default.fileExists(
        atPath: TestFixtures.path("models/padconv_k3/model.keras")), "fixture padconv_k3 missing"))
    func zeroPaddingFolded() throws {
        let c = try #require(ParityCase.all().first { $0.fixture == "padconv_k3" })
        let model = try CompiledModel(try KerasFile.open(c.url(c.file).path).loadGraph())
        let inputs = try c.inputs.map { try readNPY(contentsOf: c.url($0)) }
        var steps: [String] = []
        let outputs = try model.predict(inputs) { layers, _, _, _ in steps.append(layers) }
        for expected in ["zpad_dw+dw_s2+dw_s2_bn+dw_s2_relu", "zpad_conv+conv_s2+conv_s2_bn", "zpad_dil+dw_dil",
                         "dw_same+dw_same_bn+dw_same_lrelu", "zpad_shared", "zpad_out", "after_out"] {
            #expect(steps.contains(expected), "no step \(expected) in \(steps)")
        }
        for (i, name) in c.outputs.enumerated() {
            let keras = try readNPY(contentsOf: c.url(name))
            let close = closeness(outputs[i], keras, rtol: c.rtol, atol: c.atol)
            #expect(close.ok, "output \(i): \(close)")
        }
    }

    /// The plan folds a ZeroPadding2D into the MaxPooling2D it alone feeds (ResNet50's `pool1_pad` → `pool1`): the
    /// padding zeros are values of the windows (the fixture's input is shifted negative, so they win at the
    /// borders), which the folded pooling must reproduce exactly: equal to Keras within the parity bound, and to
    /// the unfolded plan (pad, then pool) bit for bit.
    @Test("ZeroPadding2D folded into the MaxPooling2D after it", .enabled(if: FileManager.default.fileExists(
        atPath: TestFixtures.path("models/padpool_k3/model.keras")), "fixture padpool_k3 missing"))
    func zeroPaddingFoldedIntoMaxPooling() throws {
        let c = try #require(ParityCase.all().first { $0.fixture == "padpool_k3" })
        let model = try CompiledModel(try KerasFile.open(c.url(c.file).path).loadGraph())
        let inputs = try c.inputs.map { try readNPY(contentsOf: c.url($0)) }
        var steps: [String] = []
        let outputs = try model.predict(inputs) { layers, _, _, _ in steps.append(layers) }
        #expect(steps.sorted() == ["pad_same+pool_same", "pad_valid+pool_valid", "pool1_pad+pool1"], "steps \(steps)")
        var unfoldedSteps = 0
        let unfolded = try model.predict(inputs) { _, _, _ in unfoldedSteps += 1 }
        #expect(unfoldedSteps == 6)
        try #require(outputs.count == c.outputs.count && unfolded.count == c.outputs.count)
        var zeros = 0
        for (i, name) in c.outputs.enumerated() {
            let keras = try readNPY(contentsOf: c.url(name))
            let close = closeness(outputs[i], keras, rtol: c.rtol, atol: c.atol)
            #expect(close.ok, "output \(i): \(close)")
            #expect(bitwiseEqual(outputs[i], unfolded[i]), "output \(i): \(firstBitwiseDifference(outputs[i], unfolded[i]))")
            zeros += keras.scalars.filter { $0 == 0 }.count
        }
        #expect(zeros > 0, "no window of the fixture is decided by the padding zeros")
    }

    /// A residual `Add` runs in the output pass of the convolution (with its BatchNormalization) producing one
    /// operand, when that convolution's output has no other reader and the other operand is computed before it;
    /// the values still match Keras (and the unfused plan bit for bit, ``fusedEqualsUnfused(_:)``).
    @Test("residual Add fused into the convolution before it", .enabled(if: FileManager.default.fileExists(
        atPath: TestFixtures.path("models/srresnet_k3/model.keras")), "fixture srresnet_k3 missing"))
    func residualAddFused() throws {
        let c = try #require(ParityCase.all().first { $0.fixture == "srresnet_k3" })
        let model = try CompiledModel(try KerasFile.open(c.url(c.file).path).loadGraph())
        let inputs = try c.inputs.map { try readNPY(contentsOf: c.url($0)) }
        var steps: [(layers: String, classes: String)] = []
        let outputs = try model.predict(inputs) { layers, classes, _, _ in steps.append((layers, classes)) }
        // b0_add = Add([head_prelu, b0_bn2]), trunk_add = Add([trunk_bn, head_prelu]): either operand can be the
        // fused one. head_prelu is read three times, so it stays a step's output of its own.
        for expected in ["b0_conv2+b0_bn2+b0_add", "b1_conv2+b1_bn2+b1_add", "trunk_conv+trunk_bn+trunk_add"] {
            #expect(steps.contains { $0.layers == expected }, "no step \(expected) in \(steps.map(\.layers))")
        }
        #expect(!steps.contains { $0.classes == "Add" }, "an Add left on its own: \(steps.map(\.layers))")
        for (i, name) in c.outputs.enumerated() {
            let keras = try readNPY(contentsOf: c.url(name))
            let close = closeness(outputs[i], keras, rtol: c.rtol, atol: c.atol)
            #expect(close.ok, "output \(i): \(close)")
        }
    }

    /// Each 1×1 "expand" convolution, the depthwise convolution that alone reads it and the 1×1 "project"
    /// convolution after that (MobileNetV2's and EfficientNet's inverted-residual blocks, with their
    /// BatchNormalization / activations / PReLU, a folded ZeroPadding2D and a residual Add), or a depthwise and
    /// 1×1 pair with no expand before it, run as one step in row bands when the expanded (else the depthwise)
    /// tensor exceeds 1 MB; a squeeze-and-excitation `Multiply` joins the 1×1 projection reading it (either operand
    /// order, with a residual Add); the values match Keras within the parity bound and the same
    /// plan run stage by stage (band fusion off) bit for bit.
    @Test("expand 1×1 → depthwise → project 1×1 run in row bands", .enabled(if: FileManager.default.fileExists(
        atPath: TestFixtures.path("models/invres_k3/model.keras")), "fixture invres_k3 missing"))
    func expandDepthwiseBanded() throws {
        try checkBanded("invres_k3", steps: [
            "a_expand+a_expand_bn+a_expand_relu+a_pad+a_dw+a_dw_bn+a_dw_relu+a_project",
            "b_expand+b_dw+b_dw_bn+b_dw_prelu+b_project", "c_expand+c_expand_bn+c_expand_relu+c_dw+c_project",
            "d_expand+d_expand_bn+d_expand_relu+d_dw+d_dw_bn+d_dw_relu+d_project+d_project_bn+d_add",
            "e_dw+e_dw_bn+e_dw_relu+e_project", "f_se_excite+f_project+f_project_bn+f_add", "g_se_excite+g_project"])
    }

    /// Runs fixture `name`'s compiled plan: each of `steps` is one of its steps, the outputs match Keras' within the
    /// parity bound and the same plan run stage by stage (band fusion off) bit for bit; returns the plan's steps.
    @discardableResult
    private func checkBanded(_ name: String, steps expectedSteps: [String]) throws -> [String] {
        let c = try #require(ParityCase.all().first { $0.fixture == name })
        let model = try CompiledModel(try KerasFile.open(c.url(c.file).path).loadGraph())
        let inputs = try c.inputs.map { try readNPY(contentsOf: c.url($0)) }
        var steps: [String] = []
        let banded = try model.predict(inputs) { layers, _, _, _ in steps.append(layers) }
        for expected in expectedSteps {
            #expect(steps.contains(expected), "no step \(expected) in \(steps)")
        }
        let pairwise = try Ops.$bandFusion.withValue(false) { try model.predict(inputs) }
        try #require(banded.count == c.outputs.count && pairwise.count == c.outputs.count)
        for (i, name) in c.outputs.enumerated() {
            let keras = try readNPY(contentsOf: c.url(name))
            let close = closeness(banded[i], keras, rtol: c.rtol, atol: c.atol)
            #expect(close.ok, "output \(i): \(close)")
            #expect(bitwiseEqual(banded[i], pairwise[i]), "output \(i): \(firstBitwiseDifference(banded[i], pairwise[i]))")
        }
        return steps
    }

    /// A network's stem (a convolution other than a 1×1 stride-1 one) and the depthwise convolution that alone reads
    /// it run as one band-fused step, with the 1×1 projection after the depthwise where that alone reads it:
    /// MobileNetV2's stem and first block, EfficientNet's padded stem (its depthwise output read twice: no project),
    /// a 5×5 stride-1 convolution; a 3×3 stride-1 convolution (which may run through Winograd, whose values the
    /// stage's direct product would not repeat) stays a step of its own. The values match Keras within the parity
    /// bound and the plan run stage by stage (band fusion off) bit for bit.
    @Test("stem convolution → depthwise (→ project) run in row bands", .enabled(if: FileManager.default.fileExists(
        atPath: TestFixtures.path("models/stem_k3/model.keras")), "fixture stem_k3 missing"))
    func stemDepthwiseBanded() throws {
        let steps = try checkBanded("stem_k3", steps: [
            "a_stem+a_stem_bn+a_stem_relu+a_dw+a_dw_bn+a_dw_relu+a_project+a_project_bn",
            "b_stem_pad+b_stem+b_stem_bn+b_stem_act+b_dw+b_dw_bn+b_dw_act", "c_conv+c_dw+c_project", "d_dw+d_project"])
        #expect(steps.contains { $0.hasPrefix("d_conv") && !$0.contains("d_dw") }, "steps \(steps)")
    }

    /// Xception's shortcut (a strided 1×1 convolution and its BatchNormalization) comes before the separable
    /// convolutions and the max pooling it is added to, in Keras' order; the plan moves it after the pooling so that
    /// the `Add` runs in its output pass. The pooling itself joins the separable convolution before it (whose output
    /// it alone reads). A shortcut whose output has another reader (here also a model output)
    /// stays where it was, with its `Add` a step of its own. Values: Keras' within the parity bound, the unfused
    /// plan's bit for bit.
    @Test("shortcut convolution moved after the pooling to take the residual Add", .enabled(if: FileManager.default
        .fileExists(atPath: TestFixtures.path("models/shortcut_k3/model.keras")), "fixture shortcut_k3 missing"))
    func shortcutMovedForResidualAdd() throws {
        let c = try #require(ParityCase.all().first { $0.fixture == "shortcut_k3" })
        let model = try CompiledModel(try KerasFile.open(c.url(c.file).path).loadGraph())
        let inputs = try c.inputs.map { try readNPY(contentsOf: c.url($0)) }
        var steps: [String] = []
        let outputs = try model.predict(inputs) { layers, _, _, _ in steps.append(layers) }
        let moved = try #require(steps.firstIndex(of: "b1_sc_conv+b1_sc_bn+b1_add"), "steps \(steps)")
        // The pooling joins the separable convolution whose output it alone reads (band-fused).
        let pool = try #require(steps.firstIndex(of: "b1_sep2+b1_sep2_bn+b1_pool"), "steps \(steps)")
        #expect(pool < moved, "steps \(steps)")
        #expect(steps.contains("b2_sep2+b2_sep2_bn+b2_pool") && !steps.contains("b1_pool"), "steps \(steps)")
        #expect(steps.contains("b2_sc_conv+b2_sc_bn") && steps.contains("b2_add"), "steps \(steps)")
        try expectKerasAndUnfused(c, model, inputs, outputs)
    }

    /// ConvNeXt's block ends Dense → LayerScale → Activation('linear') → `inputs + x` (a keras.ops add, not an `Add`
    /// layer): LayerScale joins the Dense's output pass as the scale/shift `x·γ + (−0)` (`x·γ` bit for bit), the
    /// linear activation is the identity, and the sum joins as a residual `Add`, whichever side its operands are on.
    /// Values: Keras' within the parity bound, the unfused plan's bit for bit.
    @Test("ConvNeXt's LayerScale, identity and residual sum joined to the Dense before them", .enabled(if: FileManager
        .default.fileExists(atPath: TestFixtures.path("models/convnext_block_k3/model.keras")),
        "fixture convnext_block_k3 missing"))
    func convNeXtTailFused() throws {
        let (c, model, inputs, steps, outputs) = try observedRun("convnext_block_k3")
        for block in ["b0", "b1"] {
            #expect(steps.contains { $0.layers.hasPrefix("\(block)_pointwise_conv_2+\(block)_layer_scale+\(block)_identity+add")
                && $0.classes == "Dense+LayerScale+Activation+Add" }, "steps \(steps.map(\.layers))")
        }
        #expect(steps.count == 8, "steps \(steps.map(\.layers))")
        try expectKerasAndUnfused(c, model, inputs, outputs)
    }

    /// Xception's residual blocks: the sum feeds `Activation('relu')` → SeparableConv2D and the next `Add`, so the
    /// ReLU cannot join the pass that makes the sum; the convolution reads the ReLU of its input as its depthwise
    /// kernel loads it instead, and the ReLU step is gone (likewise a `ReLU` layer before a DepthwiseConv2D). A ReLU
    /// that is a model output stays a step. Values: Keras' within the parity bound, the unfused plan's bit for bit.
    @Test("ReLU read by the separable / depthwise convolution after it", .enabled(if: FileManager.default.fileExists(
        atPath: TestFixtures.path("models/xception_middle_k3/model.keras")), "fixture xception_middle_k3 missing"))
    func reluReadByConvolution() throws {
        let (c, model, inputs, steps, outputs) = try observedRun("xception_middle_k3")
        let names = steps.map(\.layers)
        for b in 1...2 {
            // The block's first ReLU (its input is the sum); the other two join the BatchNormalization before them.
            #expect(names.contains { $0.hasPrefix("b\(b)_sepconv1_act+b\(b)_sepconv1+") }, "steps \(names)")
            #expect(!names.contains("b\(b)_sepconv1_act"), "steps \(names)")
        }
        #expect(steps.contains { $0.layers.hasPrefix("dw_act+dw+dw_bn") && $0.classes.hasPrefix("ReLU+DepthwiseConv2D") },
                "steps \(names)")
        #expect(names.contains("out_relu"), "steps \(names)")
        try expectKerasAndUnfused(c, model, inputs, outputs)
    }

    /// InceptionResNetV2's block tail `CustomScaleLayer([x, up])` (`x + up · scale`) joins the output pass of the
    /// 1×1 convolution making `up`, as the scale/shift `up · scale + (−0)` and then the residual `Add` of `x`, with
    /// the ReLU after it (the last block has none); MobileNetV3's hard sigmoid written as ops on a constant
    /// (`ReLU(6)(x + 3.0) * (1/6)`) joins the squeeze-and-excitation convolution before it as scale/shifts
    /// `x·1 + 3` and `x·(1/6) + (−0)`. Values: Keras' within the parity bound, the unfused plan's bit for bit.
    @Test("CustomScaleLayer and a hard sigmoid of constant ops joined to the convolutions before them", .enabled(
        if: FileManager.default.fileExists(atPath: TestFixtures.path("models/applications_blocks_k3/model.keras")),
        "fixture applications_blocks_k3 missing"))
    func scaledSumAndConstantOpsFused() throws {
        let (c, model, inputs, steps, outputs) = try observedRun("applications_blocks_k3")
        let names = steps.map(\.layers)
        #expect(steps.contains { $0.layers == "ir0_conv+ir0_scale+ir0_ac"
            && $0.classes == "Conv2D+CustomScaleLayer+Activation" }, "steps \(names)")
        #expect(names.contains("ir1_conv+ir1_scale"), "steps \(names)")
        #expect(steps.contains { $0.layers.hasPrefix("mb_se_conv_1+") && $0.classes == "Conv2D+Add+ReLU+Multiply" },
                "steps \(names)")
        #expect(!steps.contains { $0.classes == "CustomScaleLayer" || $0.classes == "Add" || $0.classes == "ReLU" },
                "a step left on its own: \(names)")
        try expectKerasAndUnfused(c, model, inputs, outputs)
    }

    /// The fixture's model compiled and run on its inputs, with the plan's steps (their layers' names and classes).
    private func observedRun(_ fixture: String) throws
        -> (ParityCase, CompiledModel, [Tensor], [(layers: String, classes: String)], [Tensor]) {
        let c = try #require(ParityCase.all().first { $0.fixture == fixture })
        let model = try CompiledModel(try KerasFile.open(c.url(c.file).path).loadGraph())
        let inputs = try c.inputs.map { try readNPY(contentsOf: c.url($0)) }
        var steps: [(layers: String, classes: String)] = []
        let outputs = try model.predict(inputs) { layers, classes, _, _ in steps.append((layers, classes)) }
        return (c, model, inputs, steps, outputs)
    }

    /// Each of the plan's `outputs` against Keras' within the fixture's bound, and against the unfused plan's (one
    /// step per layer) bit for bit.
    private func expectKerasAndUnfused(_ c: ParityCase, _ model: CompiledModel, _ inputs: [Tensor],
                                       _ outputs: [Tensor]) throws {
        let unfused = try model.predict(inputs) { _, _, _ in }
        try #require(outputs.count == c.outputs.count && unfused.count == c.outputs.count)
        for (i, name) in c.outputs.enumerated() {
            let keras = try readNPY(contentsOf: c.url(name))
            let close = closeness(outputs[i], keras, rtol: c.rtol, atol: c.atol)
            #expect(close.ok, "output \(i): \(close)")
            #expect(bitwiseEqual(outputs[i], unfused[i]), "output \(i): \(firstBitwiseDifference(outputs[i], unfused[i]))")
        }
    }

    /// The fused Add's operand goes through the same checks as the output: one of another size is an error naming
    /// the operation, never a read past its end.
    @Test("a fused Add operand of the wrong size is refused")
    func residualOperandChecked() throws {
        let x = Tensor(shape: [1, 3, 3, 2], scalars: (0..<18).map { Float($0) })
        let kernel = Tensor(shape: [1, 1, 2, 2], scalars: [1, 0, 0, 1])
        let same = Tensor(shape: [1, 3, 3, 2], scalars: (0..<18).map { Float($0) * 0.5 })
        let y = try Ops.conv2d(input: x, kernel: kernel, postOps: [.addTensor(same)])
        #expect(y.scalars == (0..<18).map { Float($0) * 1.5 })
        let short = Tensor(shape: [1, 2, 3, 2], scalars: [Float](repeating: 1, count: 12))
        #expect(throws: TensorError.self) { try Ops.conv2d(input: x, kernel: kernel, postOps: [.addTensor(short)]) }
    }

    /// Conv2D → BatchNormalization → PReLU → Conv2D → LeakyReLU, with denormal-producing weights: values that
    /// become denormal between the fused steps must be flushed exactly where the unfused plan flushes them.
    @Test("denormals between fused steps")
    func denormalsBetweenSteps() throws {
        let tiny = Float(bitPattern: 0x000A_E398) // ≈ 1e-39, a denormal
        let x = Tensor(shape: [2, 4, 4, 3], scalars: (0..<96).map { i in
            [tiny, -tiny, 1e-20, -1e-20, 0, -0.0, 1, -1, .infinity, -.infinity, .nan, 3e-38][i % 12]
        })
        let kernel = Tensor(shape: [3, 3, 3, 4], scalars: (0..<108).map { i in [1e-19, -1e-19, 0.5, -2][i % 4] })
        let direct = try Ops.conv2d(input: x, kernel: kernel, padding: .same)
        let alpha = Tensor(shape: [1, 1, 4], scalars: [0.25, -1e-30, 1e-10, 2])
        let scale: [Float] = [1e-20, 1, -1e-19, 3], shift: [Float] = [0, -0.0, tiny, 0]
        let ops: [Ops.PostOp] = [.flushDenormals, .scaleShift(scale: scale, shift: shift), .flushDenormals,
                                 Ops.preluPostOp(alpha: alpha, sample: [4, 4, 4])!, .flushDenormalsToPositiveZero,
                                 .flushDenormals]
        let fused = try Ops.conv2d(input: x, kernel: kernel, padding: .same, postOps: ops)
        // The same steps one memory pass at a time.
        var step = flush(direct, positive: false)
        step = Tensor(shape: step.shape, scalars: step.scalars.enumerated().map { i, v in v * scale[i % 4] + shift[i % 4] })
        step = flush(step, positive: false)
        step = flush(flush(try Ops.prelu(input: step, alpha: alpha), positive: true), positive: false)
        #expect(bitwiseEqual(fused, step), "\(firstBitwiseDifference(fused, step))")
    }

    private func flush(_ t: Tensor, positive: Bool) -> Tensor {
        Tensor(shape: t.shape, scalars: t.scalars.map { v in
            guard v.isSubnormal else { return v }
            return positive ? 0 : (v.sign == .minus ? -0.0 : 0)
        })
    }
}
