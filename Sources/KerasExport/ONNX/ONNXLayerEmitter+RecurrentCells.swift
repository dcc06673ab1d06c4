import Foundation
import KerasGraph
import ONNXProto
import TensorModule

extension ONNXLayerEmitter {
    // MARK: RNN (cells, StackedRNNCells)

    /// `RNN` with a SimpleRNN/LSTM/GRU cell or a `StackedRNNCells` of them, as the engine runs it: each cell over the
    /// whole sequence in turn with the SimpleRNN/LSTM/GRU mapping (``runRecurrent``, masks included); every cell but
    /// the last returns its sequence, the first reads the input backwards with `go_backwards` (so the later ones
    /// read its outputs, and the mask, in that reversed order).
    func rnnStack(_ l: RNN, _ c: LayerContext, _ inputs: [ONNXValue], mask: String?) throws -> [ONNXValue] {
        guard inputs.count == 1 else {
            throw c.error("called with \(inputs.count) tensors: an `initial_state` or a hand-made `mask` argument has no ONNX mapping in KerasPort")
        }
        guard !l.stateful else { throw c.error("`stateful=True` has no ONNX mapping (ONNX Runtime keeps no states between runs)") }
        guard !l.timeMajor else { throw c.error("`time_major=True` has no ONNX mapping in KerasPort") }
        guard !l.returnState || l.cells.count == 1 else { throw c.error("`return_state` with a StackedRNNCells is not supported") }
        guard !l.cells.isEmpty else { throw c.error("an RNN needs at least one cell") }
        var x = inputs[0]
        var m = mask
        var start = 0
        let counts = l.weightCounts
        for (i, cell) in l.cells.enumerated() {
            var layer = cell
            let last = i == l.cells.count - 1
            layer.options.returnSequences = last ? l.returnSequences : true
            layer.options.returnState = last && l.returnState
            layer.options.goBackwards = i == 0 && l.goBackwards
            layer.options.zeroOutputForMask = last && l.zeroOutputForMask
            layer.options.stateful = false
            layer.options.timeMajor = false
            guard start + counts[i] <= l.weights.count else {
                throw c.error("holds \(l.weights.count) weights, fewer than its cells need")
            }
            let weights = Array(l.weights[start..<(start + counts[i])])
            start += counts[i]
            let r = try runRecurrent(layer, weights: weights, c, x, mask: m, scope: c.scope + "/" + cell.name)
            if last { return [r.output] + (l.returnState ? r.states : []) }
            x = r.output
            if i == 0, l.goBackwards, let mm = m { m = reverseTime(mm, c) }
        }
        throw c.error("an RNN needs at least one cell")
    }

    // MARK: ConvLSTM1D/2D/3D

