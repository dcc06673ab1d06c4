import KerasGraph
import ONNXProto
import TensorModule

extension ONNXLayerEmitter {
    /// The activations Keras 3 added, each with the formula of Keras' TensorFlow backend (not ONNX's op of a similar
    /// name): `Shrink` where its definition is Keras' (hard and soft shrink), otherwise standard element-wise ops.
    func keras3Activation(_ function: ActivationFunction, _ x: ONNXValue, _ c: LayerContext) throws -> ONNXValue {
        func same(_ name: String) -> ONNXValue { ONNXValue(name: name, layout: x.layout, shape: x.shape) }
        func op(_ name: String, _ inputs: [String], _ attributes: [Onnx_AttributeProto] = []) -> String {
            b.op(name, inputs, scope: c.scope, attributes)
        }
        switch function {
        case .hardShrink(let t):
            // x where |x| > t, else 0 (= Shrink with bias 0).
            return unary("Shrink", x, c, [b.attr("bias", float: 0), b.attr("lambd", float: t)])
        case .softShrink(let t):
            // x − t above t, x + t below −t, else 0.
            return unary("Shrink", x, c, [b.attr("bias", float: t), b.attr("lambd", float: t)])
        case .hardTanh:
            return same(op("Clip", [x.name, b.scalar(-1), b.scalar(1)]))
        case .logSigmoid:
            // −softplus(−x).
            return same(op("Neg", [op("Softplus", [op("Neg", [x.name])])]))
        case .sparsePlus:
            // 0 for x ≤ −1, (x + 1)²/4 for x < 1, else x.
            let s = binary("Add", x.name, b.scalar(1), c)
            let square = binary("Mul", b.scalar(0.25), binary("Mul", s, s, c), c)
            let inner = op("Where", [binary("Less", x.name, b.scalar(1), c), square, x.name])
            return same(op("Where", [op("LessOrEqual", [x.name, b.scalar(-1)]), b.scalar(0), inner]))
        case .sparseSigmoid:
            // 0 for x ≤ −1, 1 for x ≥ 1, else (x + 1)/2.
            let half = binary("Mul", b.scalar(0.5), binary("Add", x.name, b.scalar(1), c), c)
            let inner = op("Where", [op("GreaterOrEqual", [x.name, b.scalar(1)]), b.scalar(1), half])
            return same(op("Where", [op("LessOrEqual", [x.name, b.scalar(-1)]), b.scalar(0), inner]))
        case .squareplus(let bValue):
            // (x + √(x² + b)) / 2.
            let root = op("Sqrt", [binary("Add", binary("Mul", x.name, x.name, c), b.scalar(bValue), c)])
            return same(binary("Div", binary("Add", x.name, root, c), b.scalar(2), c))
        case .tanhShrink:
            return same(binary("Sub", x.name, op("Tanh", [x.name]), c))
        case .sparsemax(let axis):
            return try sparsemax(axis: axis, x, c)
        default:
            return try activation(function, x, c)
        }
    }

    /// Keras 3.15's `sparsemax` step for step: sort descending (`TopK`), cumulative sums `c`, support
    /// `z_i − (c_i − 1)/i > 0`, `k` its size, `τ = (Σ_support c_i − 1)/k`, `max(x − τ, 0)`. Needs a known axis size.
    func sparsemax(axis: Int, _ x: ONNXValue, _ c: LayerContext) throws -> ONNXValue {
        guard let p = x.physicalAxis(axis) else { throw c.error("sparsemax axis \(axis) is out of range for rank \(x.rank)") }
        let kerasAxis = axis < 0 ? axis + x.rank : axis
        guard let n = x.shape[kerasAxis] else { throw c.error("sparsemax needs a known size on axis \(axis), got \(x.shape.kerasDescription)") }
        let sorted = b.node("TopK", [x.name, b.int64s([n])], outputCount: 2, name: "\(c.scope)/TopK",
                            attributes: [b.attr("axis", int: p), b.attr("largest", int: 1), b.attr("sorted", int: 1)])[0]
        let cumsum = b.op("CumSum", [sorted, b.int64s([p], scalar: true)], scope: c.scope)
        var positionShape = [Int](repeating: 1, count: x.rank)
        positionShape[p] = n
        let positions = b.constant((1...n).map { Float($0) }, shape: positionShape, scope: c.scope, hint: "i")
        let bound = binary("Div", binary("Sub", cumsum, b.scalar(1), c), positions, c)
        let support = b.op("Cast", [binary("Greater", binary("Sub", sorted, bound, c), b.scalar(0), c)], scope: c.scope,
                           [b.attr("to", int: Onnx_TensorProto.DataType.float.rawValue)])
        let k = reduce("ReduceSum", support, axes: [p], keepDims: true, c)
        let supportSum = reduce("ReduceSum", binary("Mul", cumsum, support, c), axes: [p], keepDims: true, c)
        let tau = binary("Div", binary("Sub", supportSum, b.scalar(1), c), k, c)
        let y = b.op("Max", [binary("Sub", x.name, tau, c), b.scalar(0)], scope: c.scope)
        return ONNXValue(name: y, layout: x.layout, shape: x.shape)
    }
}
