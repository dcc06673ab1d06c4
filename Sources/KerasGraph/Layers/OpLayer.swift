import TensorModule

/// A framework operation called in a functional model: a tf_keras `TFOpLambda` / `SlicingOpLambda` (a raw
/// TensorFlow call such as `tf.nn.depth_to_space(x, 2)` or `x[:, 1:]`) or a Keras 3 `keras.ops` call saved as an
/// entry of the layer list (`keras.ops.add(x, 1.0)`, class `Add` of module `keras.src.ops.numpy`).
///
/// The call's arguments are resolved into a typed ``Operation`` and typed ``Operand``s when the file is read,
/// so running the layer and inferring its shapes need no JSON. The call arguments as recorded stay on the
/// graph's ``LayerCall`` for the writers.
public struct OpLayer: WeightlessLayer {
    /// `TFOpLambda`, `SlicingOpLambda`, or the Keras 3 op class (`Add`, `DepthToSpace`, …).
    public var className: String
    public var common: LayerCommon
    public var source: Source
    public var operation: Operation
    /// The operation's tensor arguments in the operation's order: call inputs or constants.
    public var operands: [Operand]

    /// Which framework recorded the call, and how it named it.
    public enum Source: Sendable, Equatable {
        /// tf_keras: the TensorFlow function as `TFOpLambda` records it (`math.add`, `nn.depth_to_space`,
        /// `compat.v1.transpose`, `__operators__.getitem`).
        case tensorflow(function: String)
        /// Keras 3: the op's module (`keras.src.ops.numpy`, `keras.src.ops.nn`, `keras.src.ops.image`).
        case keras(module: String)
    }

    /// One tensor argument.
    public enum Operand: Sendable, Equatable {
        /// Input `i` of the layer call.
        case input(Int)
        /// A constant the call passed (`2.0`, a list, a NumPy array).
        case constant(Tensor)
    }

    public enum Binary: String, Sendable, Equatable, CaseIterable {
        case add, subtract, multiply, divide, maximum, minimum, power
    }

    public enum Math: String, Sendable, Equatable, CaseIterable {
        case square, sqrt, rsqrt, exp, log, abs, negative
    }

    public enum Activation: Sendable, Equatable {
        case relu, relu6, sigmoid, tanh, silu, elu, softplus, softsign
        case gelu(approximate: Bool)
        /// x > 0 ? x : alpha·x (piecewise).
        case leakyReLU(alpha: Float)
        case softmax(axis: Int)
    }

    public enum Reduction: String, Sendable, Equatable, CaseIterable {
        case sum, mean, max, min, prod
    }

    public enum ResizeMethod: String, Sendable, Equatable {
        case bilinear, nearest
    }

    /// One entry of a Python subscript.
    public enum SliceItem: Sendable, Equatable {
        /// `start:stop:step`, each optional.
        case range(start: Int?, stop: Int?, step: Int?)
        /// An integer index (removes the axis).
        case index(Int)
        /// `None` / `np.newaxis` (inserts an axis of size 1).
        case newAxis
        /// `...`.
        case ellipsis
    }

    /// What the layer computes.
    public enum Operation: Sendable, Equatable {
        /// Element-wise with broadcasting; operands `[x, y]`.
        case binary(Binary)
        /// Element-wise; operand `[x]`.
        case math(Math)
        case activation(Activation)
        /// `min(max(x, min), max)`.
        case clip(min: Float, max: Float)
        /// Over `axes` (all when `nil`).
        case reduce(Reduction, axes: [Int]?, keepDims: Bool)
        /// The full target shape, batch axis included; one entry may be `-1`.
        case reshape([Int])
        /// Output axis `i` is input axis `perm[i]`; reversed when `nil`.
        case transpose([Int]?)
        /// Operands: every tensor joined.
        case concatenate(axis: Int)
        case expandDims(axis: Int)
        /// Removes the listed size-1 axes, or every size-1 axis when `nil`.
        case squeeze(axes: [Int]?)
        /// NHWC, TensorFlow's DCR channel order.
        case depthToSpace(blockSize: Int)
        case spaceToDepth(blockSize: Int)
        /// NHWC; `halfPixelCenters` false for TF 1's `compat.v1.image.resize`.
        case resize(height: Int, width: Int, method: ResizeMethod, halfPixelCenters: Bool)
        /// `(before, after)` per axis, filled with `value`.
        case pad([[Int]], value: Float)
        /// Batched matrix product over the last two axes.
        case matmul(transposeA: Bool, transposeB: Bool)
        case slice([SliceItem])
        /// `tf.cast` to float32: no change.
        case identity
    }

