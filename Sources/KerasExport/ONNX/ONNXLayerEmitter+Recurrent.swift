import Foundation
import KerasGraph
import ONNXProto
import TensorModule

extension ONNXLayerEmitter {
    // MARK: SimpleRNN, LSTM, GRU, Bidirectional

    /// A recurrent layer as ONNX `RNN` / `LSTM` / `GRU` (direction forward, time-major inside): Keras' LSTM gates
    /// i, f, c, o reordered to ONNX's i, o, f, c; GRU's z, r, h kept, `linear_before_reset` = `reset_after`;
    /// `go_backwards` reverses the input first (Keras' output sequence is in processing order). A Keras mask (from
    /// Embedding(mask_zero) or Masking) is applied exactly: the unmasked steps of each row are moved to the front in
    /// order and run with `sequence_lens`, and the output sequence is gathered back to Keras' positions (a masked step
    /// repeats the previous output, or is 0 with `zero_output_for_mask`).
    func recurrent(_ l: any RecurrentLayer, _ c: LayerContext, _ inputs: [ONNXValue], mask: String?) throws -> [ONNXValue] {
        guard inputs.count == 1 else {
            throw c.error("called with \(inputs.count) tensors: an `initial_state` or a hand-made `mask` argument has no ONNX mapping in KerasPort")
        }
        let r = try runRecurrent(l, weights: l.weights, c, inputs[0], mask: mask, scope: c.scope)
        return [r.output] + (l.options.returnState ? r.states : [])
    }

    func bidirectional(_ l: Bidirectional, _ c: LayerContext, _ inputs: [ONNXValue], mask: String?) throws -> [ONNXValue] {
        guard inputs.count == 1 else {
            throw c.error("called with \(inputs.count) tensors: an `initial_state` or a hand-made `mask` argument has no ONNX mapping in KerasPort")
        }
        // As in Keras, with `return_sequences` both directions output zeros at masked steps.
        let seq = l.forward.options.returnSequences
        let f = try runRecurrent(l.forward, weights: l.forward.weights, c, inputs[0], mask: mask, scope: c.scope + "/forward",
                                 zeroOutputForMask: seq)
        var back = try runRecurrent(l.backward, weights: l.backward.weights, c, inputs[0], mask: mask, scope: c.scope + "/backward",
                                    zeroOutputForMask: seq)
        if seq {
            back.output = ONNXValue(name: reverseTime(back.output.name, c), layout: .native, shape: back.output.shape)
        }
        let shapes = c.outputShapes
        var outputs: [ONNXValue]
        switch l.mergeMode {
        case nil:
            outputs = [f.output, back.output]
        case .concat?:
            outputs = [ONNXValue(name: b.op("Concat", [f.output.name, back.output.name], scope: c.scope, [b.attr("axis", int: -1)]),
                                 layout: .native, shape: shapes[0])]
        case .sum?:
            outputs = [ONNXValue(name: binary("Add", f.output.name, back.output.name, c), layout: .native, shape: shapes[0])]
        case .mul?:
            outputs = [ONNXValue(name: binary("Mul", f.output.name, back.output.name, c), layout: .native, shape: shapes[0])]
        case .ave?:
            let sum = binary("Add", f.output.name, back.output.name, c)
            outputs = [ONNXValue(name: binary("Div", sum, b.scalar(2), c), layout: .native, shape: shapes[0])]
        }
        if l.forward.options.returnState { outputs += f.states + back.states }
        return outputs
    }

    struct RecurrentResult {
        var output: ONNXValue
        var states: [ONNXValue]
    }

    /// Reverses axis 1 (time) of a batch-major tensor.
    func reverseTime(_ x: String, _ c: LayerContext) -> String {
        b.op("Slice", [x, b.int64s([-1]), b.int64s([Int(Int64.min)]), b.int64s([1]), b.int64s([-1])], scope: c.scope)
    }

