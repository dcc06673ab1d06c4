import TensorModule

/// A compiled layer's description as one stage of a band-fused pair (``CompiledModel/bandFuse(_:outputSlots:)``).
enum BandStage: Sendable {
    /// A channels-last 1×1 convolution, stride 1, no padding, one group, kernel packed.
    case pointwise(Ops.PointwiseStage)
    /// Another channels-last convolution of one group, kernel packed (a stem): only ever an expand stage.
    case convolution(Ops.ConvolutionStage)
    /// A channels-last depthwise convolution with depth multiplier 1.
    case depthwise(Ops.DepthwiseStage)
}

/// A 1×1 convolution or a stem's convolution (optional), the depthwise convolution that alone reads its output and
/// optionally the 1×1 convolution that alone reads the depthwise output (an inverted-residual block: expand →
/// depthwise → project; at least one of the outer stages), each with the element-wise layers fused into its output
/// pass, run in bands of rows (``Ops/bandFused(input:expand:expandPostOps:depthwise:depthwisePostOps:project:projectPostOps:passes:)``).
/// With a project stage that adds a residual, the step's second input is the `Add`'s other operand.
struct BandFusedLayer: CompiledLayer {
    let expand: Ops.ExpandStage?, expandPostOps: [Ops.PostOp]
    let depthwise: Ops.DepthwiseStage, depthwisePostOps: [Ops.PostOp]
    let project: Ops.PointwiseStage?, projectPostOps: [Ops.PostOp]
    /// Where in `projectPostOps` the residual operand is added, when there is one.
    let residualAt: Int?
    /// The stages' output passes, prepared when the block is compiled (``Ops/BandPasses``).
    let passes: Ops.BandPasses

    init(expand: Ops.ExpandStage?, expandPostOps: [Ops.PostOp], depthwise: Ops.DepthwiseStage,
         depthwisePostOps: [Ops.PostOp], project: Ops.PointwiseStage? = nil, projectPostOps: [Ops.PostOp] = [],
         residualAt: Int? = nil) {
        (self.expand, self.expandPostOps, self.depthwise) = (expand, expandPostOps, depthwise)
        (self.depthwisePostOps, self.project, self.projectPostOps) = (depthwisePostOps, project, projectPostOps)
        self.residualAt = residualAt
        passes = Ops.BandPasses(expand: expand, expandPostOps: expandPostOps, depthwise: depthwise,
                                depthwisePostOps: depthwisePostOps, project: project, projectPostOps: projectPostOps,
                                residual: residualAt != nil)
    }

    func run(_ inputs: [Tensor]) throws -> [Tensor] {
        let expected = residualAt == nil ? 1 : 2
        guard inputs.count == expected else { throw InferenceError("expected \(expected) inputs, got \(inputs.count)") }
        var post = projectPostOps
        if let at = residualAt { post.insert(.addTensor(inputs[1]), at: at) }
        return [try Ops.bandFused(input: inputs[0], expand: expand, expandPostOps: expandPostOps,
                                  depthwise: depthwise, depthwisePostOps: depthwisePostOps,
                                  project: project, projectPostOps: post, passes: passes)]
    }
}

/// A per-image channel scale (`Multiply` of a `[batch, h, w, c]` tensor by a `[batch, 1, 1, c]` one) and the 1×1
/// convolution that alone reads its product, run in blocks of pixel rows (``Ops/scaledPointwise(input:scale:project:postOps:)``).
/// Inputs: the image operand, the scale, and the project stage's residual operand when it has one.
struct ScaledPointwiseLayer: CompiledLayer {
    let project: Ops.PointwiseStage, postOps: [Ops.PostOp]
    var residualAt: Int?

    func run(_ inputs: [Tensor]) throws -> [Tensor] {
        let expected = residualAt == nil ? 2 : 3
        guard inputs.count == expected else { throw InferenceError("expected \(expected) inputs, got \(inputs.count)") }
        var post = postOps
        if let at = residualAt { post.insert(.addTensor(inputs[2]), at: at) }
        return [try Ops.scaledPointwise(input: inputs[0], scale: inputs[1], project: project, postOps: post)]
    }
}

extension BandStage {
    /// The stage as a band-fused block's first stage, when it can be one.
    var expandStage: Ops.ExpandStage? {
        switch self {
        case .pointwise(let s): .pointwise(s)
        case .convolution(let s): .convolution(s)
        case .depthwise: nil
        }
    }
}

