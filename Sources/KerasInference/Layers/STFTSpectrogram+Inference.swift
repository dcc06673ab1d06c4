import KerasGraph
import TensorModule

extension STFTSpectrogram: RunnableLayer {
    /// ``Ops/stftSpectrogram(input:realKernel:imagKernel:mode:frameStep:padding:channelsFirst:expandDims:)`` with
    /// the stored kernels. `channels_first` is refused: TensorFlow runs it only on a GPU, so there is no CPU reference
    /// to check KerasPort's result against.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        _ = try outputShapes(inputShapes: inputShapes)
        guard dataFormat == .channelsLast else {
            throw inferenceError("`data_format=\"channels_first\"` is not supported (TensorFlow computes it only on a GPU; KerasPort has no reference for it)")
        }
        guard let op = Ops.SpectrogramMode(rawValue: mode) else { throw inferenceError("`mode` `\(mode)` is not supported") }
        var next = 0
        func kernel(_ name: String) throws -> Tensor {
            defer { next += 1 }
            return try weightTensor(next, name)
        }
        let real = mode == "imag" ? nil : try kernel("real_kernel")
        let imag = mode == "real" ? nil : try kernel("imag_kernel")
        let (step, padding, first, expand) = (self.step, self.padding.op, dataFormat == .channelsFirst, expandDims)
        return UnaryClosureLayer { x in
            try Ops.stftSpectrogram(input: x, realKernel: real, imagKernel: imag, mode: op, frameStep: step,
                                    padding: padding, channelsFirst: first, expandDims: expand)
        }
    }
}