    public init(className: String, common: LayerCommon, source: Source, operation: Operation, operands: [Operand]) {
        self.className = className
        self.common = common
        self.source = source
        self.operation = operation
        self.operands = operands
    }

    /// The op as users call it: `tf.nn.depth_to_space`, `keras.src.ops.numpy.Add`.
    public var opName: String {
        switch source {
        case let .tensorflow(function): return "tf.\(function)"
        case let .keras(module): return "\(module).\(className)"
        }
    }

    // MARK: Shapes

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        let shapes: [Shape] = try operands.map { o in
            switch o {
            case let .input(i):
                guard i < inputShapes.count else { throw inputError("operand \(i) is missing: \(inputShapes.count) inputs") }
                return inputShapes[i]
            case let .constant(t): return t.shape.map { Optional($0) }
            }
        }
        return [try outputShape(shapes)]
    }

    func one(_ shapes: [Shape]) throws -> Shape {
        guard shapes.count == 1 else { throw inputError("\(opName) takes 1 tensor, got \(shapes.count)") }
        return shapes[0]
    }

    func axis(_ a: Int, rank: Int) throws -> Int {
        let r = a < 0 ? a + rank : a
        guard r >= 0, r < rank else { throw inputError("axis \(a) is out of range for rank \(rank)") }
        return r
    }

    func outputShape(_ shapes: [Shape]) throws -> Shape {
        switch operation {
        case .binary:
            guard shapes.count == 2 else { throw inputError("\(opName) takes 2 tensors, got \(shapes.count)") }
            return try broadcast(shapes[0], shapes[1])
        case .math, .activation, .clip, .identity:
            let s = try one(shapes)
            if case let .activation(.softmax(a)) = operation { _ = try axis(a, rank: s.count) }
            return s
        case let .reduce(_, axes, keepDims):
            let s = try one(shapes)
            let reduced = Set(try (axes ?? Array(0..<s.count)).map { try axis($0, rank: s.count) })
            return s.indices.compactMap { reduced.contains($0) ? (keepDims ? .some(1) : nil) : .some(s[$0]) }
        case let .reshape(target):
            let s = try one(shapes)
            guard target.filter({ $0 == -1 }).count <= 1, target.allSatisfy({ $0 >= -1 }) else {
                throw configError("shape \(target) may hold at most one -1 and no other negative size")
            }
            guard let u = target.firstIndex(of: -1) else {
                if s.allSatisfy({ $0 != nil }), s.map({ $0! }).reduce(1, *) != target.reduce(1, *) {
                    throw inputError("cannot reshape \(s.kerasDescription) to \(target)")
                }
                return target.map { Optional($0) }
            }
            var out: Shape = target.map { Optional($0) }
            if s.allSatisfy({ $0 != nil }) {
                let total = s.map { $0! }.reduce(1, *), known = target.filter { $0 != -1 }.reduce(1, *)
                guard known > 0, total % known == 0 else { throw inputError("cannot reshape \(s.kerasDescription) to \(target)") }
                out[u] = total / known
            } else {
                out[u] = nil
            }
            return out
        case let .transpose(perm):
            let s = try one(shapes)
            let p = perm ?? Array((0..<s.count).reversed())
            guard p.sorted() == Array(0..<s.count) else {
                throw inputError("permutation \(p) does not fit an input of rank \(s.count)")
            }
            return p.map { s[$0] }
        case let .concatenate(a):
            guard let first = shapes.first else { throw inputError("\(opName) needs at least one tensor") }
            let ax = try axis(a, rank: first.count)
            var out = first
            for s in shapes.dropFirst() {
                guard s.count == first.count else { throw inputError("cannot join shapes \(shapes.map(\.kerasDescription))") }
                for i in s.indices where i != ax {
                    if let x = out[i], let y = s[i], x != y {
                        throw inputError("cannot join shapes \(shapes.map(\.kerasDescription)) on axis \(a)")
                    }
                    out[i] = out[i] ?? s[i]
                }
                out[ax] = out[ax].flatMap { x in s[ax].map { x + $0 } }
            }
            return out
        case let .expandDims(a):
            let s = try one(shapes)
            let at = a < 0 ? a + s.count + 1 : a
            guard at >= 0, at <= s.count else { throw inputError("axis \(a) is out of range for rank \(s.count)") }
            var out = s
            out.insert(1, at: at)
            return out
        case let .squeeze(axes):
            let s = try one(shapes)
            guard let axes else { return s.filter { $0 != 1 } }
            let drop = Set(try axes.map { try axis($0, rank: s.count) })
            for d in drop where s[d] != nil && s[d] != 1 {
                throw inputError("cannot squeeze axis \(d) of size \(s[d]!)")
            }
            return s.indices.filter { !drop.contains($0) }.map { s[$0] }
        case let .depthToSpace(b):
            let s = try one(shapes)
            guard s.count == 4, b >= 2 else { throw inputError("expected a rank-4 input and a block size ≥ 2") }
            if let c = s[3], c % (b * b) != 0 { throw inputError("channels \(c) are not divisible by \(b * b)") }
            return [s[0], s[1].map { $0 * b }, s[2].map { $0 * b }, s[3].map { $0 / (b * b) }]
        case let .spaceToDepth(b):
            let s = try one(shapes)
            guard s.count == 4, b >= 2 else { throw inputError("expected a rank-4 input and a block size ≥ 2") }
            for d in [s[1], s[2]] { if let d, d % b != 0 { throw inputError("size \(d) is not divisible by \(b)") } }
            return [s[0], s[1].map { $0 / b }, s[2].map { $0 / b }, s[3].map { $0 * b * b }]
        case let .resize(h, w, _, _):
            let s = try one(shapes)
            guard s.count == 4 else { throw inputError("expected a rank-4 input, got \(s.kerasDescription)") }
            return [s[0], h, w, s[3]]
        case let .pad(paddings, _):
            let s = try one(shapes)
            guard paddings.count == s.count, paddings.allSatisfy({ $0.count == 2 && $0[0] >= 0 && $0[1] >= 0 }) else {
                throw inputError("paddings \(paddings) do not fit an input of rank \(s.count)")
            }
            return s.indices.map { i in s[i].map { $0 + paddings[i][0] + paddings[i][1] } }
        case let .matmul(ta, tb):
            guard shapes.count == 2, shapes[0].count >= 2, shapes[1].count >= 2 else {
                throw inputError("\(opName) takes 2 tensors of rank 2 or more")
            }
            let a = shapes[0], b = shapes[1]
            let m = ta ? a[a.count - 1] : a[a.count - 2], k1 = ta ? a[a.count - 2] : a[a.count - 1]
            let k2 = tb ? b[b.count - 1] : b[b.count - 2], n = tb ? b[b.count - 2] : b[b.count - 1]
            if let k1, let k2, k1 != k2 { throw inputError("inner dimensions differ: \(a.kerasDescription) · \(b.kerasDescription)") }
            return try broadcast(Array(a.dropLast(2)), Array(b.dropLast(2))) + [m, n]
        case let .slice(items):
            let s = try one(shapes)
            return try OpLayer.resolveSlice(items, shape: s, layer: name, className: className).compactMap { axis in
                switch axis {
                case .removed: return nil
                case .inserted: return .some(1)
                case let .kept(_, _, count): return .some(count)
                }
            }
        }
    }

    func broadcast(_ a: Shape, _ b: Shape) throws -> Shape {
        let rank = max(a.count, b.count)
        let pa = Shape(repeating: 1, count: rank - a.count) + a, pb = Shape(repeating: 1, count: rank - b.count) + b
        return try (0..<rank).map { i in
            switch (pa[i], pb[i]) {
            case (1, let y): return y
            case (let x, 1): return x
            case let (x?, y?):
                guard x == y else { throw inputError("shapes \(a.kerasDescription) and \(b.kerasDescription) do not broadcast") }
                return x
            case let (x, y): return x ?? y
            }
        }
    }

    // MARK: Slicing

    /// What a subscript does to one axis.
    public enum SliceAxis: Sendable, Equatable {
        /// An input axis kept: `count` elements from `start` by `step` (`nil` where the axis size is unknown).
        case kept(start: Int?, step: Int, count: Int?)
        /// An input axis indexed away (`start` is the index).
        case removed(index: Int?)
        /// A new axis of size 1.
        case inserted
    }

    /// Python's subscript rules applied to a shape: the ellipsis (or the end) stands for every axis no item
    /// names; negative starts, stops and indices count from the end; slices clamp to the axis.
    /// - Throws: ``GraphError`` for two ellipses, more items than axes, a step of 0 or an index out of range.
    public static func resolveSlice(_ items: [SliceItem], shape: Shape, layer: String = "",
                                    className: String = "SlicingOpLambda") throws -> [SliceAxis] {
        let consuming = items.filter {
            switch $0 {
            case .range, .index: return true
            case .newAxis, .ellipsis: return false
            }
        }.count
        let ellipses = items.filter { $0 == .ellipsis }.count
        guard ellipses <= 1 else { throw GraphError.invalidConfig(layer: layer, className: className, reason: "more than one ellipsis") }
        guard consuming <= shape.count else {
            throw GraphError.invalidConfig(layer: layer, className: className,
                                           reason: "\(consuming) indices for a tensor of rank \(shape.count)")
        }
        var expanded: [SliceItem] = []
        for item in items {
            if item == .ellipsis {
                expanded += Array(repeating: .range(start: nil, stop: nil, step: nil), count: shape.count - consuming)
            } else {
                expanded.append(item)
            }
        }
        if ellipses == 0 {
            expanded += Array(repeating: .range(start: nil, stop: nil, step: nil), count: shape.count - consuming)
        }
        var out: [SliceAxis] = []
        var axis = 0
        for item in expanded {
            switch item {
            case .newAxis: out.append(.inserted)
            case .ellipsis: break
            case let .index(i):
                if let n = shape[axis] {
                    let r = i < 0 ? i + n : i
                    guard r >= 0, r < n else {
                        throw GraphError.invalidConfig(layer: layer, className: className, reason: "index \(i) is out of range for size \(n)")
                    }
                    out.append(.removed(index: r))
                } else {
                    out.append(.removed(index: nil))
                }
                axis += 1
            case let .range(start, stop, step):
                let st = step ?? 1
                guard st != 0 else { throw GraphError.invalidConfig(layer: layer, className: className, reason: "slice step 0") }
                guard let n = shape[axis] else {
                    out.append(.kept(start: nil, step: st, count: nil))
                    axis += 1
                    continue
                }
                var b: Int, e: Int
                if st > 0 {
                    b = start.map { $0 < 0 ? max($0 + n, 0) : min($0, n) } ?? 0
                    e = stop.map { $0 < 0 ? max($0 + n, 0) : min($0, n) } ?? n
                    let count = e > b ? (e - b + st - 1) / st : 0
                    out.append(.kept(start: b, step: st, count: count))
                } else {
                    b = start.map { $0 < 0 ? max($0 + n, -1) : min($0, n - 1) } ?? (n - 1)
                    e = stop.map { $0 < 0 ? max($0 + n, -1) : min($0, n - 1) } ?? -1
                    let count = b > e ? (b - e + (-st) - 1) / (-st) : 0
                    out.append(.kept(start: count > 0 ? b : 0, step: st, count: count))
                }
                axis += 1
            }
        }
        return out
    }
}

extension OpaqueLayer {
    /// For a framework op KerasPort does not run, the op as users call it: `tf.linalg.svd` (a tf_keras
    /// `TFOpLambda`), `keras.src.ops.linalg.SVD` (a Keras 3 `keras.ops` entry); `nil` for any other layer.
    public var frameworkOpName: String? {
        if let module, module == "keras.ops" || module.hasPrefix("keras.ops.") || module.hasPrefix("keras.src.ops") {
            return "\(module).\(className)"
        }
        if className == "TFOpLambda" || className == "SlicingOpLambda" {
            if case let .string(function)? = config["function"] { return "tf.\(function)" }
            return className
        }
        return nil
    }
}
