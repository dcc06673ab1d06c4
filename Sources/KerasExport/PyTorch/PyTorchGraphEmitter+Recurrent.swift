import KerasGraph
import TensorModule

// Recurrent layers: SimpleRNN / LSTM / GRU → nn.RNN / nn.LSTM / nn.GRU (batch_first) with PyTorch's weight layout
// and gate order, or — for what those cannot do (a Keras mask, other activations, GRU reset_after=False) — the
// generated `KerasRecurrent` loop with the same parameter names and layout. Bidirectional, TimeDistributed.

extension PyTorchGraphEmitter {
    /// A module attribute keyed by `key` (not a layer name), created once.
    func module(key: String, hint: String, _ constructor: String, tensors: [SafetensorsTensor]) -> String {
        if let a = attributes[key] { return a }
        let a = identifier(hint)
        attributes[key] = a
        initLines.append("self.\(a) = \(constructor)")
        for t in tensors {
            var t = t
            t.name = prefix + a + "." + t.name
            context.tensors.append(t)
        }
        return a
    }

    /// The module of one recurrent layer (constructor and tensors in PyTorch's layout).
    func recurrentModule(_ r: any RecurrentLayer, inputSize: Int, masked: Bool) throws -> (String, [SafetensorsTensor]) {
        let o = r.options
        guard !o.stateful else { throw PyTorchExportError.layer(r, "`stateful=True` has no exported form (states are not kept between calls)") }
        guard !o.timeMajor else { throw PyTorchExportError.layer(r, "`time_major=True` has no exported form") }
        let u = o.units
        let kernel = try P.weight(r, 0, "kernel"), recurrent = try P.weight(r, 1, "recurrent_kernel")
        let gates = r.kind.gates
        guard kernel.shape == [inputSize, gates * u], recurrent.shape == [u, gates * u] else {
            throw PyTorchExportError.layer(r, "kernel \(kernel.shape) / recurrent kernel \(recurrent.shape) do not match \(inputSize) features and \(u) units")
        }
        // Column blocks of Keras' kernels in PyTorch's gate order: GRU z, r, h → r, z, n; LSTM and RNN as they are.
        let order = r.kind == .gru ? [1, 0, 2] : Array(0..<gates)
        func reordered(_ t: Tensor, rows: Int) -> [Float] {
            // t: (rows, gates·u) → (gates·u, rows) with blocks reordered.
            var out = [Float](repeating: 0, count: rows * gates * u)
            for (dst, src) in order.enumerated() {
                for j in 0..<u {
                    for i in 0..<rows { out[(dst * u + j) * rows + i] = t.scalars[i * gates * u + src * u + j] }
                }
            }
            return out
        }
        func reorderedVector(_ v: ArraySlice<Float>) -> [Float] {
            let v = Array(v)
            return order.flatMap { Array(v[($0 * u)..<(($0 + 1) * u)]) }
        }
        var tensors = [SafetensorsTensor(name: "weight_ih_l0", shape: [gates * u, inputSize], floats: reordered(kernel, rows: inputSize)),
                       SafetensorsTensor(name: "weight_hh_l0", shape: [gates * u, u], floats: reordered(recurrent, rows: u))]
        var resetAfter = true
        if let g = r as? GRU { resetAfter = g.resetAfter }
        if o.useBias {
            let bias = try P.weight(r, 2, "bias")
            let w = gates * u
            let ih: [Float], hh: [Float]
            if r.kind == .gru && resetAfter {
                guard bias.count == 2 * w else { throw PyTorchExportError.layer(r, "bias \(bias.shape) is not [2, \(w)]") }
                ih = reorderedVector(bias.scalars[0..<w])
                hh = reorderedVector(bias.scalars[w..<(2 * w)])
            } else {
                guard bias.count == w else { throw PyTorchExportError.layer(r, "bias \(bias.shape) is not [\(w)]") }
                ih = reorderedVector(bias.scalars[0..<w])
                hh = [Float](repeating: 0, count: w)
            }
            tensors += [SafetensorsTensor(name: "bias_ih_l0", shape: [w], floats: ih),
                        SafetensorsTensor(name: "bias_hh_l0", shape: [w], floats: hh)]
        }
        let act = o.activation.function, rec = o.recurrentActivation.function
        let bias = o.useBias ? "True" : "False"
        let native: String?
        switch r.kind {
        case .simpleRNN:
            native = act == .tanh ? "tanh" : act == .relu ? "relu" : nil
        case .lstm, .gru:
            native = act == .tanh && rec == .sigmoid && resetAfter ? "" : nil
        }
        if !masked, let native {
            switch r.kind {
            case .simpleRNN:
                return ("nn.RNN(\(inputSize), \(u), nonlinearity=\"\(native)\", bias=\(bias), batch_first=True)", tensors)
            case .lstm: return ("nn.LSTM(\(inputSize), \(u), bias=\(bias), batch_first=True)", tensors)
            case .gru: return ("nn.GRU(\(inputSize), \(u), bias=\(bias), batch_first=True)", tensors)
            }
        }
        context.helpers.insert(.kerasRecurrent)
        let kind = r.kind == .simpleRNN ? "rnn" : r.kind == .lstm ? "lstm" : "gru"
        let recurrentActivation = r.kind == .simpleRNN ? "None" : try activationLambda(rec, layer: r)
        return ("KerasRecurrent(\"\(kind)\", \(inputSize), \(u), \(bias), \(try activationLambda(act, layer: r)), \(recurrentActivation), reset_after=\(resetAfter ? "True" : "False"))",
                tensors)
    }

