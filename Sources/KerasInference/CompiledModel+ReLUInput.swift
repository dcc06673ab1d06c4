extension CompiledModel {
    /// Drops each ReLU step whose output only one step reads, a depthwise or separable convolution that can read the
    /// ReLU of its input as it loads it (``OutputPassLayer/readingReLUInput()``): that step then reads the ReLU's
    /// input instead, and the ReLU's output is never written. Xception's residual blocks start so (the sum `x` feeds
    /// both `Activation('relu')` → SeparableConv2D and the next residual `Add`, so the ReLU cannot join the output
    /// pass that makes `x`): at batch 8 each such ReLU wrote and read a fresh 8.4 MB tensor.
    ///
    /// The values are the same bit for bit: the plan's tensors have no denormals (``Denormals``), on which the ReLU
    /// step's `relu` then flush equals the kernel's `x <= 0 ? +0 : x`. Runs on the plan after
    /// ``bandFuse(_:outputSlots:)``; a ReLU whose output is a model output or read by a step with masks stays.
    static func foldReLUIntoReaders(_ steps: [Step], outputSlots: [Int]) -> [Step] {
        var readers: [Int: [Int]] = [:]
        for (i, s) in steps.enumerated() { for x in s.inputs { readers[x, default: []].append(i) } }
        let modelOutputs = Set(outputSlots)
        var result = steps
        var dropped = Set<Int>()
        for (i, step) in steps.enumerated() {
            guard step.inputs.count == 1, step.outputs.count == 1, let y = step.outputs.first,
                  !modelOutputs.contains(y), step.maskInput == nil, step.maskComputation == nil,
                  step.inputMasks == nil, (step.layer as? OutputPassLayer)?.isPlainReLU == true,
                  let r = readers[y], r.count == 1, r[0] > i else { continue }
            let j = r[0]
            var reader = result[j]
            guard reader.inputs == [y], reader.outputs.count == 1, reader.maskInput == nil,
                  reader.maskComputation == nil, reader.inputMasks == nil,
                  let layer = (reader.layer as? OutputPassLayer)?.readingReLUInput() else { continue }
            reader.layer = layer
            reader.inputs = step.inputs
            reader.layerName = step.layerName + "+" + reader.layerName
            reader.className = step.className + "+" + reader.className
            result[j] = reader
            dropped.insert(i)
        }
        return result.indices.compactMap { dropped.contains($0) ? nil : result[$0] }
    }
}