    /// ConvLSTM1D/2D/3D (`rank` spatial axes) as an ONNX `Scan` over the time axis (so the time length may be dynamic): the input convolution of
    /// every step at once outside the loop (`Conv` on `(N·T, C, spatial…)`, with the bias), then in the loop body the
    /// recurrent `same` convolution of h (stride 1, no dilation, as Keras), the gates split i, f, c, o, and
    /// `c = f·c + i·act(g)`, `h = o·act(c)`; `go_backwards` scans the steps in reverse (the output sequence in
    /// processing order, as Keras). Channels-last only (as the engine); needs known spatial sizes and channels.
    func convLSTM(_ l: ConvLSTM, _ c: LayerContext, _ inputs: [ONNXValue]) throws -> [ONNXValue] {
        guard inputs.count == 1 else {
            throw c.error("called with \(inputs.count) tensors: an `initial_state` argument has no ONNX mapping in KerasPort")
        }
        let o = l.options
        guard !o.stateful else { throw c.error("`stateful=True` has no ONNX mapping (ONNX Runtime keeps no states between runs)") }
        guard l.dataFormat == .channelsLast else { throw c.error("`data_format=\"channels_first\"` is not supported") }
        let x = b.converted(inputs[0], to: .native)
        let rank = l.rank
        let known = x.shape.dropFirst(2).compactMap { $0 }
        guard x.rank == rank + 3, known.count == rank + 1 else {
            throw c.error("expected input [batch, time, \(rank) spatial axes, channels] with known spatial sizes and channels, got \(x.shape.kerasDescription)")
        }
        let spatialIn = Array(known.prefix(rank)), channels = known[rank]
        let outSpatial = try tfConvOutputSizes(input: [nil] + spatialIn.map { Optional($0) } + [channels], kernel: l.kernelSize,
                                               strides: l.strides, dilation: l.dilationRate, padding: l.padding, c)
        let f = l.filters
        let kernel = try c.weight(0, "kernel"), recurrentKernel = try c.weight(1, "recurrent_kernel")
        guard kernel.shape == l.kernelSize + [channels, 4 * f], recurrentKernel.shape == l.kernelSize + [f, 4 * f] else {
            throw c.error("kernel \(kernel.shape) / recurrent kernel \(recurrentKernel.shape) do not fit \(channels) channels and \(f) filters")
        }
        let scope = c.scope
        // Input convolution of all steps: (N, T, s…, C) → (N·T, C, s…) → (N·T, 4F, o…) → (N, T, 4F, o…).
        let merged = b.op("Reshape", [x.name, b.int64s([-1] + spatialIn + [channels])], scope: scope)
        let nchw = b.op("Transpose", [merged], scope: scope, [b.attr("perm", ints: [0, rank + 1] + Array(1...rank))])
        let (wShape, wValues) = convKernel(kernel)
        var convInputs = [nchw, b.constant(wValues, shape: wShape, scope: scope, hint: "W")]
        if o.useBias { convInputs.append(b.constant(try c.weight(2, "bias").scalars, shape: [4 * f], scope: scope, hint: "B")) }
        var attributes = [b.attr("kernel_shape", ints: l.kernelSize), b.attr("strides", ints: l.strides),
                          b.attr("dilations", ints: l.dilationRate)]
        attributes += try padAttributes(l.padding, input: spatialIn, kernel: l.kernelSize, strides: l.strides,
                                        dilation: l.dilationRate, c)
        let projected = b.op("Conv", convInputs, scope: scope, attributes)
        let shape = b.op("Shape", [x.name], scope: scope)
        let batchTime = b.op("Slice", [shape, b.int64s([0]), b.int64s([2])], scope: scope)
        let split = b.op("Reshape", [projected, b.op("Concat", [batchTime, b.int64s([4 * f] + outSpatial)], scope: scope,
                                                      [b.attr("axis", int: 0)])], scope: scope)
        // Zero initial states (N, F, o…).
        let batch = b.op("Slice", [shape, b.int64s([0]), b.int64s([1])], scope: scope)
        let stateShape = b.op("Concat", [batch, b.int64s([f] + outSpatial)], scope: scope, [b.attr("axis", int: 0)])
        let zeros = b.op("ConstantOfShape", [stateShape], scope: scope)

        // The loop body, built as a subgraph (its constants are initializers of the outer graph, visible inside).
        let (rShape, rValues) = convKernel(recurrentKernel)
        let r = b.constant(rValues, shape: rShape, scope: scope, hint: "R")
        let splitSizes = b.int64s([f, f, f, f])
        let outerNodes = b.graph.node
        b.graph.node = []
        let hIn = b.fresh(scope, "h_in"), cIn = b.fresh(scope, "c_in"), xIn = b.fresh(scope, "x_t")
        let pads = l.kernelSize.map { ($0 - 1) / 2 } + l.kernelSize.map { $0 - 1 - ($0 - 1) / 2 }
        let recurrent = b.op("Conv", [hIn, r], scope: scope, [b.attr("kernel_shape", ints: l.kernelSize), b.attr("pads", ints: pads)])
        let z = binary("Add", xIn, recurrent, c)
        let gates = b.node("Split", [z, splitSizes], outputCount: 4, name: "\(scope)/Split", attributes: [b.attr("axis", int: 1)])
        func gate(_ name: String, _ fn: ActivationFunction) throws -> String {
            try activation(fn, ONNXValue(name: name, layout: .native, shape: []), c).name
        }
        let i = try gate(gates[0], o.recurrentActivation.function)
        let fg = try gate(gates[1], o.recurrentActivation.function)
        let g = try gate(gates[2], o.activation.function)
        let og = try gate(gates[3], o.recurrentActivation.function)
        let cOut = binary("Add", binary("Mul", fg, cIn, c), binary("Mul", i, g, c), c)
        let hOut = binary("Mul", og, try gate(cOut, o.activation.function), c)
        let yOut = b.op("Identity", [hOut], scope: scope)
        var body = Onnx_GraphProto()
        body.name = b.fresh(scope, "body")
        body.node = b.graph.node
        b.graph.node = outerNodes
        // Typed and shaped (N, channels, o…): ONNX Runtime wants the body's output shapes set (IR 7 models get no
        // subgraph shape inference).
        func info(_ name: String, channels: Int) -> Onnx_ValueInfoProto {
            var v = b.valueInfo(name: name, type: .float32, shape: [nil, channels] + outSpatial.map { Optional($0) })
            v.type.tensorType.shape.dim[0].dimParam = "batch"
            return v
        }
        body.input = [info(hIn, channels: f), info(cIn, channels: f), info(xIn, channels: 4 * f)]
        body.output = [info(hOut, channels: f), info(cOut, channels: f), info(yOut, channels: f)]
        var bodyAttribute = Onnx_AttributeProto()
        bodyAttribute.name = "body"
        bodyAttribute.type = .graph
        bodyAttribute.g = body
        let outs = b.node("Scan", [zeros, zeros, split], outputCount: 3, name: "\(scope)/Scan",
                          attributes: [bodyAttribute, b.attr("num_scan_inputs", int: 1), b.attr("scan_input_axes", ints: [1]),
                                       b.attr("scan_input_directions", ints: [o.goBackwards ? 1 : 0]),
                                       b.attr("scan_output_axes", ints: [1])])
        let stateShapeKeras: Shape = [x.shape[0]] + outSpatial.map { Optional($0) } + [f]
        var results: [ONNXValue]
        if o.returnSequences {
            // (N, T, F, o…) → (N, T, o…, F).
            let y = b.op("Transpose", [outs[2]], scope: scope, [b.attr("perm", ints: [0, 1] + Array(3..<(rank + 3)) + [2])])
            results = [ONNXValue(name: y, layout: .native, shape: c.outputShapes[0])]
        } else {
            results = [spatialOutput(outs[0], .channelsLast, shape: stateShapeKeras)]
        }
        if o.returnState {
            results += [spatialOutput(outs[0], .channelsLast, shape: stateShapeKeras),
                        spatialOutput(outs[1], .channelsLast, shape: stateShapeKeras)]
        }
        return results
    }

    /// TensorFlow's convolution output sizes of the two spatial axes (`valid` or `same`).
    func tfConvOutputSizes(input: [Int?], kernel: [Int], strides: [Int], dilation: [Int], padding: Padding,
                                _ c: LayerContext) throws -> [Int] {
        var out: [Int] = []
        for i in 0..<kernel.count {
            guard let n = input[i + 1] else { throw c.error("needs known spatial sizes") }
            let effective = (kernel[i] - 1) * dilation[i] + 1
            switch padding {
            case .same: out.append((n + strides[i] - 1) / strides[i])
            case .valid: out.append((n - effective) / strides[i] + 1)
            case .causal: throw c.error("padding `causal` is not valid here")
            }
        }
        return out
    }
}
