extension Ops {
    /// Keras `ConvLSTM1D` / `ConvLSTM2D` / `ConvLSTM3D` on `[batch, time, spatial…, channels]` (1 to 3 spatial axes):
    /// the input convolution of every step at once (``conv1d(input:kernel:bias:stride:padding:dilation:groups:activation:postOps:packedKernel:)``,
    /// ``conv2d(input:kernel:bias:strides:padding:dilation:groups:zeroPadding:activation:postOps:packedKernel:)`` or
    /// ``conv3d(input:kernel:bias:strides:padding:dilation:groups:activation:)`` with the bias), then per step the
    /// recurrent `same` convolution of `h` and the LSTM update with gates i, f, c, o along the `4·filters` channels:
    /// `c = f·c + i·act(ĉ)`, `h = o·act(c)`.
    /// - Parameters:
    ///   - kernel: `[k…, channels, 4·filters]`; `recurrentKernel`: `[k…, filters, 4·filters]`.
    ///   - strides, dilation: one value per spatial axis.
    /// - Returns: the outputs in step order (reversed for `goBackwards`, as Keras returns them) `[batch, time, out…,
    ///   filters]`, or the last `h`; and the final states `[h, c]`.
    /// - Throws: ``TensorError`` for shape mismatches.
    package static func convLSTM(input: Tensor, kernel: Tensor, recurrentKernel: Tensor, bias: Tensor?,
                                 strides: [Int], padding: Padding, dilation: [Int],
                                 activation: Activation, recurrentActivation: Activation, goBackwards: Bool,
                                 returnSequences: Bool) throws(TensorError) -> RecurrentResult {
        let op = "convLSTM"
        let rank = input.rank - 3
        guard (1...3).contains(rank) else {
            throw .shape(op, "input \(input.shape) must be [batch, time, 1 to 3 spatial axes, channels]")
        }
        guard kernel.rank == rank + 2, recurrentKernel.rank == rank + 2, kernel.shape[rank + 1] % 4 == 0,
              strides.count == rank, dilation.count == rank else {
            throw .shape(op, "kernels \(kernel.shape), \(recurrentKernel.shape) must be [k…, in, 4·filters] with \(rank) kernel axes, strides \(strides) and dilation \(dilation) \(rank) values")
        }
        let (b, t) = (input.shape[0], input.shape[1])
        let f = kernel.shape[rank + 1] / 4
        func convolve(_ x: Tensor, _ w: Tensor, _ bias: Tensor?, _ strides: [Int], _ padding: Padding,
                      _ dilation: [Int]) throws(TensorError) -> Tensor {
            switch rank {
            case 1:
                return try conv1d(input: x, kernel: w, bias: bias, stride: strides[0], padding: padding, dilation: dilation[0])
            case 2:
                return try conv2d(input: x, kernel: w, bias: bias, strides: (strides[0], strides[1]), padding: padding,
                                  dilation: (dilation[0], dilation[1]))
            default:
                return try conv3d(input: x, kernel: w, bias: bias, strides: (strides[0], strides[1], strides[2]),
                                  padding: padding, dilation: (dilation[0], dilation[1], dilation[2]))
            }
        }
        let ones = [Int](repeating: 1, count: rank)
        let steps = Tensor(unchecked: [b * t] + Array(input.shape[2...]), scalars: input.scalars)
        let projected = try convolve(steps, kernel, bias, strides, padding, dilation)
        let outSpatial = Array(projected.shape[1...rank])
        let positions = outSpatial.reduce(1, *)
        let pixels = b * positions
        let plane = positions * 4 * f
        var h = Tensor(unchecked: [b] + outSpatial + [f], scalars: [Float](repeating: 0, count: pixels * f))
        var c = h
        var perStep: [[Float]] = []
        for s in 0..<t {
            let step = goBackwards ? t - 1 - s : s
            let recurrent = try convolve(h, recurrentKernel, nil, ones, .same, ones)
            var gates = [[Float]](repeating: [Float](repeating: 0, count: pixels * f), count: 4)
            for n in 0..<b {
                let x = (n * t + step) * plane
                for p in 0..<positions {
                    let row = n * positions + p
                    for g in 0..<4 {
                        for k in 0..<f {
                            gates[g][row * f + k] = projected.scalars[x + p * 4 * f + g * f + k]
                                + recurrent.scalars[row * 4 * f + g * f + k]
                        }
                    }
                }
            }
            var i = Tensor(unchecked: h.shape, scalars: gates[0]), fg = Tensor(unchecked: h.shape, scalars: gates[1])
            var g = Tensor(unchecked: h.shape, scalars: gates[2]), o = Tensor(unchecked: h.shape, scalars: gates[3])
            try applyActivation(recurrentActivation, to: &i)
            try applyActivation(recurrentActivation, to: &fg)
            try applyActivation(activation, to: &g)
            try applyActivation(recurrentActivation, to: &o)
            for k in c.scalars.indices { c.scalars[k] = fg.scalars[k] * c.scalars[k] + i.scalars[k] * g.scalars[k] }
            var ac = c
            try applyActivation(activation, to: &ac)
            for k in h.scalars.indices { h.scalars[k] = o.scalars[k] * ac.scalars[k] }
            if returnSequences { perStep.append(h.scalars) }
        }
        guard returnSequences else { return RecurrentResult(output: h, states: [h, c]) }
        // [batch, time, out…, f] from the per-step [batch, out…, f] outputs (in step order).
        let one = positions * f
        var sequence = [Float](repeating: 0, count: b * t * one)
        for (s, values) in perStep.enumerated() {
            for n in 0..<b {
                for k in 0..<one { sequence[(n * t + s) * one + k] = values[n * one + k] }
            }
        }
        return RecurrentResult(output: Tensor(unchecked: [b, t] + outSpatial + [f], scalars: sequence), states: [h, c])
    }
}
