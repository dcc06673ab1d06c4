import Foundation
import KerasGraph
import ONNXProto
import TensorModule

/// How a tensor's axes are laid out in the ONNX graph, relative to the Keras tensor it stands for.
enum ONNXLayout: Equatable {
    /// Keras' own axis order.
    case native
    /// Keras' last axis moved to position 1 (`(N, H, W, C)` → `(N, C, H, W)`); only for rank ≥ 3.
    case channelsFirst

    /// The ONNX axis holding Keras axis `axis` (non-negative) of a rank-`rank` tensor.
    func physicalAxis(_ axis: Int, rank: Int) -> Int {
        guard self == .channelsFirst, rank >= 3 else { return axis }
        if axis == 0 { return 0 }
        if axis == rank - 1 { return 1 }
        return axis + 1
    }

    /// `perm` for ONNX `Transpose` from Keras order to this layout (`physical[i] = keras[perm[i]]`).
    func permutationFromNative(rank: Int) -> [Int] {
        guard self == .channelsFirst, rank >= 3 else { return Array(0..<rank) }
        return [0, rank - 1] + Array(1..<(rank - 1))
    }

    /// `perm` for ONNX `Transpose` from this layout back to Keras order.
    func permutationToNative(rank: Int) -> [Int] {
        guard self == .channelsFirst, rank >= 3 else { return Array(0..<rank) }
        return [0] + Array(2..<rank) + [1]
    }
}

/// A tensor in the graph being built: its ONNX name, layout, and the Keras shape it stands for.
struct ONNXValue {
    var name: String
    var layout: ONNXLayout
    /// Keras' shape (batch first, Keras' axis order), `nil` entries unknown.
    var shape: Shape
    var rank: Int { shape.count }

    /// The ONNX axis holding Keras axis `axis` (negative counts from the end); `nil` when out of range.
    func physicalAxis(_ axis: Int) -> Int? {
        let a = axis < 0 ? axis + rank : axis
        guard a >= 0, a < rank else { return nil }
        return layout.physicalAxis(a, rank: rank)
    }

    /// The shape in ONNX axis order.
    var physicalShape: Shape { layout.permutationFromNative(rank: rank).map { shape[$0] } }
}

/// Accumulates ONNX nodes, initializers and names.
final class ONNXGraphBuilder {
    let options: ONNXExportOptions
    var graph = Onnx_GraphProto()
    private var used: Set<String> = []
    /// Transposed copies already made: `name` → (layout → value).
    private var conversions: [String: [ONNXLayout: String]] = [:]
    private var constantCache: [String: String] = [:]
    /// Float initializers by a hash of their dims and bytes → indices in `graph.initializer`.
    private var floatConstants: [Int: [Int]] = [:]

    init(options: ONNXExportOptions) { self.options = options }

    var opset: Int { options.opset }

    // MARK: Names

    func isReserved(_ name: String) -> Bool { used.contains(name) }

    /// Claims `name` (made unique with a numeric suffix when taken) and returns it.
    @discardableResult
    func reserve(_ name: String) -> String {
        var candidate = name
        var i = 1
        while used.contains(candidate) {
            candidate = "\(name)_\(i)"
            i += 1
        }
        used.insert(candidate)
        return candidate
    }

    /// A fresh tensor name under `scope`.
    func fresh(_ scope: String, _ hint: String) -> String {
        reserve("\(scope)/\(hint)")
    }

    // MARK: Nodes

    /// Appends a node; returns its outputs (fresh names under `name` unless `outputs` are given).
    @discardableResult
    func node(_ op: String, _ inputs: [String], outputs: [String]? = nil, outputCount: Int = 1, name: String,
              attributes: [Onnx_AttributeProto] = []) -> [String] {
        var n = Onnx_NodeProto()
        n.opType = op
        n.name = reserve(name)
        n.input = inputs
        n.output = outputs ?? (0..<outputCount).map { fresh(name, "out\($0)") }
        n.attribute = attributes
        graph.node.append(n)
        return n.output
    }

    /// A one-output node.
    func op(_ op: String, _ inputs: [String], scope: String, _ attributes: [Onnx_AttributeProto] = []) -> String {
        node(op, inputs, outputs: [fresh(scope, op)], name: "\(scope)/\(op)", attributes: attributes)[0]
    }

    // MARK: Constants

    /// A float32 initializer of `shape` holding `values` (row-major). An identical initializer already made (a shared
    /// layer's weights on its second call) is reused.
    func constant(_ values: [Float], shape: [Int], scope: String, hint: String) -> String {
        precondition(values.count == shape.reduce(1, *))
        var data = Data(capacity: values.count * 4)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        let dims = shape.map(Int64.init)
        var hasher = Hasher()
        hasher.combine(dims)
        hasher.combine(data)
        let key = hasher.finalize()
        for i in floatConstants[key, default: []] where graph.initializer[i].dims == dims && graph.initializer[i].rawData == data {
            return graph.initializer[i].name
        }
        var t = Onnx_TensorProto()
        t.name = fresh(scope, hint)
        t.dataType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        t.dims = dims
        t.rawData = data
        floatConstants[key, default: []].append(graph.initializer.count)
        graph.initializer.append(t)
        return t.name
    }

    /// A float32 scalar (rank 0) initializer, shared between uses of the same value.
    func scalar(_ value: Float) -> String {
        let key = "f:\(value.bitPattern)"
        if let name = constantCache[key] { return name }
        let name = constant([value], shape: [], scope: "const", hint: "f")
        constantCache[key] = name
        return name
    }