extension CompiledModel {
    /// Joins each 1×1 convolution step (MobileNet's and EfficientNet's "expand", with its BatchNormalization and
    /// activation fused in), the depthwise convolution step that alone reads its output, and the 1×1 convolution
    /// step that alone reads the depthwise output when there is one (MobileNet's "project", with a fused residual
    /// `Add` whose other operand is ready before the block) into one ``BandFusedLayer`` step (a network's stem, a
    /// convolution before its first depthwise one, joins it likewise), so the expanded and
    /// depthwise tensors never go to memory; a depthwise step with no expand before it joins the 1×1 step after
    /// it (MobileNet's separable blocks, MobileNetV2's first block). Runs on the plan after ``fuse(_:outputSlots:)``: every step keeps its
    /// output pass (post-ops) and denormal flushes, so the values are the same. Steps with masks, an output that
    /// is a model output or read elsewhere stay as they are.
    static func bandFuse(_ steps: [Step], outputSlots: [Int]) -> [Step] {
        var readers: [Int: [Int]] = [:]
        var producer: [Int: Int] = [:]
        for (i, s) in steps.enumerated() {
            for x in s.inputs { readers[x, default: []].append(i) }
            for o in s.outputs { producer[o] = i }
        }
        let modelOutputs = Set(outputSlots)
        /// The one step after `i` that reads its single output, alone and as its first input, when that output is
        /// not a model output and the reader runs without masks.
        func soleReader(of i: Int) -> (index: Int, layer: OutputPassLayer)? {
            let s = steps[i]
            guard s.outputs.count == 1, let x = s.outputs.first, !modelOutputs.contains(x), let r = readers[x],
                  r.count == 1, r[0] > i, steps[r[0]].inputs.first == x, steps[r[0]].outputs.count == 1,
                  steps[r[0]].maskInput == nil, steps[r[0]].maskComputation == nil, steps[r[0]].inputMasks == nil,
                  let layer = steps[r[0]].layer as? OutputPassLayer else { return nil }
            return (r[0], layer)
        }
        /// A step that runs without masks on one input.
        func plain(_ s: Step) -> Bool {
            s.inputs.count == 1 && s.maskInput == nil && s.maskComputation == nil && s.inputMasks == nil
        }
        var result: [Step] = []
        var dropped = Set<Int>()
        /// Step `i` as a channel-scale `Multiply` joined to the 1×1 step that alone reads its product (whose residual
        /// operand, if any, is ready before step `i`), that step marked dropped; `nil` when it is not one.
        func scaledProjection(at i: Int) -> Step? {
            let step = steps[i]
            guard let product = step.layer as? CompiledProduct, let roles = product.channelScale,
                  step.inputs.count == 2, step.maskInput == nil, step.maskComputation == nil, step.inputMasks == nil,
                  let (p, c) = soleReader(of: i), case let .pointwise(project)? = c.bandStage,
                  steps[p].inputs.count == (c.residualAt == nil ? 1 : 2),
                  steps[p].inputs.dropFirst().allSatisfy({ producer[$0].map { $0 < i } ?? true })
            else { return nil }
            var joined = step
            joined.layer = ScaledPointwiseLayer(project: project, postOps: c.postOps, residualAt: c.residualAt)
            joined.inputs = [step.inputs[roles.image], step.inputs[roles.scale]] + steps[p].inputs.dropFirst()
            joined.layerName += "+" + steps[p].layerName
            joined.className += "+" + steps[p].className
            joined.outputs = steps[p].outputs
            joined.flushesOutputs = steps[p].flushesOutputs
            dropped.insert(p)
            return joined
        }
        for (i, step) in steps.enumerated() {
            if dropped.contains(i) { continue }
            // The chain's stages: an expand step (optional), a depthwise step, a project step (optional).
            var expand: (Ops.ExpandStage, OutputPassLayer)?
            var depthwise: (index: Int, stage: Ops.DepthwiseStage, layer: OutputPassLayer)?
            if let a = step.layer as? OutputPassLayer, let stage = a.bandStage?.expandStage, a.residualAt == nil,
               plain(step), let (j, b) = soleReader(of: i), case let .depthwise(dw)? = b.bandStage, b.residualAt == nil,
               steps[j].inputs.count == 1 {
                expand = (stage, a)
                depthwise = (j, dw, b)
            } else if let b = step.layer as? OutputPassLayer, case let .depthwise(dw)? = b.bandStage,
                      b.residualAt == nil, plain(step) {
                depthwise = (i, dw, b)
            }
            if depthwise == nil, let scaled = scaledProjection(at: i) {
                result.append(scaled)
                continue
            }
            guard let depthwise else {
                result.append(step)
                continue
            }
            // The project stage: its residual operand (if any) must be computed before the joined step runs.
            var project: (index: Int, stage: Ops.PointwiseStage, layer: OutputPassLayer)?
            if let (p, c) = soleReader(of: depthwise.index), case let .pointwise(stage)? = c.bandStage,
               steps[p].inputs.count == (c.residualAt == nil ? 1 : 2),
               steps[p].inputs.dropFirst().allSatisfy({ producer[$0].map { $0 < i } ?? true }) {
                project = (p, stage, c)
            }
            // A depthwise step alone, or without its expand, is joined only to a project step.
            guard expand != nil || project != nil else {
                result.append(step)
                continue
            }
            var joined = step
            joined.layer = BandFusedLayer(expand: expand?.0, expandPostOps: expand?.1.postOps ?? [],
                                          depthwise: depthwise.stage, depthwisePostOps: depthwise.layer.postOps,
                                          project: project?.stage, projectPostOps: project?.layer.postOps ?? [],
                                          residualAt: project?.layer.residualAt)
            if let project { joined.inputs += steps[project.index].inputs.dropFirst() }
            for s in [depthwise.index, project?.index].compactMap({ $0 }) where s != i {
                joined.layerName += "+" + steps[s].layerName
                joined.className += "+" + steps[s].className
                dropped.insert(s)
            }
            let last = project?.index ?? depthwise.index
            joined.outputs = steps[last].outputs
            joined.flushesOutputs = steps[last].flushesOutputs
            result.append(joined)
        }
        return result
    }
}
