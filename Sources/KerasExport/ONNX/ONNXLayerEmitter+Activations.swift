import KerasGraph
import ONNXProto
import TensorModule

extension ONNXLayerEmitter {
    /// An activation function as ONNX ops: one op where ONNX has it with Keras' definition and parameters written
    /// out, otherwise its formula in standard ops (gelu, swish, mish).
    func activation(_ function: ActivationFunction, _ x: ONNXValue, _ c: LayerContext) throws -> ONNXValue {
        func same(_ name: String) -> ONNXValue { ONNXValue(name: name, layout: x.layout, shape: x.shape) }
        switch function {
        case .linear:
            return x
        case .relu:
            return unary("Relu", x, c)
        case .relu6:
            return same(b.op("Clip", [x.name, b.scalar(0), b.scalar(6)], scope: c.scope))
        case .leakyReLU(let slope):
            return unary("LeakyRelu", x, c, [b.attr("alpha", float: slope)])
        case .elu(let alpha):
            return unary("Elu", x, c, [b.attr("alpha", float: alpha)])
        case .selu:
            return unary("Selu", x, c, [b.attr("alpha", float: 1.6732632423543772848170429916717),
                                        b.attr("gamma", float: 1.0507009873554804934193349852946)])
        case .gelu(let approximate):
            let half = binary("Mul", x.name, b.scalar(0.5), c)
            let inner: String
            if approximate {
                // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
                let cube = binary("Mul", binary("Mul", x.name, x.name, c), x.name, c)
                let sum = binary("Add", x.name, binary("Mul", cube, b.scalar(0.044715), c), c)
                inner = b.op("Tanh", [binary("Mul", sum, b.scalar(0.7978845608028654), c)], scope: c.scope)
            } else {
                // 0.5·x·(1 + erf(x/√2))
                inner = b.op("Erf", [binary("Mul", x.name, b.scalar(0.7071067811865476), c)], scope: c.scope)
            }
            return same(binary("Mul", half, binary("Add", inner, b.scalar(1), c), c))
        case .sigmoid:
            return unary("Sigmoid", x, c)
        case .hardSigmoid(let variant):
            // Keras 2: clip(0.2·x + 0.5, 0, 1); Keras 3: relu6(x + 3)/6 = clip(x/6 + 0.5, 0, 1).
            let alpha: Float = variant == .keras2 ? 0.2 : 1.0 / 6.0
            return unary("HardSigmoid", x, c, [b.attr("alpha", float: alpha), b.attr("beta", float: 0.5)])
        case .tanh:
            return unary("Tanh", x, c)
        case .softmax(let axis):
            return try softmax(axes: [axis], x, c)
        case .softplus:
            return unary("Softplus", x, c)
        case .softsign:
            return unary("Softsign", x, c)
        case .swish:
            return same(binary("Mul", x.name, b.op("Sigmoid", [x.name], scope: c.scope), c))
        case .exponential:
            return unary("Exp", x, c)
        case .mish:
            let t = b.op("Tanh", [b.op("Softplus", [x.name], scope: c.scope)], scope: c.scope)
            return same(binary("Mul", x.name, t, c))
        case .hardSilu:
            // x · relu6(x + 3)/6 = x · HardSigmoid(α = 1/6, β = 0.5) (ONNX HardSwish needs opset 14).
            let gate = b.op("HardSigmoid", [x.name], scope: c.scope,
                            [b.attr("alpha", float: 1.0 / 6.0), b.attr("beta", float: 0.5)])
            return same(binary("Mul", x.name, gate, c))
        case .celu(let alpha):
            return unary("Celu", x, c, [b.attr("alpha", float: alpha)])
        case .logSoftmax(let axis):
            guard let p = x.physicalAxis(axis) else { throw c.error("log_softmax axis \(axis) is out of range for rank \(x.rank)") }
            return unary("LogSoftmax", x, c, [b.attr("axis", int: p)])
        case .hardShrink, .hardTanh, .logSigmoid, .softShrink, .sparsePlus, .sparseSigmoid, .squareplus, .tanhShrink,
             .sparsemax:
            return try keras3Activation(function, x, c)
        }
    }

