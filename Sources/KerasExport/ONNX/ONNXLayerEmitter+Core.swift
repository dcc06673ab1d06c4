import KerasGraph
import ONNXProto
import TensorModule

extension ONNXLayerEmitter {
    // MARK: Dense, embedding

    /// Dense on the last axis: `Gemm` for rank 2 with the kernel stored `(out, in)` and `transB` (ONNX Runtime 1.32
    /// runs that form about 10× faster than `(in, out)`: 0.6 vs 6.3 ms for ResNet50's 2048→1000 head at batch 2),
    /// `MatMul` + `Add` above with the kernel `(in, out)` as is.
    func dense(_ l: Dense, _ c: LayerContext, _ input: ONNXValue) throws -> ONNXValue {
        let x = b.converted(input, to: .native)
        let kernel = try c.weight(0, "kernel")
        let bias = l.useBias ? b.constant(try c.weight(1, "bias").scalars, shape: [l.units], scope: c.scope, hint: "B") : nil
        var y: String
        if x.rank == 2, kernel.rank == 2 {
            let (shape, values) = permute(kernel.scalars, shape: kernel.shape, perm: [1, 0])
            let w = b.constant(values, shape: shape, scope: c.scope, hint: "W")
            y = b.op("Gemm", [x.name, w] + (bias.map { [$0] } ?? []), scope: c.scope, [b.attr("transB", int: 1)])
        } else {
            let w = b.constant(kernel.scalars, shape: kernel.shape, scope: c.scope, hint: "W")
            y = b.op("MatMul", [x.name, w], scope: c.scope)
            if let bias { y = binary("Add", y, bias, c) }
        }
        return try activation(l.activation.function, ONNXValue(name: y, layout: .native, shape: c.outputShape), c)
    }

    /// `Gather` rows of the table; float indices are truncated to int64 first (as Keras casts them).
    func embedding(_ c: LayerContext, _ input: ONNXValue) throws -> ONNXValue {
        let table = try c.weight(0, "embeddings")
        let x = b.converted(input, to: .native)
        let indices = b.op("Cast", [x.name], scope: c.scope, [b.attr("to", int: Onnx_TensorProto.DataType.int64.rawValue)])
        let t = b.constant(table.scalars, shape: table.shape, scope: c.scope, hint: "table")
        return ONNXValue(name: b.op("Gather", [t, indices], scope: c.scope, [b.attr("axis", int: 0)]),
                         layout: .native, shape: c.outputShape)
    }

    // MARK: Normalization

    /// BatchNormalization: ONNX `BatchNormalization` when the normalised axis is the tensor's axis 1 in the graph;
    /// otherwise folded into `x·s + t` with `s = γ/√(var + ε)`, `t = β − mean·s` (TensorFlow's inference formula),
    /// laid out to broadcast in the input's layout.
    func batchNormalization(_ l: BatchNormalization, _ c: LayerContext, _ x: ONNXValue) throws -> ONNXValue {
        let axes = try l.normalizedAxes(rank: x.rank)
        var index = 0
        func next(_ name: String) throws -> Tensor {
            defer { index += 1 }
            return try c.weight(index, name)
        }
        let gamma = l.scale ? try next("gamma") : nil
        let beta = l.center ? try next("beta") : nil
        let mean = try next("moving_mean"), variance = try next("moving_variance")
        let n = mean.count
        let eps = Float(l.epsilon)
        if axes.count == 1, x.rank >= 2, x.layout.physicalAxis(axes[0], rank: x.rank) == 1 {
            let scale = b.constant(gamma?.scalars ?? [Float](repeating: 1, count: n), shape: [n], scope: c.scope, hint: "scale")
            let shift = b.constant(beta?.scalars ?? [Float](repeating: 0, count: n), shape: [n], scope: c.scope, hint: "B")
            let m = b.constant(mean.scalars, shape: [n], scope: c.scope, hint: "mean")
            let v = b.constant(variance.scalars, shape: [n], scope: c.scope, hint: "var")
            let y = b.op("BatchNormalization", [x.name, scale, shift, m, v], scope: c.scope, [b.attr("epsilon", float: eps)])
            return ONNXValue(name: y, layout: x.layout, shape: c.outputShape)
        }
        var s = [Float](repeating: 0, count: n), t = s
        for i in 0..<n {
            let inv = 1 / (variance.scalars[i] + eps).squareRoot() * (gamma?.scalars[i] ?? 1)
            s[i] = inv
            t[i] = (beta?.scalars[i] ?? 0) - mean.scalars[i] * inv
        }
        let kerasShape = (0..<x.rank).map { axes.contains($0) ? (x.shape[$0] ?? 1) : 1 }
        guard kerasShape.reduce(1, *) == n else { throw c.error("weights of \(n) values do not fit input \(x.shape.kerasDescription)") }
        let sc = b.broadcastConstant(s, kerasShape: kerasShape, like: x, scope: c.scope, hint: "scale")
        let sh = b.broadcastConstant(t, kerasShape: kerasShape, like: x, scope: c.scope, hint: "shift")
        return ONNXValue(name: binary("Add", binary("Mul", x.name, sc, c), sh, c), layout: x.layout, shape: c.outputShape)
    }

