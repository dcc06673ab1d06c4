extension Ops {
    /// Keras `ConvLSTM2D` on `[batch, time, h, w, channels]`: the input convolution of every step at once
    /// (``conv2d(input:kernel:bias:strides:padding:dilation:groups:zeroPadding:activation:postOps:packedKernel:)``
    /// with the bias), then per step the recurrent `same` convolution of `h` and the LSTM update with gates i, f, c, o
    /// along the `4·filters` channels: `c = f·c + i·act(ĉ)`, `h = o·act(c)`.
    /// - Returns: the outputs in step order (reversed for `goBackwards`, as Keras returns them) `[batch, time, oh,
    ///   ow, filters]`, or the last `h`; and the final states `[h, c]`.
    /// - Throws: ``TensorError`` for shape mismatches.
    package static func convLSTM2d(input: Tensor, kernel: Tensor, recurrentKernel: Tensor, bias: Tensor?,
                                  strides: (Int, Int), padding: Padding, dilation: (Int, Int),
                                  activation: Activation, recurrentActivation: Activation, goBackwards: Bool,
                                  returnSequences: Bool) throws(TensorError) -> RecurrentResult {
        let op = "convLSTM2d"
        guard input.rank == 5 else { throw .shape(op, "input \(input.shape) must be [batch, time, rows, cols, channels]") }
        guard kernel.rank == 4, recurrentKernel.rank == 4, kernel.shape[3] % 4 == 0 else {
            throw .shape(op, "kernels \(kernel.shape), \(recurrentKernel.shape) must be [kh, kw, in, 4·filters]")
        }
        let (b, t) = (input.shape[0], input.shape[1])
        let f = kernel.shape[3] / 4
        let steps = Tensor(unchecked: [b * t] + Array(input.shape[2...]), scalars: input.scalars)
        let projected = try conv2d(input: steps, kernel: kernel, bias: bias, strides: strides, padding: padding,
                                   dilation: dilation)
        let (oh, ow) = (projected.shape[1], projected.shape[2])
        let pixels = b * oh * ow
        let plane = oh * ow * 4 * f
        var h = Tensor(unchecked: [b, oh, ow, f], scalars: [Float](repeating: 0, count: pixels * f))
        var c = h
        var sequence: [Float] = []
        if returnSequences { sequence.reserveCapacity(b * t * oh * ow * f) }
        var perStep: [[Float]] = []
        for s in 0..<t {
            let step = goBackwards ? t - 1 - s : s
            let recurrent = try conv2d(input: h, kernel: recurrentKernel, padding: .same)
            var gates = [[Float]](repeating: [Float](repeating: 0, count: pixels * f), count: 4)
            for n in 0..<b {
                let x = (n * t + step) * plane
                for p in 0..<(oh * ow) {
                    let row = (n * oh * ow + p)
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
        // [batch, time, oh, ow, f] from the per-step [batch, oh, ow, f] outputs (in step order).
        let one = oh * ow * f
        sequence = [Float](repeating: 0, count: b * t * one)
        for (s, values) in perStep.enumerated() {
            for n in 0..<b {
                for k in 0..<one { sequence[(n * t + s) * one + k] = values[n * one + k] }
            }
        }
        return RecurrentResult(output: Tensor(unchecked: [b, t, oh, ow, f], scalars: sequence), states: [h, c])
    }
}
