import TensorModule

extension CompiledModel {
    /// Joins each step whose layer can pool its own output (a channels-last `SeparableConv2D` with its fused output
    /// pass: ``OutputPassLayer/pooledBody``) and the `MaxPooling2D` step that alone reads that output into one
    /// ``PooledOutputLayer`` step, in the first step's place (the pooling's one input is ready there), so the
    /// unpooled output need not go to memory (Xception's block2 and block3). Runs on the plan after
    /// ``fuse(_:outputSlots:)``: the joined step keeps the first step's output pass, and its output, a selection of
    /// that pass's flushed values, needs no flush of its own. Steps with masks, a residual operand, or an output
    /// that is a model output or read elsewhere stay as they are.
    static func poolFuse(_ steps: [Step], outputSlots: [Int]) -> [Step] {
        var readers: [Int: [Int]] = [:]
        for (i, s) in steps.enumerated() { for x in s.inputs { readers[x, default: []].append(i) } }
        let modelOutputs = Set(outputSlots)
        var result: [Step] = []
        var dropped = Set<Int>()
        for (i, step) in steps.enumerated() where !dropped.contains(i) {
            guard let layer = step.layer as? OutputPassLayer, layer.pooledBody != nil, layer.acceptsPostOps,
                  step.inputs.count == 1, step.outputs.count == 1, step.maskInput == nil,
                  step.maskComputation == nil, step.inputMasks == nil,
                  let x = step.outputs.first, !modelOutputs.contains(x), let r = readers[x], r.count == 1, r[0] > i,
                  case let reader = steps[r[0]], reader.inputs == [x], reader.outputs.count == 1,
                  reader.maskInput == nil, reader.maskComputation == nil, reader.inputMasks == nil,
                  let pooling = reader.layer as? ValueSelectingLayer, let window = pooling.maxPool
            else {
                result.append(step)
                continue
            }
            var joined = step
            joined.layerName += "+" + reader.layerName
            joined.className += "+" + reader.className
            joined.layer = PooledOutputLayer(layer: layer, window: window, pooling: pooling)
            joined.outputs = reader.outputs
            joined.flushesOutputs = step.flushesOutputs && reader.flushesOutputs
            result.append(joined)
            dropped.insert(r[0])
        }
        return result
    }
}
