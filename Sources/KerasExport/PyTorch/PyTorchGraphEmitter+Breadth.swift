import KerasGraph
import TensorModule

// The third round's classes: the categorical layers (CategoryEncoding, IntegerLookup, Hashing on numbers), the
// generic `RNN` with built-in cells (one cell or a StackedRNNCells) and ConvLSTM2D. (The 1-D/3-D convolution
// variants are in `PyTorchGraphEmitter+Spatial.swift`, the Keras masks of attention calls in `+Attention.swift`.)

extension PyTorchGraphEmitter {
    // MARK: - Categorical

    /// `_keras_encode`: one-hot / multi-hot / count float32 vectors of `num_tokens`; an id outside `[0, num_tokens)`
    /// is an error naming the layer (as tf_keras and KerasPort's engine).
    func emitCategoryEncoding(_ l: CategoryEncoding, call: Int, input: (ref: TensorRef, shape: Shape), out: Shape) throws {
        guard !l.sparse else { throw PyTorchExportError.layer(l, "`sparse=True` has no exported form (dense tensors only)") }
        guard CategoryEncoding.outputModes.contains(l.outputMode) else {
            throw PyTorchExportError.layer(l, "`output_mode` `\(l.outputMode)` has no exported form (one_hot, multi_hot, count)")
        }
        context.helpers.insert(.kerasEncode)
        bind("_keras_encode(\(name(of: input.ref, in: .keras)), \(l.numTokens), \"\(l.outputMode)\", \(P.pyString(l.name)))",
             layer: l, call: call, shape: out, layout: .keras)
    }

    /// `KerasIntegerLookup` with the config's vocabulary as an int64 buffer `vocabulary` in the safetensors file.
    func emitIntegerLookup(_ l: IntegerLookup, call: Int, input: (ref: TensorRef, shape: Shape), out: Shape) throws {
        guard !l.sparse else { throw PyTorchExportError.layer(l, "`sparse=True` has no exported form (dense tensors only)") }
        guard IntegerLookup.outputModes.contains(l.outputMode) else {
            throw PyTorchExportError.layer(l, "`output_mode` `\(l.outputMode)` has no exported form (int, one_hot, multi_hot, count)")
        }
        guard l.numOOVIndices >= 0 else { throw PyTorchExportError.layer(l, "`num_oov_indices` must be ≥ 0") }
        guard l.numOOVIndices <= 1 || l.oovMethod == "floormod" else {
            throw PyTorchExportError.layer(l, "`oov_method` `\(l.oovMethod)` (FarmHash/SipHash buckets) has no exported form (only floormod)")
        }
        guard !l.invert || l.outputMode == "int" else {
            throw PyTorchExportError.layer(l, "`invert=True` needs `output_mode=\"int\"`")
        }
        context.helpers.insert(.integerLookup)
        let mask = l.maskToken.map { String($0) } ?? "None"
        let constructor = "KerasIntegerLookup(\(l.vocabulary.count), \(mask), \(l.numOOVIndices), \(l.oovStartIndex), \(l.oovToken), \(l.invert ? "True" : "False"), \"\(l.outputMode)\", \(l.depth), \(P.pyString(l.name)))"
        let a = module(l, constructor, tensors: [SafetensorsTensor(name: "vocabulary", shape: [l.vocabulary.count],
                                                                   int64s: l.vocabulary)])
        bind("self.\(a)(\(name(of: input.ref, in: .keras)))", layer: l, call: call, shape: out, layout: .keras)
    }

    /// `_keras_hashing` (FarmHash Fingerprint64 of the decimal string, in Python integers), then `_keras_encode` for
    /// the non-`int` modes.
    func emitHashing(_ l: Hashing, call: Int, input: (ref: TensorRef, shape: Shape), out: Shape) throws {
        guard !l.sparse else { throw PyTorchExportError.layer(l, "`sparse=True` has no exported form (dense tensors only)") }
        guard Hashing.outputModes.contains(l.outputMode) else {
            throw PyTorchExportError.layer(l, "`output_mode` `\(l.outputMode)` has no exported form (int, one_hot, multi_hot, count)")
        }
        guard l.numBins > 0 else { throw PyTorchExportError.layer(l, "`num_bins` must be positive") }
        context.helpers.insert(.kerasHashing)
        let mask: String
        if let m = l.maskValue {
            guard m.isFinite else { throw PyTorchExportError.layer(l, "`mask_value` \(m) is not a number") }
            mask = m == m.rounded() && abs(m) < 9.2e18 ? String(Int64(m)) : P.py(m)
        } else {
            mask = "None"
        }
        var e = "_keras_hashing(\(name(of: input.ref, in: .keras)), \(l.numBins), \(mask))"
        if l.outputMode != "int" {
            context.helpers.insert(.kerasEncode)
            e = "_keras_encode(\(e), \(l.numBins), \"\(l.outputMode)\", \(P.pyString(l.name)))"
        }
        bind(e, layer: l, call: call, shape: out, layout: .keras)
    }

