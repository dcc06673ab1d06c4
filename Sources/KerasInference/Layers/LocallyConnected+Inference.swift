import KerasGraph
import TensorModule

extension LocallyConnected: RunnableLayer {
    /// The stored kernel (any of tf_keras' three layouts) re-laid-out once as one `[window·in, filters]` block per
    /// output position (``Ops/LocalWeights``), then ``Ops/locallyConnected(input:weights:bias:outputSpatial:activation:)``.
    /// `channels_first` is refused.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        guard dataFormat == .channelsLast else { throw inferenceError("`data_format=\"channels_first\"` is not supported") }
        let (spatial, channels, output) = try geometry(try singleInput(inputShapes))
        let windows = (0..<rank).map { axis in
            (0..<output[axis]).map { window(axis: axis, output: $0, inputLength: spatial[axis]) }
        }
        let kernel = try weightTensor(0, "kernel")
        let bias = useBias ? try weightTensor(1, "bias") : nil
        let layout: Ops.LocalKernelLayout = implementation == 1 ? .perPosition : implementation == 2 ? .maskedDense : .sparseEntries
        let packed = try Ops.LocalWeights(kernel: kernel, layout: layout, inputSpatial: spatial, inChannels: channels,
                                          filters: filters, windows: windows)
        let act = activation.function.op
        return UnaryClosureLayer { x in
            try Ops.locallyConnected(input: x, weights: packed, bias: bias, outputSpatial: output, activation: act)
        }
    }
}
