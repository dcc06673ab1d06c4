import TensorModule

/// A compiled layer's description as one stage of a band-fused pair (``CompiledModel/bandFuse(_:outputSlots:)``).
enum BandStage: Sendable {
    /// A channels-last 1×1 convolution, stride 1, no padding, one group, kernel packed.
    case pointwise(Ops.PointwiseStage)
    /// A channels-last depthwise convolution with depth multiplier 1.
    case depthwise(Ops.DepthwiseStage)
}

/// A 1×1 convolution and the depthwise convolution that alone reads its output, each with the element-wise layers
/// fused into its output pass, run in bands of rows (``Ops/pointwiseDepthwise(input:pointwise:pointwisePostOps:depthwise:depthwisePostOps:)``).
struct BandFusedLayer: CompiledLayer {
    let pointwise: Ops.PointwiseStage, pointwisePostOps: [Ops.PostOp]
    let depthwise: Ops.DepthwiseStage, depthwisePostOps: [Ops.PostOp]

    func run(_ inputs: [Tensor]) throws -> [Tensor] {
        guard inputs.count == 1 else { throw InferenceError("expected 1 input, got \(inputs.count)") }
        return [try Ops.pointwiseDepthwise(input: inputs[0], pointwise: pointwise, pointwisePostOps: pointwisePostOps,
                                           depthwise: depthwise, depthwisePostOps: depthwisePostOps)]
    }
}

extension CompiledModel {
    /// Joins each 1×1 convolution step (MobileNet's and EfficientNet's "expand", with its BatchNormalization and
    /// activation fused in) and the depthwise convolution step that alone reads its output into one
    /// ``BandFusedLayer`` step, so the expanded tensor never goes to memory. Runs on the plan after ``fuse(_:outputSlots:)``:
    /// both steps keep their output passes (post-ops) and denormal flushes, so the values are the same. Steps
    /// with masks, a fused residual `Add`, or an output that is a model output or read elsewhere stay as they are.
    static func bandFuse(_ steps: [Step], outputSlots: [Int]) -> [Step] {
        var readers: [Int: [Int]] = [:]
        for (i, s) in steps.enumerated() { for x in s.inputs { readers[x, default: []].append(i) } }
        let modelOutputs = Set(outputSlots)
        var result: [Step] = []
        var dropped = Set<Int>()
        for (i, step) in steps.enumerated() {
            if dropped.contains(i) { continue }
            guard let a = step.layer as? OutputPassLayer, case let .pointwise(pointwise)? = a.bandStage,
                  a.residualAt == nil, step.inputs.count == 1, step.outputs.count == 1, step.maskInput == nil,
                  step.maskComputation == nil, step.inputMasks == nil,
                  let x = step.outputs.first, !modelOutputs.contains(x), let r = readers[x], r.count == 1,
                  r[0] > i, let b = steps[r[0]].layer as? OutputPassLayer,
                  case let .depthwise(depthwise)? = b.bandStage, b.residualAt == nil,
                  steps[r[0]].inputs == [x], steps[r[0]].outputs.count == 1, steps[r[0]].maskInput == nil,
                  steps[r[0]].maskComputation == nil, steps[r[0]].inputMasks == nil
            else {
                result.append(step)
                continue
            }
            let next = steps[r[0]]
            var joined = step
            joined.layer = BandFusedLayer(pointwise: pointwise, pointwisePostOps: a.postOps,
                                          depthwise: depthwise, depthwisePostOps: b.postOps)
            joined.layerName += "+" + next.layerName
            joined.className += "+" + next.className
            joined.outputs = next.outputs
            joined.flushesOutputs = next.flushesOutputs
            result.append(joined)
            dropped.insert(r[0])
        }
        return result
    }
}