    func recurrentInput(_ l: any Layer, _ inputs: [TensorRef]) throws -> (ref: TensorRef, features: Int) {
        guard inputs.count == 1 else {
            throw PyTorchExportError.layer(l, "called with \(inputs.count) tensors: an `initial_state` or a hand-made `mask` argument has no exported form")
        }
        guard let v = values[inputs[0]], v.shape.count == 3, let f = v.shape[2] else {
            throw PyTorchExportError.layer(l, "expected input [batch, time, features] with known features")
        }
        return (inputs[0], f)
    }

    func emitRecurrent(_ r: any RecurrentLayer, call: Int, inputs: [TensorRef], outputShapes: [Shape]) throws {
        let (ref, features) = try recurrentInput(r, inputs)
        let mask = masks[ref]
        let (constructor, tensors) = try recurrentModule(r, inputSize: features, masked: mask != nil)
        let a = module(key: r.name, hint: r.name, constructor, tensors: tensors)
        context.helpers.insert(.kerasRecurrent)
        let o = r.options
        let v = newVariable()
        forwardLines.append("\(v) = _keras_rnn(self.\(a), \(name(of: ref, in: .keras)), \(mask ?? "None"), \(o.goBackwards ? "True" : "False"), \(o.zeroOutputForMask ? "True" : "False"))  # \(r.name) (\(r.className))")
        bind(o.returnSequences ? "\(v)[0]" : "\(v)[1]", layer: r, call: call, shape: outputShapes[0], layout: .keras)
        if o.returnState {
            for i in 0..<r.kind.stateCount {
                bind("\(v)[2][\(i)]", layer: r, call: call, tensor: 1 + i, shape: outputShapes[1 + i], layout: .keras)
            }
        }
    }

