extension Ops {
    /// The step function of a Keras recurrent layer, with Keras' gate order and formulas.
    package enum RecurrentCell: Sendable, Equatable {
        /// `h = activation(x·W + b + h·U)` (`SimpleRNNCell`).
        case simple(activation: Activation)
        /// Gates i, f, c, o in that order along the `4·units` axis (`LSTMCell`):
        /// `z = x·W + h·U + b`, `c = f·c + i·activation(z_c)`, `h = o·activation(c)`.
        case lstm(activation: Activation, recurrentActivation: Activation)
        /// Gates z, r, h in that order along the `3·units` axis (`GRUCell`). `resetAfter`: the reset gate multiplies
        /// `h·U_h + b_h` (bias `(2, 3·units)`: input bias, then recurrent bias); otherwise it multiplies `h` before
        /// `U_h` (bias `(3·units,)`, input side only). `h = z·h + (1 − z)·activation(x_h + …)`.
        case gru(activation: Activation, recurrentActivation: Activation, resetAfter: Bool)

        /// Gates per unit: 1, 4 or 3.
        package var gates: Int {
            switch self {
            case .simple: return 1
            case .lstm: return 4
            case .gru: return 3
            }
        }

        /// States carried between steps: `h` (and `c` for LSTM).
        package var stateCount: Int {
            if case .lstm = self { return 2 }
            return 1
        }
    }

    /// What ``recurrent(input:mask:cell:kernel:recurrentKernel:bias:goBackwards:returnSequences:zeroOutputForMask:)``
    /// returns.
    package struct RecurrentResult: Sendable {
        /// `[batch, time, units]` with every step's output (in the order the steps ran: reversed for
        /// `goBackwards`, as Keras returns it), or `[batch, units]`: the last step's output.
        package var output: Tensor
        /// The final states `[batch, units]`: `h` (and `c` for LSTM).
        package var states: [Tensor]
    }