    /// An int64 initializer of rank 1 (or rank 0 with `scalar`), shared between uses of the same values.
    func int64s(_ values: [Int], scalar: Bool = false) -> String {
        let key = "i\(scalar ? "s" : ""):\(values)"
        if let name = constantCache[key] { return name }
        var t = Onnx_TensorProto()
        t.name = fresh("const", "i64")
        t.dataType = Int32(Onnx_TensorProto.DataType.int64.rawValue)
        t.dims = scalar ? [] : [Int64(values.count)]
        var data = Data(capacity: values.count * 8)
        for v in values { withUnsafeBytes(of: Int64(v).littleEndian) { data.append(contentsOf: $0) } }
        t.rawData = data
        graph.initializer.append(t)
        constantCache[key] = t.name
        return t.name
    }

    // MARK: Attributes

    func attr(_ name: String, int value: Int) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .int
        a.i = Int64(value)
        return a
    }

    func attr(_ name: String, float value: Float) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .float
        a.f = value
        return a
    }

    func attr(_ name: String, ints values: [Int]) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .ints
        a.ints = values.map(Int64.init)
        return a
    }

    func attr(_ name: String, string value: String) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .string
        a.s = Data(value.utf8)
        return a
    }

    // MARK: Value infos

    func valueInfo(name: String, type: ONNXTensorSignature.ElementType, shape: Shape) -> Onnx_ValueInfoProto {
        var tensor = Onnx_TypeProto.Tensor()
        tensor.elemType = Int32(type.onnxDataType.rawValue)
        var s = Onnx_TensorShapeProto()
        s.dim = shape.enumerated().map { i, d in
            var dim = Onnx_TensorShapeProto.Dimension()
            if let d { dim.dimValue = Int64(d) } else { dim.dimParam = i == 0 ? "batch" : "\(name)_dim\(i)" }
            return dim
        }
        tensor.shape = s
        var t = Onnx_TypeProto()
        t.tensorType = tensor
        var v = Onnx_ValueInfoProto()
        v.name = name
        v.type = t
        return v
    }

    // MARK: Layout

    /// `value` in `layout`, transposing once per value and layout (later requests reuse the transpose).
    func converted(_ value: ONNXValue, to layout: ONNXLayout) -> ONNXValue {
        if value.layout == layout || value.rank < 3 { return ONNXValue(name: value.name, layout: value.rank < 3 ? .native : value.layout, shape: value.shape) }
        if let done = conversions[value.name]?[layout] { return ONNXValue(name: done, layout: layout, shape: value.shape) }
        // Compose: back to native, then to the target (both permutations together in one Transpose).
        let toNative = value.layout.permutationToNative(rank: value.rank)
        let fromNative = layout.permutationFromNative(rank: value.rank)
        let perm = fromNative.map { toNative[$0] }
        let scope = value.name
        let out = op("Transpose", [value.name], scope: scope, [attr("perm", ints: perm)])
        conversions[value.name, default: [:]][layout] = out
        conversions[out, default: [:]][value.layout] = value.name
        return ONNXValue(name: out, layout: layout, shape: value.shape)
    }

    /// A float32 initializer that broadcasts against `value`: `values` has Keras shape `kerasShape` (same rank as
    /// `value`, batch axis 1), laid out in `value`'s layout, leading size-1 axes dropped (NumPy-style and ONNX's
    /// unidirectional broadcasting align shapes from the right; ONNX Runtime takes its fast per-channel path for a
    /// `(C,)` operand against `(…, C)`, not for `(1, 1, 1, C)`).
    func broadcastConstant(_ values: [Float], kerasShape: [Int], like value: ONNXValue, scope: String, hint: String) -> String {
        let perm = value.layout.permutationFromNative(rank: kerasShape.count)
        var (shape, data) = permute(values, shape: kerasShape, perm: perm)
        while shape.count > 1, shape.first == 1 { shape.removeFirst() }
        return constant(data, shape: shape, scope: scope, hint: hint)
    }
}

extension ONNXTensorSignature.ElementType {
    var onnxDataType: Onnx_TensorProto.DataType {
        switch self {
        case .float32: .float
        case .int32: .int32
        case .int64: .int64
        }
    }
}

/// Permutes a row-major array: `out` has shape `perm.map { shape[$0] }`, `out[i…] = in[…]` with axis `k` of `out`
/// being axis `perm[k]` of the input.
func permute(_ values: [Float], shape: [Int], perm: [Int]) -> (shape: [Int], values: [Float]) {
    let rank = shape.count
    let outShape = perm.map { shape[$0] }
    guard perm != Array(0..<rank) else { return (outShape, values) }
    var inStrides = [Int](repeating: 1, count: rank)
    for i in stride(from: rank - 2, through: 0, by: -1) { inStrides[i] = inStrides[i + 1] * shape[i + 1] }
    let strides = perm.map { inStrides[$0] }
    var out = [Float](repeating: 0, count: values.count)
    var index = [Int](repeating: 0, count: rank)
    for o in 0..<values.count {
        var src = 0
        for k in 0..<rank { src += index[k] * strides[k] }
        out[o] = values[src]
        var k = rank - 1
        while k >= 0 {
            index[k] += 1
            if index[k] < outShape[k] { break }
            index[k] = 0
            k -= 1
        }
    }
    return (outShape, out)
}