    func runRecurrent(_ l: any RecurrentLayer, weights: [Weight], _ c: LayerContext, _ input: ONNXValue, mask: String?,
                      scope: String, zeroOutputForMask: Bool? = nil) throws -> RecurrentResult {
        let o = l.options
        guard !o.stateful else { throw c.error("`stateful=True` has no ONNX mapping (ONNX Runtime keeps no states between runs)") }
        guard !o.timeMajor else { throw c.error("`time_major=True` has no ONNX mapping in KerasPort") }
        guard input.rank == 3, let features = input.shape[2] else {
            throw c.error("expected input [batch, time, features] with known features, got \(input.shape.kerasDescription)")
        }
        let u = o.units
        func weight(_ i: Int, _ name: String) throws -> Tensor {
            guard i < weights.count else { throw c.error("weight \(i) (`\(name)`) of `\(l.name)` is missing") }
            return weights[i].tensor
        }
        let kernel = try weight(0, "kernel"), recurrentKernel = try weight(1, "recurrent_kernel")
        let bias = o.useBias ? try weight(2, "bias") : nil
        let gates = l.kind.gates
        guard kernel.shape == [features, gates * u], recurrentKernel.shape == [u, gates * u] else {
            throw c.error("kernel \(kernel.shape) / recurrent kernel \(recurrentKernel.shape) do not fit \(features) features and \(u) units")
        }
        // Gate blocks of Keras in ONNX's order.
        let order: [Int]
        let op: String
        var activations: [ActivationFunction]
        switch l.kind {
        case .simpleRNN: order = [0]; op = "RNN"; activations = [o.activation.function]
        case .lstm: order = [0, 3, 1, 2]; op = "LSTM"
            activations = [o.recurrentActivation.function, o.activation.function, o.activation.function]
        case .gru: order = [0, 1, 2]; op = "GRU"; activations = [o.recurrentActivation.function, o.activation.function]
        }
        /// `(rows, gates·u)` → `(1, gates·u, rows)` in ONNX gate order.
        func onnxMatrix(_ t: Tensor) -> [Float] {
            let rows = t.shape[0], width = gates * u
            var out = [Float](repeating: 0, count: t.count)
            for (g, kg) in order.enumerated() {
                for j in 0..<u {
                    for i in 0..<rows { out[(g * u + j) * rows + i] = t.scalars[i * width + kg * u + j] }
                }
            }
            return out
        }
        func reorder(_ v: ArraySlice<Float>) -> [Float] {
            let base = v.startIndex
            return order.flatMap { kg in Array(v[(base + kg * u)..<(base + (kg + 1) * u)]) }
        }
        let w = b.constant(onnxMatrix(kernel), shape: [1, gates * u, features], scope: scope, hint: "W")
        let rw = b.constant(onnxMatrix(recurrentKernel), shape: [1, gates * u, u], scope: scope, hint: "R")
        var biasName = ""
        if let bias {
            var wb: [Float], rb: [Float]
            if bias.count == 2 * gates * u {
                // GRU reset_after: input and recurrent biases.
                wb = reorder(bias.scalars[0..<(gates * u)])
                rb = reorder(bias.scalars[(gates * u)...])
            } else {
                guard bias.count == gates * u else { throw c.error("bias \(bias.shape) does not fit \(u) units") }
                wb = reorder(bias.scalars[...])
                rb = [Float](repeating: 0, count: gates * u)
            }
            biasName = b.constant(wb + rb, shape: [1, 2 * gates * u], scope: scope, hint: "B")
        }
        var names: [String] = [], alphas: [Float] = [], betas: [Float] = []
        for f in activations {
            switch f {
            case .tanh: names.append("Tanh")
            case .sigmoid: names.append("Sigmoid")
            case .relu: names.append("Relu")
            case .softsign: names.append("Softsign")
            case .softplus: names.append("Softplus")
            case .linear: names.append("Affine"); alphas.append(1); betas.append(0)
            case .hardSigmoid(let v):
                names.append("HardSigmoid"); alphas.append(v == .keras2 ? 0.2 : 1.0 / 6.0); betas.append(0.5)
            case .elu(let a): names.append("Elu"); alphas.append(a)
            case .leakyReLU(let s): names.append("LeakyRelu"); alphas.append(s)
            default:
                throw c.error("activation \(f) of `\(l.name)` has no ONNX \(op) activation")
            }
        }
        var attributes = [b.attr("hidden_size", int: u), b.attr("direction", string: "forward"), stringsAttr("activations", names)]
        if !alphas.isEmpty { attributes.append(floatsAttr("activation_alpha", alphas)) }
        if !betas.isEmpty { attributes.append(floatsAttr("activation_beta", betas)) }
        if let g = l as? GRU { attributes.append(b.attr("linear_before_reset", int: g.resetAfter ? 1 : 0)) }

        var x = b.converted(input, to: .native).name
        var m = mask
        if o.goBackwards {
            x = reverseTime(x, c)
            if let mm = m { m = reverseTime(mm, c) }
        }
        var sequenceLens = ""
        var cumulative: String? = nil
        if let mm = m {
            // Stable compaction: sort time steps by (masked, t).
            let shape = b.op("Shape", [x], scope: scope)
            let steps = b.op("Slice", [shape, b.int64s([1]), b.int64s([2])], scope: scope)
            let stepsScalar = b.op("Squeeze", [steps, b.int64s([0])], scope: scope)
            let range = b.op("Range", [b.int64s([0], scalar: true), stepsScalar, b.int64s([1], scalar: true)], scope: scope)
            let rangeF = b.op("Cast", [range], scope: scope, [b.attr("to", int: Onnx_TensorProto.DataType.float.rawValue)])
            let stepsF = b.op("Cast", [steps], scope: scope, [b.attr("to", int: Onnx_TensorProto.DataType.float.rawValue)])
            let key = binary("Add", binary("Mul", binary("Sub", b.scalar(1), mm, c), stepsF, c), rangeF, c)
            let sortedSteps = b.node("TopK", [key, steps], outputCount: 2, name: "\(scope)/TopK",
                               attributes: [b.attr("axis", int: 1), b.attr("largest", int: 0), b.attr("sorted", int: 1)])[1]
            let index3 = b.op("Expand", [b.op("Unsqueeze", [sortedSteps, b.int64s([2])], scope: scope), shape], scope: scope)
            x = b.op("GatherElements", [x, index3], scope: scope, [b.attr("axis", int: 1)])
            let lens = reduce("ReduceSum", mm, axes: [1], keepDims: false, c)
            sequenceLens = b.op("Cast", [lens], scope: scope, [b.attr("to", int: Onnx_TensorProto.DataType.int32.rawValue)])
            cumulative = b.op("CumSum", [mm, b.int64s([1], scalar: true)], scope: scope)
        }
        let timeMajor = b.op("Transpose", [x], scope: scope, [b.attr("perm", ints: [1, 0, 2])])
        var ins = [timeMajor, w, rw]
        if !biasName.isEmpty || !sequenceLens.isEmpty { ins.append(biasName) }
        if !sequenceLens.isEmpty { ins.append(sequenceLens) }
        let outs = b.node(op, ins, outputCount: l.kind == .lstm ? 3 : 2, name: "\(scope)/\(op)", attributes: attributes)
        let batch = input.shape[0], time = input.shape[1]
        var output: ONNXValue
        if o.returnSequences {
            // Y (T, 1, N, u) → (N, T, u).
            var y = b.op("Transpose", [b.op("Squeeze", [outs[0], b.int64s([1])], scope: scope)], scope: scope,
                         [b.attr("perm", ints: [1, 0, 2])])
            if let cum = cumulative, let mm = m {
                // Keras' output at step t is the compacted output number cum[t] − 1 (masked steps repeat it, or
                // are 0 with zero_output_for_mask); before the first unmasked step it is 0.
                let index = b.op("Cast", [b.op("Max", [binary("Sub", cum, b.scalar(1), c), b.scalar(0)], scope: scope)], scope: scope,
                                 [b.attr("to", int: Onnx_TensorProto.DataType.int64.rawValue)])
                let index3 = b.op("Expand", [b.op("Unsqueeze", [index, b.int64s([2])], scope: scope),
                                             b.op("Shape", [y], scope: scope)], scope: scope)
                y = b.op("GatherElements", [y, index3], scope: scope, [b.attr("axis", int: 1)])
                let keep = (zeroOutputForMask ?? o.zeroOutputForMask)
                    ? mm
                    : b.op("Cast", [binary("Greater", cum, b.scalar(0), c)], scope: scope,
                           [b.attr("to", int: Onnx_TensorProto.DataType.float.rawValue)])
                y = binary("Mul", y, b.op("Unsqueeze", [keep, b.int64s([2])], scope: scope), c)
            }
            output = ONNXValue(name: y, layout: .native, shape: [batch, time, u])
        } else {
            output = ONNXValue(name: b.op("Squeeze", [outs[1], b.int64s([0])], scope: scope), layout: .native, shape: [batch, u])
        }
        var states = [ONNXValue(name: b.op("Squeeze", [outs[1], b.int64s([0])], scope: scope), layout: .native, shape: [batch, u])]
        if l.kind == .lstm {
            states.append(ONNXValue(name: b.op("Squeeze", [outs[2], b.int64s([0])], scope: scope), layout: .native, shape: [batch, u]))
        }
        return RecurrentResult(output: output, states: states)
    }