    /// LayerNormalization in standard ops (any axes, any opset): `d = x − mean`, `var = mean(d²)`,
    /// `y = d / √(var + ε) · γ + β`; with `rms_scaling` (Keras 3) `y = x / √(var + ε) · γ`.
    func layerNormalization(_ l: LayerNormalization, _ c: LayerContext, _ x: ONNXValue) throws -> ONNXValue {
        let axes = try l.normalizedAxes(rank: x.rank)
        let hasGamma = l.scale || l.rmsScaling, hasBeta = l.center && !l.rmsScaling
        let gamma = hasGamma ? try c.weight(0, "gamma") : nil
        let beta = hasBeta ? try c.weight(hasGamma ? 1 : 0, "beta") : nil
        let physical = axes.map { x.layout.physicalAxis($0, rank: x.rank) }.sorted()
        let mean = reduce("ReduceMean", x.name, axes: physical, keepDims: true, c)
        let d = binary("Sub", x.name, mean, c)
        let variance = reduce("ReduceMean", binary("Mul", d, d, c), axes: physical, keepDims: true, c)
        let std = b.op("Sqrt", [binary("Add", variance, b.scalar(Float(l.epsilon)), c)], scope: c.scope)
        var y = binary("Div", l.rmsScaling ? x.name : d, std, c)
        let kerasShape = (0..<x.rank).map { axes.contains($0) ? (x.shape[$0] ?? 1) : 1 }
        if let gamma {
            guard gamma.count == kerasShape.reduce(1, *) else { throw c.error("gamma \(gamma.shape) does not fit input \(x.shape.kerasDescription)") }
            y = binary("Mul", y, b.broadcastConstant(gamma.scalars, kerasShape: kerasShape, like: x, scope: c.scope, hint: "gamma"), c)
        }
        if let beta {
            guard beta.count == kerasShape.reduce(1, *) else { throw c.error("beta \(beta.shape) does not fit input \(x.shape.kerasDescription)") }
            y = binary("Add", y, b.broadcastConstant(beta.scalars, kerasShape: kerasShape, like: x, scope: c.scope, hint: "beta"), c)
        }
        return ONNXValue(name: y, layout: x.layout, shape: c.outputShape)
    }

    // MARK: Shape

    /// Flatten in Keras' order (a channels-first graph is transposed back first: Keras flattens H, W, C).
    func flatten(_ l: Flatten, _ c: LayerContext, _ input: ONNXValue) throws -> ONNXValue {
        var x = b.converted(input, to: .native)
        if l.dataFormat == .channelsFirst && x.rank >= 3 {
            // Keras moves channels last before flattening a channels_first tensor.
            let perm = [0] + Array(2..<x.rank) + [1]
            x = ONNXValue(name: b.op("Transpose", [x.name], scope: c.scope, [b.attr("perm", ints: perm)]), layout: .native,
                          shape: perm.map { x.shape[$0] })
        }
        return ONNXValue(name: b.op("Flatten", [x.name], scope: c.scope, [b.attr("axis", int: 1)]), layout: .native,
                         shape: c.outputShape)
    }

    func reshape(_ l: Reshape, _ c: LayerContext, _ input: ONNXValue) throws -> ONNXValue {
        guard !l.targetShape.contains(0) else { throw c.error("a target_shape with a 0 size has no ONNX Reshape mapping") }
        let x = b.converted(input, to: .native)
        if b.options.layout == .nchw, x.rank == 2, l.targetShape.count >= 2, l.targetShape.dropLast().allSatisfy({ $0 == 1 }),
           let channels = l.targetShape.last, channels > 0 {
            // `(N, C)` → `(N, 1, …, 1, C)` (a squeeze-and-excite block before a 1×1 convolution): the same values are
            // `(N, C, 1, …, 1)` channels-first, so no transpose is needed.
            let ones = [Int](repeating: 1, count: l.targetShape.count - 1)
            let y = b.op("Reshape", [x.name, b.int64s([0, channels] + ones)], scope: c.scope)
            return ONNXValue(name: y, layout: .channelsFirst, shape: c.outputShape)
        }
        let y = b.op("Reshape", [x.name, b.int64s([0] + l.targetShape)], scope: c.scope)
        return ONNXValue(name: y, layout: .native, shape: c.outputShape)
    }

    // MARK: Merging

    /// Brings inputs to one layout (channels-first if any input already is and all have the input's rank); inputs of
    /// lower rank get size-1 axes after the batch axis, as Keras broadcasts merges.
    func aligned(_ c: LayerContext, _ inputs: [ONNXValue]) throws -> [ONNXValue] {
        guard let first = inputs.first else { throw c.error("expected at least 1 input") }
        let rank = inputs.map(\.rank).max() ?? first.rank
        if inputs.allSatisfy({ $0.rank == rank }) {
            let layout: ONNXLayout = inputs.contains { $0.layout == .channelsFirst } ? .channelsFirst : .native
            return inputs.map { b.converted($0, to: layout) }
        }
        return inputs.map { v in
            let x = b.converted(v, to: .native)
            guard x.rank < rank else { return x }
            let u = b.op("Unsqueeze", [x.name, b.int64s(Array(1...(rank - x.rank)))], scope: c.scope)
            return ONNXValue(name: u, layout: .native, shape: [x.shape[0]] + [Int?](repeating: 1, count: rank - x.rank) + x.shape.dropFirst())
        }
    }