    /// Both directions as two modules (`<name>_forward`, `<name>_backward`); the backward sequence is reversed back
    /// to input order, then merged as Keras' `merge_mode` says.
    func emitBidirectional(_ l: Bidirectional, call: Int, inputs: [TensorRef], outputShapes: [Shape]) throws {
        let (ref, features) = try recurrentInput(l, inputs)
        let mask = masks[ref]
        let (fc, ft) = try recurrentModule(l.forward, inputSize: features, masked: mask != nil)
        let (bc, bt) = try recurrentModule(l.backward, inputSize: features, masked: mask != nil)
        let fa = module(key: l.name + "\u{0}forward", hint: l.name + "_forward", fc, tensors: ft)
        let ba = module(key: l.name + "\u{0}backward", hint: l.name + "_backward", bc, tensors: bt)
        context.helpers.insert(.kerasRecurrent)
        let sequences = l.forward.options.returnSequences
        let x = name(of: ref, in: .keras)
        let zero = sequences ? "True" : "False"
        let f = newVariable(), b = newVariable()
        forwardLines.append("\(f) = _keras_rnn(self.\(fa), \(x), \(mask ?? "None"), \(l.forward.options.goBackwards ? "True" : "False"), \(zero))  # \(l.name) (Bidirectional)")
        forwardLines.append("\(b) = _keras_rnn(self.\(ba), \(x), \(mask ?? "None"), \(l.backward.options.goBackwards ? "True" : "False"), \(zero))")
        let fy = sequences ? "\(f)[0]" : "\(f)[1]"
        let by = sequences ? "\(b)[0].flip(1)" : "\(b)[1]"
        var index = 0
        if let mode = l.mergeMode {
            let e: String
            switch mode {
            case .concat: e = "torch.cat([\(fy), \(by)], dim=-1)"
            case .sum: e = "\(fy) + \(by)"
            case .mul: e = "\(fy) * \(by)"
            case .ave: e = "(\(fy) + \(by)) / 2"
            }
            bind(e, layer: l, call: call, shape: outputShapes[0], layout: .keras)
            index = 1
        } else {
            bind(fy, layer: l, call: call, shape: outputShapes[0], layout: .keras)
            bind(by, layer: l, call: call, tensor: 1, shape: outputShapes[1], layout: .keras)
            index = 2
        }
        if l.forward.options.returnState {
            let n = l.forward.kind.stateCount
            for (v, offset) in [(f, 0), (b, n)] {
                for i in 0..<n {
                    bind("\(v)[2][\(i)]", layer: l, call: call, tensor: index + offset + i,
                         shape: outputShapes[index + offset + i], layout: .keras)
                }
            }
        }
    }

    /// The inner layer on `(batch·time, …)`, then back to `(batch, time, …)`; its module takes the wrapper's name.
    func emitTimeDistributed(_ l: TimeDistributed, call: Int, inputs: [TensorRef], out: Shape) throws {
        guard inputs.count == 1, let v = values[inputs[0]], v.shape.count >= 3 else {
            throw PyTorchExportError.layer(l, "expected one input of rank ≥ 3")
        }
        if l.layer is any RecurrentLayer || l.layer is Bidirectional || l.layer is NestedModel {
            throw PyTorchExportError.layer(l, "a TimeDistributed `\(l.layer.className)` has no exported form")
        }
        let x = name(of: inputs[0], in: .keras)
        let flat = newVariable()
        forwardLines.append("\(flat) = \(x).reshape((-1,) + tuple(\(x).shape[2:]))  # \(l.name) (TimeDistributed)")
        let innerShape: Shape = [nil] + Array(v.shape.dropFirst(2))
        let innerRef = TensorRef(layer: "\u{0}time_distributed:" + l.name, node: call, tensor: 0)
        values[innerRef] = EmittedTensor(shape: innerShape, names: [.keras: flat], produced: .keras)
        var inner = l.layer
        inner.name = l.name
        let innerOut: [Shape]
        do { innerOut = try inner.outputShapes(inputShapes: [innerShape]) } catch {
            throw PyTorchExportError.layer(l, "the inner layer's shapes: \(error)")
        }
        try emitLayer(inner, call: call, inputs: [innerRef], outputShapes: innerOut, nested: nil)
        let outRef = TensorRef(layer: l.name, node: call, tensor: 0)
        guard values[outRef] != nil else { throw PyTorchExportError.layer(l, "the inner layer produced no output") }
        let y = name(of: outRef, in: .keras)
        bind("\(y).reshape((\(x).shape[0], \(x).shape[1]) + tuple(\(y).shape[1:]))", layer: l, call: call, shape: out,
             layout: .keras)
    }
}