    // MARK: - RNN with cells

    /// `RNN(cell)` / `RNN(StackedRNNCells([...]))`: each cell as the matching SimpleRNN/LSTM/GRU module (`nn.RNN`,
    /// `nn.LSTM`, `nn.GRU`, or `KerasRecurrent` with a mask or other activations), run over the whole sequence in
    /// turn as the engine does: every cell but the last returns its sequence; the first reads the input backwards
    /// with `go_backwards`, so the later ones read its outputs (and the mask) in that reversed order. One cell: the
    /// module takes the layer's name; a stack: `<layer>_cell<i>`.
    func emitRNN(_ l: RNN, call: Int, inputs: [TensorRef], outputShapes: [Shape]) throws {
        guard !l.stateful else { throw PyTorchExportError.layer(l, "`stateful=True` has no exported form (states are not kept between calls)") }
        guard !l.timeMajor else { throw PyTorchExportError.layer(l, "`time_major=True` has no exported form") }
        guard !l.cells.isEmpty else { throw PyTorchExportError.layer(l, "an RNN needs at least one cell") }
        guard !l.returnState || l.cells.count == 1 else {
            throw PyTorchExportError.layer(l, "`return_state` with a StackedRNNCells has no exported form")
        }
        let (ref, inputFeatures) = try recurrentInput(l, inputs)
        var mask = masks[ref]
        var x = name(of: ref, in: .keras)
        var features = inputFeatures
        var start = 0
        var last = ""
        context.helpers.insert(.kerasRecurrent)
        for (i, cell) in l.cells.enumerated() {
            let isLast = i == l.cells.count - 1
            var layer = cell
            layer.options.returnSequences = isLast ? l.returnSequences : true
            layer.options.returnState = isLast && l.returnState
            layer.options.goBackwards = i == 0 && l.goBackwards
            layer.options.zeroOutputForMask = isLast && l.zeroOutputForMask
            layer.options.stateful = false
            layer.options.timeMajor = false
            let n = l.weightCounts[i]
            guard start + n <= l.weights.count else {
                throw PyTorchExportError.layer(l, "holds \(l.weights.count) weights, fewer than its cells need")
            }
            layer.weights = Array(l.weights[start..<(start + n)])
            start += n
            let (constructor, tensors): (String, [SafetensorsTensor])
            do {
                (constructor, tensors) = try recurrentModule(layer, inputSize: features, masked: mask != nil)
            } catch let e as PyTorchExportError {
                throw PyTorchExportError.layer(l, "cell `\(cell.name)` (\(cell.kind.cellClassName)): \(e.description)")
            }
            let hint = l.cells.count == 1 ? l.name : "\(l.name)_cell\(i)"
            let a = module(key: l.name + "\u{0}cell\(i)", hint: hint, constructor, tensors: tensors)
            let v = newVariable()
            let comment = i == 0 ? "  # \(l.name) (RNN)" : ""
            forwardLines.append("\(v) = _keras_rnn(self.\(a), \(x), \(mask ?? "None"), \(layer.options.goBackwards ? "True" : "False"), \(layer.options.zeroOutputForMask ? "True" : "False"))\(comment)")
            last = v
            x = "\(v)[0]"
            if i == 0, l.goBackwards, !isLast, let m = mask {
                let flipped = newVariable()
                forwardLines.append("\(flipped) = \(m).flip(1)  # the first cell's outputs are in reversed step order")
                mask = flipped
            }
            features = cell.options.units
        }
        bind(l.returnSequences ? "\(last)[0]" : "\(last)[1]", layer: l, call: call, shape: outputShapes[0], layout: .keras)
        if l.returnState, let cell = l.cells.last {
            for i in 0..<cell.kind.stateCount {
                bind("\(last)[2][\(i)]", layer: l, call: call, tensor: 1 + i, shape: outputShapes[1 + i], layout: .keras)
            }
        }
    }

