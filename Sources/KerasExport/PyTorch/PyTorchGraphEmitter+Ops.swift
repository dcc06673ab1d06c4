import KerasGraph
import TensorModule

// Framework-op layers (`OpLayer`: TFOpLambda / SlicingOpLambda / Keras 3 `keras.src.ops.*`).

extension PyTorchGraphEmitter {
    func emitOp(_ l: OpLayer, call: Int, inputs: [TensorRef], out: Shape) throws {
        // Operands: call inputs, or constants (a scalar as a literal, a tensor as a buffer in the safetensors file).
        var constantCount = 0
        enum Operand { case tensor(TensorRef), scalar(Float), buffer(String, rank: Int) }
        let operands: [Operand] = try l.operands.map { o in
            switch o {
            case let .input(i):
                guard i < inputs.count, values[inputs[i]] != nil else {
                    throw PyTorchExportError.layer(l, "operand \(i) is missing: the call has \(inputs.count) inputs")
                }
                return .tensor(inputs[i])
            case let .constant(t):
                if t.count == 1 && t.shape.isEmpty { return .scalar(t.scalars[0]) }
                constantCount += 1
                let a = identifier(l.name + "_c\(constantCount)")
                initLines.append("self.register_buffer(\"\(a)\", torch.zeros(\(P.tuple(t.shape))))")
                context.tensors.append(SafetensorsTensor(name: prefix + a, shape: t.shape, floats: t.scalars))
                return .buffer("self." + a, rank: t.shape.count)
            }
        }
        func keras(_ i: Int) throws -> String {
            guard i < operands.count else { throw PyTorchExportError.layer(l, "operand \(i) is missing") }
            switch operands[i] {
            case let .tensor(r): return name(of: r, in: .keras)
            case let .scalar(f): return "torch.tensor(\(P.py(f)), dtype=torch.float32)"
            case let .buffer(b, _): return b
            }
        }
        func first() throws -> (ref: TensorRef, shape: Shape) {
            guard case let .tensor(r)? = operands.first, let v = values[r] else {
                throw PyTorchExportError.layer(l, "the first operand must be a tensor input")
            }
            return (r, v.shape)
        }
        let kerasOut = { (e: String) in self.bind(e, layer: l, call: call, shape: out, layout: .keras) }
        switch l.operation {
        case .identity:
            alias(try first().ref, layer: l, call: call)
        case let .math(m):
            let (x, layout) = anyName(of: try first().ref)
            let e: String
            switch m {
            case .square: e = "\(x) * \(x)"
            case .sqrt: e = "torch.sqrt(\(x))"
            case .rsqrt: e = "torch.rsqrt(\(x))"
            case .exp: e = "torch.exp(\(x))"
            case .log: e = "torch.log(\(x))"
            case .abs: e = "torch.abs(\(x))"
            case .negative: e = "-\(x)"
            }
            bind(e, layer: l, call: call, shape: out, layout: layout)
        case let .activation(a):
            let (ref, shape) = try first()
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
            let (x, layout) = anyName(of: ref)
            bind(try activation(f, x, rank: shape.count, layout: layout, layer: l), layer: l, call: call, shape: out,
                 layout: layout)
        case let .clip(lo, hi):
            let (x, layout) = anyName(of: try first().ref)
            bind("torch.clamp(\(x), \(P.py(lo)), \(P.py(hi)))", layer: l, call: call, shape: out, layout: layout)
        case let .binary(b):
            guard operands.count == 2 else { throw PyTorchExportError.layer(l, "expected 2 operands, got \(operands.count)") }
            // Both inputs in one layout when they agree in shape and layout, or one input and a scalar; else Keras'.
            var layout = TensorLayout.keras
            let tensors = operands.compactMap { o -> TensorRef? in if case let .tensor(r) = o { return r }; return nil }
            let hasBuffer = operands.contains { if case .buffer = $0 { return true }; return false }
            if !hasBuffer, let f = tensors.first.flatMap({ values[$0] }),
               tensors.allSatisfy({ values[$0]!.shape == f.shape && values[$0]!.produced == f.produced }) {
                layout = f.produced
            }
            let names = operands.map { o -> String in
                switch o {
                case let .tensor(r): return name(of: r, in: layout)
                case let .scalar(f): return "torch.tensor(\(P.py(f)), dtype=torch.float32)"
                case let .buffer(b, _): return b
                }
            }
            let (x, y) = (names[0], names[1])
            let e: String
            switch b {
            case .add: e = "\(x) + \(y)"
            case .subtract: e = "\(x) - \(y)"
            case .multiply: e = "\(x) * \(y)"
            case .divide: e = "\(x) / \(y)"
            case .maximum: e = "torch.maximum(\(x), \(y))"
            case .minimum: e = "torch.minimum(\(x), \(y))"
            case .power: e = "torch.pow(\(x), \(y))"
            }
            bind(e, layer: l, call: call, shape: out, layout: layout)
        case let .reduce(r, axes, keepDims):
            let (ref, shape) = try first()
            let x = name(of: ref, in: .keras)
            let rank = shape.count
            let dims = try (axes ?? Array(0..<rank)).map { a -> Int in
                guard let n = normalized(a, rank: rank) else { throw PyTorchExportError.layer(l, "axis \(a) is out of range for rank \(rank)") }
                return n
            }
            let keep = keepDims ? "True" : "False"
            switch r {
            case .sum: kerasOut("torch.sum(\(x), dim=\(P.tuple(dims)), keepdim=\(keep))")
            case .mean: kerasOut("torch.mean(\(x), dim=\(P.tuple(dims)), keepdim=\(keep))")
            case .max: kerasOut("torch.amax(\(x), dim=\(P.tuple(dims)), keepdim=\(keep))")
            case .min: kerasOut("torch.amin(\(x), dim=\(P.tuple(dims)), keepdim=\(keep))")
            case .prod:
                // torch.prod takes one axis: the highest first, so the lower ones keep their positions.
                var e = x
                for d in dims.sorted(by: >) { e = "torch.prod(\(e), dim=\(d), keepdim=\(keep))" }
                kerasOut(e)
            }
        case let .reshape(target):
            kerasOut("\(try keras(0)).reshape(\(P.tuple(target)))")
        case let .transpose(perm):
            let (ref, shape) = try first()
            let p = perm ?? Array((0..<shape.count).reversed())
            kerasOut("\(name(of: ref, in: .keras)).permute(\(p.map(String.init).joined(separator: ", ")))")
        case let .concatenate(axis):
            guard let rank = out.count as Int?, let a = normalized(axis, rank: rank) else {
                throw PyTorchExportError.layer(l, "axis \(axis) is out of range")
            }
            kerasOut("torch.cat([\(try (0..<operands.count).map { try keras($0) }.joined(separator: ", "))], dim=\(a))")
        case let .expandDims(axis):
            let (ref, shape) = try first()
            kerasOut("\(name(of: ref, in: .keras)).unsqueeze(\(axis < 0 ? axis + shape.count + 1 : axis))")
        case let .squeeze(axes):
            let (ref, shape) = try first()
            let x = name(of: ref, in: .keras)
            if let axes {
                kerasOut("\(x).squeeze(\(P.tuple(axes.map { $0 < 0 ? $0 + shape.count : $0 })))")
            } else {
                kerasOut("\(x).squeeze()")
            }
        case let .depthToSpace(b):
            let (ref, shape) = try first()
            guard shape.count == 4 else { throw PyTorchExportError.layer(l, "depth_to_space expects a rank-4 NHWC input") }
            context.helpers.insert(.depthToSpace)
            // TensorFlow's DCR order (not PixelShuffle's CRD), on the channels-first view.
            bind("_depth_to_space(\(name(of: ref, in: .moved)), \(b))", layer: l, call: call, shape: out, layout: .moved)
        case let .spaceToDepth(b):
            let (ref, shape) = try first()
            guard shape.count == 4 else { throw PyTorchExportError.layer(l, "space_to_depth expects a rank-4 NHWC input") }
            context.helpers.insert(.depthToSpace)
            bind("_space_to_depth(\(name(of: ref, in: .moved)), \(b))", layer: l, call: call, shape: out, layout: .moved)
        case let .resize(h, w, method, halfPixel):
            let (ref, shape) = try first()
            guard shape.count == 4 else { throw PyTorchExportError.layer(l, "resize expects a rank-4 NHWC input") }
            let x = name(of: ref, in: .moved)
            let e: String
            switch (method, halfPixel) {
            case (.bilinear, true):
                e = "F.interpolate(\(x), size=(\(h), \(w)), mode=\"bilinear\", align_corners=False, antialias=False)"
            case (.bilinear, false):
                context.helpers.insert(.kerasResize)
                e = "_resize_bilinear_legacy(\(x), \(h), \(w))"
            case (.nearest, true): e = "F.interpolate(\(x), size=(\(h), \(w)), mode=\"nearest-exact\")"
            case (.nearest, false): e = "F.interpolate(\(x), size=(\(h), \(w)), mode=\"nearest\")"
            }
            bind(e, layer: l, call: call, shape: out, layout: .moved)
        case let .pad(paddings, value):
            let (ref, _) = try first()
            var flat: [Int] = []
            for p in paddings.reversed() { flat += [p[0], p[1]] }
            kerasOut("F.pad(\(name(of: ref, in: .keras)), \(P.list(flat)), value=\(P.py(value)))")
        case let .matmul(ta, tb):
            guard operands.count == 2 else { throw PyTorchExportError.layer(l, "expected 2 operands, got \(operands.count)") }
            let a = try keras(0), b = try keras(1)
            kerasOut("torch.matmul(\(ta ? "\(a).transpose(-1, -2)" : a), \(tb ? "\(b).transpose(-1, -2)" : b))")
        case let .slice(items):
            let (ref, shape) = try first()
            // Tensor slicing needs a positive step: a negative-step range is applied first as an index_select of
            // Python's own `range(*slice(start, stop, step).indices(n))` on its input axis, then left as `:`.
            let consuming = items.filter { if case .newAxis = $0 { return false }; if case .ellipsis = $0 { return false }; return true }.count
            var axis = 0
            var x = name(of: ref, in: .keras)
            var parts: [String] = []
            for item in items {
                switch item {
                case let .range(start, stop, step):
                    if let step, step == 0 { throw PyTorchExportError.layer(l, "a slice with step 0") }
                    if let step, step < 0 {
                        let v = newVariable()
                        let py = "slice(\(start.map(String.init) ?? "None"), \(stop.map(String.init) ?? "None"), \(step))"
                        forwardLines.append("\(v) = \(x).index_select(\(axis), torch.tensor(range(*\(py).indices(\(x).shape[\(axis)])), dtype=torch.long))")
                        x = v
                        parts.append(":")
                    } else {
                        var s = "\(start.map(String.init) ?? ""):\(stop.map(String.init) ?? "")"
                        if let step, step != 1 { s += ":\(step)" }
                        parts.append(s)
                    }
                    axis += 1
                case let .index(i):
                    parts.append(String(i))
                    axis += 1
                case .newAxis: parts.append("None")
                case .ellipsis:
                    parts.append("...")
                    axis += max(shape.count - consuming, 0)
                }
            }
            kerasOut("\(x)[\(parts.isEmpty ? "..." : parts.joined(separator: ", "))]")
        }
    }
}