    /// Softmax over Keras axes: ONNX `Softmax` for one axis, `exp(x − max) / Σ exp(x − max)` over several.
    func softmax(axes: [Int], _ x: ONNXValue, _ c: LayerContext) throws -> ONNXValue {
        var physical: [Int] = []
        for a in axes {
            guard let p = x.physicalAxis(a) else { throw c.error("softmax axis \(a) is out of range for rank \(x.rank)") }
            if !physical.contains(p) { physical.append(p) }
        }
        if physical.count == 1 {
            return unary("Softmax", x, c, [b.attr("axis", int: physical[0])])
        }
        physical.sort()
        let m = reduce("ReduceMax", x.name, axes: physical, keepDims: true, c)
        let e = b.op("Exp", [binary("Sub", x.name, m, c)], scope: c.scope)
        let s = reduce("ReduceSum", e, axes: physical, keepDims: true, c)
        return ONNXValue(name: binary("Div", e, s, c), layout: x.layout, shape: x.shape)
    }

    /// `LeakyRelu` with `alpha` always written (ONNX's default 0.01 is not Keras' 0.3). Keras 2's slope-0 LeakyReLU
    /// is plain relu.
    func leakyReLU(_ l: LeakyReLU, _ x: ONNXValue, _ c: LayerContext) -> ONNXValue {
        if l.negativeSlope == 0 && l.reluWhenSlopeIsZero { return unary("Relu", x, c) }
        return unary("LeakyRelu", x, c, [b.attr("alpha", float: l.negativeSlope)])
    }

    /// `PRelu` with Keras' alpha (input shape without batch, 1 on shared axes) laid out like the input, so that it
    /// broadcasts unidirectionally: `(1, 1, C)` for NHWC becomes `(C, 1, 1)` for NCHW (leading 1s dropped:
    /// `(C,)` for NHWC).
    func prelu(_ l: PReLU, _ x: ONNXValue, _ c: LayerContext) throws -> ONNXValue {
        let alpha = try c.weight(0, "alpha")
        guard alpha.rank == x.rank - 1 else {
            throw c.error("alpha \(alpha.shape) does not fit input \(x.shape.kerasDescription)")
        }
        if b.options.preluForm == .decomposed {
            // relu(x) + (−α)·relu(−x), the same bits as relu(x) − α·relu(−x): x for x > 0, α·x otherwise (NaN at −∞
            // for α = 0, as in TensorFlow). Add rather than Sub: ONNX Runtime keeps Add in its blocked (NCHWc)
            // convolution layout, Sub makes it convert back and forth.
            let negated = b.broadcastConstant(alpha.scalars.map { -$0 }, kerasShape: [1] + alpha.shape, like: x,
                                              scope: c.scope, hint: "neg_slope")
            let positive = b.op("Relu", [x.name], scope: c.scope)
            let negative = b.op("Relu", [b.op("Neg", [x.name], scope: c.scope)], scope: c.scope)
            let y = binary("Add", positive, binary("Mul", negated, negative, c), c)
            return ONNXValue(name: y, layout: x.layout, shape: x.shape)
        }
        let slope = b.broadcastConstant(alpha.scalars, kerasShape: [1] + alpha.shape, like: x, scope: c.scope,
                                        hint: "slope")
        return ONNXValue(name: b.op("PRelu", [x.name, slope], scope: c.scope), layout: x.layout, shape: x.shape)
    }

    /// Keras' `relu(x, negative_slope, max_value, threshold)` in the engine's steps: `x > threshold ? x : 0` (relu
    /// when the threshold is 0), clipped to `[0, max_value]`, minus `negative_slope·relu(threshold − x)`.
    func relu(slope: Float, maxValue: Float?, threshold: Float, _ x: ONNXValue, _ c: LayerContext) -> ONNXValue {
        func same(_ name: String) -> ONNXValue { ONNXValue(name: name, layout: x.layout, shape: x.shape) }
        if threshold == 0 && maxValue == nil {
            return slope == 0 ? unary("Relu", x, c) : unary("LeakyRelu", x, c, [b.attr("alpha", float: slope)])
        }
        var y: String
        if threshold != 0 {
            let keep = binary("Greater", x.name, b.scalar(threshold), c)
            y = b.op("Where", [keep, x.name, b.scalar(0)], scope: c.scope)
        } else if maxValue == nil {
            y = b.op("Relu", [x.name], scope: c.scope)
        } else {
            y = x.name  // Clip(x, 0, max) below is relu and the clip in one node (ONNX Runtime fuses it into a Conv)
        }
        if let m = maxValue { y = b.op("Clip", [y, b.scalar(0), b.scalar(m)], scope: c.scope) }
        if slope != 0 {
            let below = threshold != 0 ? binary("Sub", b.scalar(threshold), x.name, c) : b.op("Neg", [x.name], scope: c.scope)
            let negative = binary("Mul", b.scalar(slope), b.op("Relu", [below], scope: c.scope), c)
            y = binary("Sub", y, negative, c)
        }
        return same(y)
    }
}