    // MARK: - ConvLSTM2D

    /// `KerasConvLSTM2d`: the input convolution of every step as one `nn.Conv2d` (`input_conv`), the recurrent one
    /// (`recurrent_conv`, `same`, stride 1) per step, in a generated loop. Sequence outputs are channels-last, states
    /// channels-first (the `moved` layout).
    func emitConvLSTM2D(_ l: ConvLSTM, call: Int, inputs: [TensorRef], outputShapes: [Shape]) throws {
        guard inputs.count == 1, let v = values[inputs[0]] else {
            throw PyTorchExportError.layer(l, "called with \(inputs.count) tensors: an `initial_state` argument has no exported form")
        }
        let o = l.options
        guard !o.stateful else { throw PyTorchExportError.layer(l, "`stateful=True` has no exported form (states are not kept between calls)") }
        guard !o.timeMajor else { throw PyTorchExportError.layer(l, "`time_major=True` has no exported form") }
        guard l.dataFormat == .channelsLast else {
            throw PyTorchExportError.layer(l, "`data_format=\"channels_first\"` has no exported form")
        }
        guard l.padding != .causal else { throw PyTorchExportError.layer(l, "causal padding is not valid here") }
        let rank = l.rank
        guard (1...3).contains(rank), v.shape.count == rank + 3, let channels = v.shape[rank + 2] else {
            throw PyTorchExportError.layer(l, "expected input [batch, time, \(rank) spatial axes, channels] with known channels")
        }
        guard l.kernelSize.count == rank, l.strides.count == rank, l.dilationRate.count == rank else {
            throw PyTorchExportError.layer(l, "expected \(rank) kernel sizes, strides and dilations")
        }
        let f = l.filters
        let kernel = try P.weight(l, 0, "kernel"), recurrent = try P.weight(l, 1, "recurrent_kernel")
        guard kernel.shape == l.kernelSize + [channels, 4 * f], recurrent.shape == l.kernelSize + [f, 4 * f] else {
            throw PyTorchExportError.layer(l, "kernel \(kernel.shape) / recurrent kernel \(recurrent.shape) do not match \(channels) channels and \(f) filters")
        }
        // (k…, in, 4f) → (4f, in, k…): output channel g·f + k is gate g (i, f, c, o), filter k, as torch.chunk(4).
        let permutation = [rank + 1, rank] + Array(0..<rank)
        var tensors = [P.float("input_conv.weight", try P.permuted(kernel, permutation))]
        if o.useBias { tensors.append(P.float("input_conv.bias", try P.weight(l, 2, "bias"))) }
        tensors.append(P.float("recurrent_conv.weight", try P.permuted(recurrent, permutation)))
        context.helpers.insert(.convLSTM2d)
        let constructor = "KerasConvLSTM2d(\(channels), \(f), \(P.tuple(l.kernelSize)), \(P.tuple(l.strides)), \(P.tuple(l.dilationRate)), \(l.padding == .same ? "True" : "False"), \(o.useBias ? "True" : "False"), \(try activationLambda(o.activation.function, layer: l)), \(try activationLambda(o.recurrentActivation.function, layer: l)), rank=\(rank))"
        let a = module(l, constructor, tensors: tensors)
        let r = newVariable()
        forwardLines.append("\(r) = self.\(a)(\(name(of: inputs[0], in: .keras)), \(o.goBackwards ? "True" : "False"))  # \(l.name) (\(l.className))")
        if o.returnSequences {
            bind("\(r)[0]", layer: l, call: call, shape: outputShapes[0], layout: .keras)
        } else {
            bind("\(r)[1]", layer: l, call: call, shape: outputShapes[0], layout: .moved)
        }
        if o.returnState {
            bind("\(r)[1]", layer: l, call: call, tensor: 1, shape: outputShapes[1], layout: .moved)
            bind("\(r)[2]", layer: l, call: call, tensor: 2, shape: outputShapes[2], layout: .moved)
        }
    }
}

extension PyTorchGraphEmitter {
    /// A Python string literal (double quotes, escaped).
    static func pyString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default:
                if u.value < 0x20 || u.value == 0x7F {
                    let hex = String(u.value, radix: 16)
                    out += "\\x" + (hex.count < 2 ? "0" + hex : hex)
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}