    /// Runs a Keras recurrent layer over `input` `[batch, time, features]` from zero initial states.
    ///
    /// The input projection of all steps is one `sgemm` (`[batch·time, features] · kernel`), then each step does
    /// one `[batch, units] · recurrentKernel` product and the cell's element-wise update. `mask` `[batch, time]`
    /// (non-zero = keep) follows Keras' `backend.rnn`: at a masked step the states stay as they were and the step's
    /// output is the previous output, or zeros with `zeroOutputForMask` (Bidirectional with `return_sequences`).
    ///
    /// - Parameters:
    ///   - kernel: `[features, gates·units]`.
    ///   - recurrentKernel: `[units, gates·units]`.
    ///   - bias: `[gates·units]`, or `[2, 3·units]` for a GRU with `resetAfter`; `nil` without bias.
    /// - Throws: ``TensorError`` when shapes disagree or an activation is not element-wise.
    package static func recurrent(input: Tensor, mask: Tensor?, cell: RecurrentCell, kernel: Tensor,
                                 recurrentKernel: Tensor, bias: Tensor?, goBackwards: Bool, returnSequences: Bool,
                                 zeroOutputForMask: Bool) throws(TensorError) -> RecurrentResult {
        let op = "recurrent"
        guard input.rank == 3 else { throw .shape(op, "input must be [batch, time, features], got \(input.shape)") }
        let (batch, time, features) = (input.shape[0], input.shape[1], input.shape[2])
        let gates = cell.gates
        guard recurrentKernel.rank == 2, recurrentKernel.shape[1] % gates == 0 else {
            throw .shape(op, "recurrent kernel \(recurrentKernel.shape) is not [units, \(gates)·units]")
        }
        let units = recurrentKernel.shape[0]
        let width = gates * units
        guard recurrentKernel.shape == [units, width] else {
            throw .shape(op, "recurrent kernel \(recurrentKernel.shape) is not [units, \(gates)·units]")
        }
        guard kernel.shape == [features, width] else {
            throw .shape(op, "kernel \(kernel.shape) does not match input features \(features) and \(width) gate columns")
        }
        var resetAfter = false
        if case let .gru(_, _, r) = cell { resetAfter = r }
        var inputBias: [Float]?
        var recurrentBias: [Float]?
        if let bias {
            if resetAfter {
                guard bias.shape == [2, width] else { throw .shape(op, "bias \(bias.shape) is not [2, \(width)]") }
                inputBias = Array(bias.scalars[0..<width])
                recurrentBias = Array(bias.scalars[width..<(2 * width)])
            } else {
                guard bias.shape == [width] else { throw .shape(op, "bias \(bias.shape) is not [\(width)]") }
                inputBias = bias.scalars
            }
        }
        if let mask, mask.shape != [batch, time] {
            throw .shape(op, "mask \(mask.shape) does not match input [batch, time] = [\(batch), \(time)]")
        }
        let activations: [Activation]
        switch cell {
        case let .simple(a): activations = [a]
        case let .lstm(a, r): activations = [a, r]
        case let .gru(a, r, _): activations = [a, r]
        }
        for a in activations where !a.isElementwise {
            throw .shape(op, "activation \(a) is not element-wise")
        }
        try BLAS.check(op, batch * time, width, features)

        // Input projection of every step at once: [batch·time, width], bias added.
        var projected = [Float](repeating: 0, count: batch * time * width)
        if batch * time > 0, width > 0 {
            input.scalars.withUnsafeBufferPointer { x in
                kernel.scalars.withUnsafeBufferPointer { w in
                    projected.withUnsafeMutableBufferPointer { out in
                        BLAS.sgemm(m: batch * time, n: width, k: features, a: x.baseAddress ?? dummyPointer,
                                   lda: max(features, 1), b: w.baseAddress ?? dummyPointer, ldb: max(width, 1),
                                   c: out.baseAddress!, ldc: width)
                        if let inputBias {
                            for row in 0..<(batch * time) {
                                let p = out.baseAddress! + row * width
                                for j in 0..<width { p[j] += inputBias[j] }
                            }
                        }
                    }
                }
            }
        }

        // Working buffers, as raw memory: the step loop runs `time` times and must not pay for bounds and
        // uniqueness checks on every element.
        func buffer(_ n: Int) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(n, 1))
            p.initialize(repeating: 0, count: max(n, 1))
            return p
        }
        let bu = batch * units
        let h = buffer(bu), c = buffer(cell.stateCount == 2 ? bu : 0), last = buffer(bu)
        let newH = buffer(bu), newC = buffer(bu), scratch = buffer(bu)
        let inner = buffer(batch * width), gate = buffer(batch * width)
        defer { for p in [h, c, last, newH, newC, scratch, inner, gate] { p.deallocate() } }
        let hasC = cell.stateCount == 2
        var sequence = [Float](repeating: 0, count: returnSequences ? batch * time * units : 0)
        let keepAll = mask == nil
        let maskValues = mask?.scalars ?? []

        sequence.withUnsafeMutableBufferPointer { seqBuf in
        projected.withUnsafeBufferPointer { projBuf in
        maskValues.withUnsafeBufferPointer { maskBuf in
        recurrentKernel.scalars.withUnsafeBufferPointer { uBuf in
            let u = uBuf.baseAddress ?? dummyPointer
            let proj = projBuf.baseAddress ?? dummyPointer
            let seq = returnSequences ? seqBuf.baseAddress : nil   // an empty array may still have a base address
            for step in 0..<time {
                let t = goBackwards ? time - 1 - step : step
                // inner = h · U (+ recurrent bias)
                BLAS.sgemm(m: batch, n: width, k: units, a: h, lda: max(units, 1), b: u, ldb: max(width, 1),
                           c: inner, ldc: max(width, 1))
                if let recurrentBias {
                    for b in 0..<batch { for j in 0..<width { inner[b * width + j] += recurrentBias[j] } }
                }
                for b in 0..<batch {
                    (gate + b * width).update(from: proj + (b * time + t) * width, count: width)
                }
                switch cell {
                case let .simple(activation):
                    for i in 0..<(batch * width) { gate[i] += inner[i] }
                    applyElementwise(activation, gate, count: batch * width)
                    newH.update(from: gate, count: bu)
                case let .lstm(activation, recurrentActivation):
                    for i in 0..<(batch * width) { gate[i] += inner[i] }
                    for b in 0..<batch {
                        let row = gate + b * width
                        applyElementwise(recurrentActivation, row, count: 2 * units)              // i, f
                        applyElementwise(activation, row + 2 * units, count: units)               // c candidate
                        applyElementwise(recurrentActivation, row + 3 * units, count: units)      // o
                        for k in 0..<units {
                            newC[b * units + k] = row[units + k] * c[b * units + k] + row[k] * row[2 * units + k]
                        }
                    }
                    // h = o · activation(c)
                    scratch.update(from: newC, count: bu)
                    applyElementwise(activation, scratch, count: bu)
                    for b in 0..<batch {
                        for k in 0..<units { newH[b * units + k] = gate[b * width + 3 * units + k] * scratch[b * units + k] }
                    }
                case let .gru(activation, recurrentActivation, resetAfter):
                    // z, r = recurrentActivation(x_zr + inner_zr)
                    for b in 0..<batch {
                        let row = gate + b * width
                        for j in 0..<(2 * units) { row[j] += inner[b * width + j] }
                        applyElementwise(recurrentActivation, row, count: 2 * units)
                    }
                    if resetAfter {
                        for b in 0..<batch {
                            let row = gate + b * width
                            for k in 0..<units { row[2 * units + k] += row[units + k] * inner[b * width + 2 * units + k] }
                        }
                    } else {
                        // (r ⊙ h) · U_h
                        for b in 0..<batch {
                            for k in 0..<units { scratch[b * units + k] = gate[b * width + units + k] * h[b * units + k] }
                        }
                        BLAS.sgemm(m: batch, n: units, k: units, a: scratch, lda: max(units, 1), b: u + 2 * units,
                                   ldb: max(width, 1), c: inner + 2 * units, ldc: max(width, 1))
                        for b in 0..<batch {
                            let row = gate + b * width
                            for k in 0..<units { row[2 * units + k] += inner[b * width + 2 * units + k] }
                        }
                    }
                    for b in 0..<batch {
                        let row = gate + b * width
                        applyElementwise(activation, row + 2 * units, count: units)
                        for k in 0..<units {
                            let z = row[k]
                            newH[b * units + k] = z * h[b * units + k] + (1 - z) * row[2 * units + k]
                        }
                    }
                }
                // Masked rows keep their states and repeat (or zero) the output.
                for b in 0..<batch {
                    let keep = keepAll || maskBuf[b * time + t] != 0
                    let o = b * units
                    if keep {
                        (h + o).update(from: newH + o, count: units)
                        (last + o).update(from: newH + o, count: units)
                        if hasC { (c + o).update(from: newC + o, count: units) }
                    } else if zeroOutputForMask {
                        (last + o).update(repeating: 0, count: units)
                    }
                    if let seq { (seq + (b * time + step) * units).update(from: last + o, count: units) }
                }
            }
        }
        }
        }
        }
        let lastOutput = Array(UnsafeBufferPointer(start: last, count: bu))
        let hState = Array(UnsafeBufferPointer(start: h, count: bu))
        let cState = hasC ? Array(UnsafeBufferPointer(start: c, count: bu)) : []
        let output = returnSequences ? Tensor(shape: [batch, time, units], scalars: sequence)
                                     : Tensor(shape: [batch, units], scalars: lastOutput)
        var states = [Tensor(shape: [batch, units], scalars: hState)]
        if hasC { states.append(Tensor(shape: [batch, units], scalars: cState)) }
        return RecurrentResult(output: output, states: states)
    }
}

extension Ops {
    /// `[batch, time, …]` with the time axis reversed (the backward direction of a Bidirectional layer, back in
    /// input order).
    /// - Throws: ``TensorError`` for a tensor of rank < 2.
    package static func reversingTime(_ x: Tensor) throws(TensorError) -> Tensor {
        guard x.rank >= 2 else { throw .shape("reversingTime", "expected [batch, time, …], got \(x.shape)") }
        let (batch, time) = (x.shape[0], x.shape[1])
        let step = time == 0 ? 0 : x.count / max(batch * time, 1)
        var out = [Float](repeating: 0, count: x.count)
        for b in 0..<batch {
            for t in 0..<time {
                let src = (b * time + t) * step, dst = (b * time + (time - 1 - t)) * step
                for k in 0..<step { out[dst + k] = x.scalars[src + k] }
            }
        }
        return Tensor(shape: x.shape, scalars: out)
    }
}
