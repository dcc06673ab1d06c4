import KerasGraph
import ONNXProto
import TensorModule

extension ONNXLayerEmitter {
    /// An `OpLayer` (`TFOpLambda`, `keras.ops` layers) as the ONNX op(s) with TensorFlow's semantics. Shape-changing
    /// ops run in Keras' axis order; element-wise ones keep the input's layout.
    func opLayer(_ l: OpLayer, _ c: LayerContext, _ inputs: [ONNXValue]) throws -> ONNXValue {
        var operands: [ONNXValue] = []
        for o in l.operands {
            switch o {
            case let .input(i):
                guard i < inputs.count else { throw c.error("operand \(i) is missing: the call has \(inputs.count) inputs") }
                operands.append(inputs[i])
            case let .constant(t):
                let name = b.constant(t.scalars, shape: t.shape, scope: c.scope, hint: "const")
                operands.append(ONNXValue(name: name, layout: .native, shape: t.shape.map { Optional($0) }))
            }
        }
        func one() throws -> ONNXValue {
            guard operands.count == 1 else { throw c.error("\(l.opName) takes 1 tensor, got \(operands.count)") }
            return operands[0]
        }
        func native() throws -> ONNXValue { b.converted(try one(), to: .native) }
        func out(_ name: String, _ layout: ONNXLayout = .native) -> ONNXValue {
            ONNXValue(name: name, layout: layout, shape: c.outputShape)
        }
        switch l.operation {
        case let .binary(op):
            guard operands.count == 2 else { throw c.error("\(l.opName) takes 2 tensors, got \(operands.count)") }
            var (x, y) = (operands[0], operands[1])
            // NumPy broadcasting aligns from the right in Keras' axis order: keep a shared layout only when both
            // operands are equally ranked, or one is a single value.
            let scalarX = x.shape.allSatisfy { $0 == 1 }, scalarY = y.shape.allSatisfy { $0 == 1 }
            var layout: ONNXLayout = .native
            if x.rank == y.rank, x.layout == .channelsFirst || y.layout == .channelsFirst {
                layout = .channelsFirst
                x = b.converted(x, to: layout)
                y = b.converted(y, to: layout)
            } else if scalarY, y.rank <= x.rank {
                layout = x.layout
                if y.layout != .native { y = b.converted(y, to: .native) }
            } else if scalarX, x.rank <= y.rank {
                layout = y.layout
                if x.layout != .native { x = b.converted(x, to: .native) }
            } else {
                x = b.converted(x, to: .native)
                y = b.converted(y, to: .native)
            }
            let name: String
            switch op {
            case .add: name = binary("Add", x.name, y.name, c)
            case .subtract: name = binary("Sub", x.name, y.name, c)
            case .multiply: name = binary("Mul", x.name, y.name, c)
            case .divide: name = binary("Div", x.name, y.name, c)
            case .maximum: name = binary("Max", x.name, y.name, c)
            case .minimum: name = binary("Min", x.name, y.name, c)
            case .power: name = binary("Pow", x.name, y.name, c)
            }
            return out(name, layout)
        case let .math(m):
            let x = try one()
            let name: String
            switch m {
            case .square: name = binary("Mul", x.name, x.name, c)
            case .sqrt: name = b.op("Sqrt", [x.name], scope: c.scope)
            case .rsqrt: name = b.op("Reciprocal", [b.op("Sqrt", [x.name], scope: c.scope)], scope: c.scope)
            case .exp: name = b.op("Exp", [x.name], scope: c.scope)
            case .log: name = b.op("Log", [x.name], scope: c.scope)
            case .abs: name = b.op("Abs", [x.name], scope: c.scope)
            case .negative: name = b.op("Neg", [x.name], scope: c.scope)
            }
            return out(name, x.layout)
        case let .activation(a):
            let f: ActivationFunction
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
            case let .softmax(axis): f = .softmax(axis: axis)
            }
            let y = try activation(f, try one(), c)
            return ONNXValue(name: y.name, layout: y.layout, shape: c.outputShape)
        case let .clip(lo, hi):
            let x = try one()
            return out(b.op("Clip", [x.name, b.scalar(lo), b.scalar(hi)], scope: c.scope), x.layout)
        case let .reduce(r, axes, keepDims):
            let x = try one()
            let kerasAxes = Set(try (axes ?? Array(0..<x.rank)).map { a in
                guard let n = normalizedAxis(a, rank: x.rank) else { throw c.error("axis \(a) is out of range for rank \(x.rank)") }
                return n
            })
            let op: String
            switch r {
            case .sum: op = "ReduceSum"
            case .mean: op = "ReduceMean"
            case .max: op = "ReduceMax"
            case .min: op = "ReduceMin"
            case .prod: op = "ReduceProd"
            }
            // Reduce in the input's layout when the kept axes stay in Keras' order (or keepdims keeps every axis).
            let kept = (0..<x.rank).filter { !kerasAxes.contains($0) }
            let keptPhysical = kept.map { x.layout.physicalAxis($0, rank: x.rank) }
            let input = (keepDims || keptPhysical == keptPhysical.sorted()) ? x : b.converted(x, to: .native)
            let physical = kerasAxes.map { input.layout.physicalAxis($0, rank: x.rank) }.sorted()
            let y = reduce(op, input.name, axes: physical, keepDims: keepDims, c)
            return out(y, keepDims ? input.layout : .native)
        case let .reshape(target):
            guard !target.contains(0) else { throw c.error("a target shape with a 0 size has no ONNX Reshape mapping") }
            let x = try native()
            return out(b.op("Reshape", [x.name, b.int64s(target)], scope: c.scope))
        case let .transpose(perm):
            let x = try native()
            return out(b.op("Transpose", [x.name], scope: c.scope, [b.attr("perm", ints: perm ?? Array((0..<x.rank).reversed()))]))
        case let .concatenate(axis):
            guard let first = operands.first else { throw c.error("\(l.opName) needs at least one tensor") }
            let layout: ONNXLayout = operands.allSatisfy({ $0.rank == first.rank }) && operands.contains { $0.layout == .channelsFirst }
                ? .channelsFirst : .native
            let xs = operands.map { b.converted($0, to: layout) }
            guard let p = xs[0].physicalAxis(axis) else { throw c.error("axis \(axis) is out of range") }
            return out(b.op("Concat", xs.map(\.name), scope: c.scope, [b.attr("axis", int: p)]), layout)
        case let .expandDims(axis):
            let x = try native()
            let at = axis < 0 ? axis + x.rank + 1 : axis
            return out(b.op("Unsqueeze", [x.name, b.int64s([at])], scope: c.scope))
        case let .squeeze(axes):
            let x = try native()
            let drop: [Int]
            if let axes {
                drop = axes.map { $0 < 0 ? $0 + x.rank : $0 }.sorted()
            } else {
                guard !x.shape.contains(where: { $0 == nil }) else {
                    throw c.error("squeeze without axes needs a fully known input shape, got \(x.shape.kerasDescription)")
                }
                drop = x.shape.indices.filter { x.shape[$0] == 1 }
            }
            if drop.isEmpty { return out(x.name) }
            return out(b.op("Squeeze", [x.name, b.int64s(drop)], scope: c.scope))
        case let .depthToSpace(blockSize):
            let y = try depthToSpace(c, try one(), blockSize: blockSize)
            return ONNXValue(name: y.name, layout: y.layout, shape: c.outputShape)
        case let .spaceToDepth(blockSize):
            let input = try one()
            guard input.rank == 4 else { throw c.error("space_to_depth needs a rank-4 input, got \(input.shape.kerasDescription)") }
            // ONNX SpaceToDepth orders the new channels (bh, bw, c), as TensorFlow.
            let x = spatialInput(input, .channelsLast)
            let y = b.op("SpaceToDepth", [x.name], scope: c.scope, [b.attr("blocksize", int: blockSize)])
            return spatialOutput(y, .channelsLast, shape: c.outputShape)
        case let .resize(h, w, method, halfPixel):
            return try resize2D(c, try one(), .channelsLast, height: h, width: w, nearest: method == .nearest,
                                cropToAspectRatio: false, halfPixel: halfPixel)
        case let .pad(paddings, value):
            let x = try one()
            guard paddings.count == x.rank, paddings.allSatisfy({ $0.count == 2 }) else {
                throw c.error("paddings \(paddings) do not fit input \(x.shape.kerasDescription)")
            }
            var begins = [Int](repeating: 0, count: x.rank), ends = begins
            for (axis, p) in paddings.enumerated() {
                let q = x.layout.physicalAxis(axis, rank: x.rank)
                begins[q] = p[0]
                ends[q] = p[1]
            }
            let y = b.op("Pad", [x.name, b.int64s(begins + ends), b.scalar(value)], scope: c.scope, [b.attr("mode", string: "constant")])
            return out(y, x.layout)
        case let .matmul(ta, tb):
            guard operands.count == 2 else { throw c.error("\(l.opName) takes 2 tensors, got \(operands.count)") }
            func prepared(_ v: ONNXValue, _ t: Bool) throws -> String {
                let x = b.converted(v, to: .native)
                guard t else { return x.name }
                guard x.rank >= 2 else { throw c.error("cannot transpose a rank-\(x.rank) operand of matmul") }
                let perm = Array(0..<(x.rank - 2)) + [x.rank - 1, x.rank - 2]
                return b.op("Transpose", [x.name], scope: c.scope, [b.attr("perm", ints: perm)])
            }
            let y = b.op("MatMul", [try prepared(operands[0], ta), try prepared(operands[1], tb)], scope: c.scope)
            return out(y)
        case let .slice(items):
            return out(try slice(items, try native(), c))
        case .identity:
            let x = try one()
            return out(x.name, x.layout)
        }
    }

    /// Python subscripts as ONNX `Slice` (steps and negative bounds as Python: ONNX clamps the same way), then
    /// `Squeeze` for indexed axes and `Unsqueeze` for new ones.
    func slice(_ items: [OpLayer.SliceItem], _ x: ONNXValue, _ c: LayerContext) throws -> String {
        // Validate (ellipses, rank, indices in range) as Keras does.
        _ = try OpLayer.resolveSlice(items, shape: x.shape, layer: c.path)
        let consuming = items.filter { if case .range = $0 { return true }; if case .index = $0 { return true }; return false }.count
        var expanded: [OpLayer.SliceItem] = []
        for item in items {
            if item == .ellipsis {
                expanded += Array(repeating: .range(start: nil, stop: nil, step: nil), count: x.rank - consuming)
            } else {
                expanded.append(item)
            }
        }
        if !items.contains(.ellipsis) {
            expanded += Array(repeating: .range(start: nil, stop: nil, step: nil), count: x.rank - consuming)
        }
        let big = Int(Int64.max), small = Int(Int64.min)
        var starts: [Int] = [], ends: [Int] = [], axes: [Int] = [], steps: [Int] = []
        var squeezed: [Int] = [], inserted: [Int] = []
        var axis = 0, outAxis = 0
        for item in expanded {
            switch item {
            case let .range(start, stop, step):
                let s = step ?? 1
                guard s != 0 else { throw c.error("slice step 0") }
                if start != nil || stop != nil || s != 1 {
                    starts.append(start ?? (s > 0 ? 0 : big))
                    ends.append(stop ?? (s > 0 ? big : small))
                    axes.append(axis)
                    steps.append(s)
                }
                axis += 1
                outAxis += 1
            case let .index(i):
                starts.append(i)
                ends.append(i == -1 ? big : i + 1)
                axes.append(axis)
                steps.append(1)
                squeezed.append(axis)
                axis += 1
            case .newAxis:
                inserted.append(outAxis)
                outAxis += 1
            case .ellipsis:
                break
            }
        }
        var y = x.name
        if !axes.isEmpty {
            y = b.op("Slice", [y, b.int64s(starts), b.int64s(ends), b.int64s(axes), b.int64s(steps)], scope: c.scope)
        }
        if !squeezed.isEmpty { y = b.op("Squeeze", [y, b.int64s(squeezed)], scope: c.scope) }
        if !inserted.isEmpty { y = b.op("Unsqueeze", [y, b.int64s(inserted)], scope: c.scope) }
        return y
    }

    func normalizedAxis(_ a: Int, rank: Int) -> Int? {
        let r = a < 0 ? a + rank : a
        return r >= 0 && r < rank ? r : nil
    }
}
