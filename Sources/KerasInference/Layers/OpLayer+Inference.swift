import KerasGraph
import TensorModule

extension OpLayer: RunnableLayer {
    /// Runs the operation on the call's inputs and constants, as TensorFlow computes it.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let operands = self.operands, operation = self.operation
        let name = self.name, className = self.className
        for case let .input(i) in operands where i >= inputShapes.count {
            throw inferenceError("operand \(i) is missing: the call has \(inputShapes.count) inputs")
        }
        // `a + b` of two tensors of one static shape (keras.ops.add; ConvNeXt's residual `inputs + x`): the `Add`
        // layer's compiled sum (the same values), which the plan can join to the output pass of either producer.
        if case .binary(.add) = operation, operands.count == 2, case .input(0) = operands[0],
           case .input(1) = operands[1], inputShapes.count == 2, inputShapes[0] == inputShapes[1] {
            return CompiledSum(twoEqualShapes: true)
        }
        if let postOps = channelAffinePostOps(inputShapes: inputShapes) {
            return ElementwiseLayer(postOps: postOps) { x in try Ops.applyingPostOps(postOps, to: x) }
        }
        return ClosureLayer { inputs in
            let xs: [Tensor] = operands.map { o in
                switch o {
                case let .input(i): return inputs[i]
                case let .constant(t): return t
                }
            }
            return [try OpLayer.run(operation, xs, name: name, className: className)]
        }
    }

    /// `x + c`, `c + x`, `x − c`, `x · c` or `c · x` of the one input `x` and a constant `c` of one value or one per
    /// channel (the input's last axis, static), which leaves `x`'s shape as it is (MobileNetV3's hard sigmoid,
    /// `relu6(x + 3) · (1/6)`), as a scale/shift post-op of the same values bit for bit: `x·1 + c`, `x·1 + (−c)`
    /// (`x − c` is `x + (−c)` in IEEE arithmetic), `x·c + (−0)` (adding −0 leaves every value as it is). The plan
    /// can then join it to the output pass of the layer producing `x`. `nil` for any other operation.
    func channelAffinePostOps(inputShapes: [Shape]) -> [Ops.PostOp]? {
        guard case let .binary(b) = operation, [.add, .subtract, .multiply].contains(b), operands.count == 2,
              inputShapes.count == 1, let last = inputShapes[0].last, let columns = last, columns > 0 else { return nil }
        let constant: Tensor
        switch (operands[0], operands[1]) {
        case (.input(0), .constant(let c)): constant = c
        case (.constant(let c), .input(0)) where b != .subtract: constant = c
        default: return nil
        }
        guard constant.rank <= inputShapes[0].count, constant.shape.dropLast().allSatisfy({ $0 == 1 }),
              constant.count == 1 || constant.count == columns else { return nil }
        let values = constant.count == 1 ? [Float](repeating: constant.scalars[0], count: columns) : constant.scalars
        switch b {
        case .add: return [.adding(values)]
        case .subtract: return [.adding(values.map { -$0 })]
        default: return [.multiplying(by: values)]
        }
    }

    static func run(_ operation: Operation, _ xs: [Tensor], name: String, className: String) throws -> Tensor {
        switch operation {
        case let .binary(b):
            let (x, y) = (xs[0], xs[1])
            switch b {
            case .add: return try Ops.add(lhs: x, rhs: y)
            case .subtract: return try Ops.subtract(lhs: x, rhs: y)
            case .multiply: return try Ops.multiply(lhs: x, rhs: y)
            case .divide: return try Ops.divide(lhs: x, rhs: y)
            case .maximum: return try Ops.maximum(lhs: x, rhs: y)
            case .minimum: return try Ops.minimum(lhs: x, rhs: y)
            case .power: return try Ops.power(lhs: x, rhs: y)
            }
        case let .math(m):
            return Ops.unary(Ops.UnaryMath(rawValue: m.rawValue)!, input: xs[0])
        case let .activation(a):
            let f: Ops.Activation
            switch a {
            case .relu: f = .relu
            case .relu6: f = .relu6
            case .sigmoid: f = .sigmoid
            case .tanh: f = .tanh
            case .silu: f = .swish
            case .elu: f = .elu(alpha: 1)
            case .softplus: f = .softplus
            case .softsign: f = .softsign
            case let .gelu(approximate): f = .gelu(approximate: approximate)
            case let .leakyReLU(alpha): f = .leakyReLU(negativeSlope: alpha)
            case let .softmax(axis): return try Ops.softmax(input: xs[0], axis: axis)
            }
            return try Ops.activation(f, input: xs[0])
        case let .clip(lo, hi):
            return Ops.clip(input: xs[0], min: lo, max: hi)
        case let .reduce(r, axes, keepDims):
            return try Ops.reduce(Ops.Reduction(rawValue: r.rawValue)!, input: xs[0], axes: axes, keepDims: keepDims)
        case let .reshape(shape):
            return try Ops.reshape(input: xs[0], shape: shape)
        case let .transpose(perm):
            return try Ops.transpose(input: xs[0], permutation: perm ?? Array((0..<xs[0].rank).reversed()))
        case let .concatenate(axis):
            return try Ops.concatenate(inputs: xs, axis: axis)
        case let .expandDims(axis):
            var shape = xs[0].shape
            shape.insert(1, at: axis < 0 ? axis + shape.count + 1 : axis)
            return try Ops.reshape(input: xs[0], shape: shape)
        case let .squeeze(axes):
            let s = xs[0].shape
            let drop = axes.map { Set($0.map { $0 < 0 ? $0 + s.count : $0 }) } ?? Set(s.indices.filter { s[$0] == 1 })
            return try Ops.reshape(input: xs[0], shape: s.indices.filter { !drop.contains($0) }.map { s[$0] })
        case let .depthToSpace(b):
            return try Ops.depthToSpace(input: xs[0], blockSize: b)
        case let .spaceToDepth(b):
            return try Ops.spaceToDepth(input: xs[0], blockSize: b)
        case let .resize(h, w, method, halfPixel):
            switch (method, halfPixel) {
            case (.bilinear, true): return try Ops.resizeBilinear(input: xs[0], height: h, width: w)
            case (.bilinear, false): return try Ops.resizeBilinearLegacy(input: xs[0], height: h, width: w)
            case (.nearest, _): return try Ops.resizeNearest(input: xs[0], height: h, width: w, halfPixelCenters: halfPixel)
            }
        case let .pad(paddings, value):
            return try Ops.pad(input: xs[0], paddings: paddings.map { ($0[0], $0[1]) }, value: value)
        case let .matmul(ta, tb):
            return try Ops.matmul(lhs: xs[0], rhs: xs[1], transposeA: ta, transposeB: tb)
        case let .slice(items):
            let x = xs[0]
            let axes = try OpLayer.resolveSlice(items, shape: x.shape.map { Optional($0) }, layer: name, className: className)
            var start: [Int] = [], step: [Int] = [], count: [Int] = [], outShape: [Int] = []
            for a in axes {
                switch a {
                case let .kept(b, st, n):
                    start.append(b ?? 0); step.append(st); count.append(n ?? 0); outShape.append(n ?? 0)
                case let .removed(i):
                    start.append(i ?? 0); step.append(1); count.append(1)
                case .inserted:
                    outShape.append(1)
                }
            }
            let sliced = try Ops.stridedSlice(input: x, start: start, step: step, count: count)
            return try Ops.reshape(input: sliced, shape: outShape)
        case .identity:
            return xs[0]
        }
    }
}