    func stringsAttr(_ name: String, _ values: [String]) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .strings
        a.strings = values.map { Data($0.utf8) }
        return a
    }

    func floatsAttr(_ name: String, _ values: [Float]) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .floats
        a.floats = values
        return a
    }

    // MARK: TimeDistributed

    /// The wrapped layer on `(N·T, …)`: batch and time merged by `Reshape`, the layer emitted as usual, split back.
    func timeDistributed(_ l: TimeDistributed, _ c: LayerContext, _ input: ONNXValue) throws -> ONNXValue {
        let x = b.converted(input, to: .native)
        guard x.rank >= 3 else { throw c.error("expected input [batch, time, …] of rank ≥ 3, got \(x.shape.kerasDescription)") }
        let inner = [nil] + Array(x.shape.dropFirst(2))
        let innerOut = try l.layer.outputShapes(inputShapes: [inner])
        guard innerOut.count == 1, innerOut[0].dropFirst().allSatisfy({ $0 != nil }) else {
            throw c.error("the wrapped layer `\(l.layer.name)` (\(l.layer.className)) needs one output of known non-batch sizes")
        }
        guard inner.dropFirst().allSatisfy({ $0 != nil }) else {
            throw c.error("needs known sizes after the time axis, got \(x.shape.kerasDescription)")
        }
        let merged = b.op("Reshape", [x.name, b.int64s([-1] + inner.dropFirst().map { $0! })], scope: c.scope)
        let context = LayerContext(layer: l.layer, path: c.path + "/" + l.layer.name, scope: c.scope + "/" + l.layer.name,
                                   outputShapes: innerOut, nested: nil)
        let ys = try emitLayer(context, [ONNXValue(name: merged, layout: .native, shape: inner)])
        guard ys.count == 1 else { throw c.error("the wrapped layer gave \(ys.count) outputs") }
        let y = b.converted(ys[0], to: .native)
        // Split the batch back using the input's batch and time sizes (either may be dynamic).
        let shape = b.op("Shape", [x.name], scope: c.scope)
        let batchTime = b.op("Slice", [shape, b.int64s([0]), b.int64s([2])], scope: c.scope)
        let rest = b.int64s(innerOut[0].dropFirst().map { $0! })
        let target = b.op("Concat", [batchTime, rest], scope: c.scope, [b.attr("axis", int: 0)])
        return ONNXValue(name: b.op("Reshape", [y.name, target], scope: c.scope), layout: .native, shape: c.outputShape)
    }
}