    /// Element-wise merges: a left-to-right chain of binary ops (Keras' order) or one variadic op.
    func merge(_ c: LayerContext, _ inputs: [ONNXValue], op: String, chain: Bool) throws -> ONNXValue {
        let xs = try aligned(c, inputs)
        guard xs.count > 1 else { return ONNXValue(name: xs[0].name, layout: xs[0].layout, shape: c.outputShape) }
        let name: String
        if chain {
            var acc = xs[0].name
            for x in xs.dropFirst() { acc = binary(op, acc, x.name, c) }
            name = acc
        } else {
            name = b.op(op, xs.map(\.name), scope: c.scope)
        }
        return ONNXValue(name: name, layout: xs[0].layout, shape: c.outputShape)
    }

    func concatenate(_ l: Concatenate, _ c: LayerContext, _ inputs: [ONNXValue]) throws -> ONNXValue {
        let xs = try aligned(c, inputs)
        guard let axis = xs[0].physicalAxis(l.axis) else { throw c.error("axis \(l.axis) is out of range") }
        return ONNXValue(name: b.op("Concat", xs.map(\.name), scope: c.scope, [b.attr("axis", int: axis)]),
                         layout: xs[0].layout, shape: c.outputShape)
    }

    /// Keras' batch dot: both inputs L2-normalised first with `normalize` (`x·min(1/‖x‖, 1e7)`, as the engine and
    /// Keras 3), contracted axes moved inward, one batched `MatMul`, reshaped to the remaining axes.
    func dot(_ l: Dot, _ c: LayerContext, _ inputs: [ONNXValue]) throws -> ONNXValue {
        guard inputs.count == 2 else { throw c.error("expected 2 inputs, got \(inputs.count)") }
        var x = b.converted(inputs[0], to: .native), y = b.converted(inputs[1], to: .native)
        guard l.axes.count == 2 || l.axes.count == 1 else { throw c.error("axes \(l.axes) must hold 1 or 2 values") }
        let axes = l.axes.count == 1 ? (l.axes[0], l.axes[0]) : (l.axes[0], l.axes[1])
        guard let a = x.physicalAxis(axes.0), let bAxis = y.physicalAxis(axes.1), a > 0, bAxis > 0 else {
            throw c.error("axes \(l.axes) do not fit inputs \(x.shape.kerasDescription), \(y.shape.kerasDescription)")
        }
        if l.normalize {
            x = l2Normalize(x, axis: a, c)
            y = l2Normalize(y, axis: bAxis, c)
        }
        let xRest = (1..<x.rank).filter { $0 != a }, yRest = (1..<y.rank).filter { $0 != bAxis }
        let xSizes = xRest.map { x.shape[$0] }, ySizes = yRest.map { y.shape[$0] }
        guard let depth = x.shape[a], xSizes.allSatisfy({ $0 != nil }), ySizes.allSatisfy({ $0 != nil }) else {
            throw c.error("needs known non-batch sizes, got \(x.shape.kerasDescription) and \(y.shape.kerasDescription)")
        }
        let p = xSizes.reduce(1) { $0 * $1! }, q = ySizes.reduce(1) { $0 * $1! }
        let xt = b.op("Transpose", [x.name], scope: c.scope, [b.attr("perm", ints: [0] + xRest + [a])])
        let yt = b.op("Transpose", [y.name], scope: c.scope, [b.attr("perm", ints: [0, bAxis] + yRest)])
        let x3 = b.op("Reshape", [xt, b.int64s([0, p, depth])], scope: c.scope)
        let y3 = b.op("Reshape", [yt, b.int64s([0, depth, q])], scope: c.scope)
        let product = b.op("MatMul", [x3, y3], scope: c.scope)
        var shape = xSizes.map { $0! } + ySizes.map { $0! }
        if shape.isEmpty { shape = [1] }
        let out = b.op("Reshape", [product, b.int64s([0] + shape)], scope: c.scope)
        return ONNXValue(name: out, layout: .native, shape: c.outputShape)
    }

    func l2Normalize(_ x: ONNXValue, axis: Int, _ c: LayerContext) -> ONNXValue {
        let sum = reduce("ReduceSum", binary("Mul", x.name, x.name, c), axes: [axis], keepDims: true, c)
        let inv = b.op("Reciprocal", [b.op("Sqrt", [sum], scope: c.scope)], scope: c.scope)
        let capped = b.op("Min", [inv, b.scalar(1e7)], scope: c.scope)
        return ONNXValue(name: binary("Mul", x.name, capped, c), layout: x.layout, shape: x.shape)
    }
}
