import KerasGraph
import TensorModule

/// How a tensor is held in the generated code.
enum TensorLayout {
    /// As Keras has it.
    case keras
    /// A channels-last Keras tensor of rank ≥ 3 with its last axis moved to position 1 (what `nn.Conv2d` and
    /// friends take): `(N, H, W, C)` held as `(N, C, H, W)`.
    case moved
}

/// One tensor of the generated `forward`: its Keras shape, and the Python variables holding it per layout.
struct EmittedTensor {
    var shape: Shape
    var names: [TensorLayout: String]
    /// The layout it was produced in.
    var produced: TensorLayout
}

/// Emits one Python class for one graph (the model, or a nested model).
final class PyTorchGraphEmitter {
    let graph: ModelGraph
    let analysis: GraphAnalysis
    let className: String
    /// The state_dict prefix of this graph's module (`""` for the model, `"inner."` for a nested one).
    let prefix: String
    let context: PyTorchContext
    let channelsFirst: Bool

    var initLines: [String] = []
    var forwardLines: [String] = []
    var values: [TensorRef: EmittedTensor] = [:]
    /// The Keras mask a tensor carries: a variable holding a boolean `[batch, time]` tensor.
    var masks: [TensorRef: String] = [:]
    /// Layer name → attribute holding its module.
    var attributes: [String: String] = [:]
    var usedNames: Set<String> = []
    var counter = 0

    init(graph: ModelGraph, analysis: GraphAnalysis, className: String, prefix: String, context: PyTorchContext,
         channelsFirst: Bool) {
        self.graph = graph
        self.analysis = analysis
        self.className = className
        self.prefix = prefix
        self.context = context
        self.channelsFirst = channelsFirst
        usedNames = Self.reserved
    }

    /// Names a module attribute or variable must not take: Python keywords and `nn.Module`'s own attributes.
    static let reserved: Set<String> = [
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
        "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda",
        "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield", "self", "torch", "nn",
        "F", "T_destination", "add_module", "apply", "bfloat16", "buffers", "call_super_init", "children", "compile",
        "cpu", "cuda", "double", "dump_patches", "eval", "extra_repr", "float", "forward", "get_buffer",
        "get_extra_state", "get_parameter", "get_submodule", "half", "ipu", "load_state_dict", "modules", "mtia",
        "named_buffers", "named_children", "named_modules", "named_parameters", "parameters",
        "register_backward_hook", "register_buffer", "register_forward_hook", "register_forward_pre_hook",
        "register_full_backward_hook", "register_full_backward_pre_hook", "register_load_state_dict_post_hook",
        "register_load_state_dict_pre_hook", "register_module", "register_parameter", "register_state_dict_hook",
        "register_state_dict_pre_hook", "requires_grad_", "set_extra_state", "set_submodule", "share_memory",
        "state_dict", "to", "to_empty", "train", "training", "type", "xpu", "zero_grad", "print", "int", "len",
        "range", "tuple", "list", "slice", "max", "min", "sum", "input", "math",
    ]

    /// A Python identifier from a Keras name, unused so far in this class.
    func identifier(_ raw: String) -> String {
        var s = String(raw.unicodeScalars.map { u -> Character in
            (u.properties.isAlphabetic && u.isASCII) || ("0"..."9").contains(u) || u == "_" ? Character(u) : "_"
        })
        if s.isEmpty || s.first!.isNumber { s = "l_" + s }
        if Self.reserved.contains(s) { s += "_" }
        var name = s, i = 2
        while usedNames.contains(name) {
            name = "\(s)_\(i)"
            i += 1
        }
        usedNames.insert(name)
        return name
    }

    // MARK: - The class

    func emit() throws -> String {
        var parameters: [String] = []
        for (i, ref) in graph.inputs.enumerated() {
            guard let shape = analysis.modelInputShapes[i] ?? analysis.shape(of: ref) else {
                throw PyTorchExportError("input `\(ref.layer)`: its shape is unknown")
            }
            let name = identifier(ref.layer)
            parameters.append(name)
            let layout: TensorLayout = channelsFirst && shape.count >= 4 ? .moved : .keras
            values[ref] = EmittedTensor(shape: shape, names: [layout: name], produced: layout)
        }
        for (n, c) in analysis.order {
            let node = graph.nodes[n]
            if node.layer is InputLayer { continue }
            let call = node.calls[c]
            if let opaque = node.layer as? OpaqueLayer {
                // Before the shapes: an unknown class has none, and the refusal should say why.
                throw PyTorchExportError.layer(opaque, "KerasPort does not support this layer class, so it cannot be exported to PyTorch")
            }
            guard let outputs = analysis.outputShapes[GraphAnalysis.CallID(node: n, call: c)] else {
                throw PyTorchExportError.layer(node.layer, "its output shape is unknown")
            }
            for ref in call.inputs where values[ref] == nil {
                throw PyTorchExportError.layer(node.layer, "input \(ref) was not computed")
            }
            try refuseUnsupportedMask(node.layer, inputs: call.inputs)
            if let g = node.layer as? GlobalAveragePooling1D, let m = masks[call.inputs[0]] {
                try emitMaskedAveragePooling1D(g, call: c, input: call.inputs[0], mask: m, out: outputs.first ?? [])
            } else {
                try emitLayer(node.layer, call: c, inputs: call.inputs, outputShapes: outputs,
                              nested: analysis.nested[GraphAnalysis.CallID(node: n, call: c)])
            }
            try propagateMasks(node.layer, call: c, inputs: call.inputs, outputCount: outputs.count)
        }
        var results: [String] = []
        for ref in graph.outputs {
            guard let v = values[ref] else { throw PyTorchExportError("output \(ref) was not computed") }
            results.append(name(of: ref, in: channelsFirst && v.shape.count >= 4 ? .moved : .keras))
        }
        var lines = ["class \(className)(nn.Module):"]
        lines.append("    def __init__(self):")
        lines.append("        super().__init__()")
        lines += initLines.map { "        " + $0 }
        if initLines.isEmpty { lines.append("        pass") }
        lines.append("")
        lines.append("    def forward(self\(parameters.map { ", " + $0 }.joined())):")
        lines += forwardLines.map { "        " + $0 }
        lines.append("        return " + (results.count == 1 ? results[0] : "(" + results.joined(separator: ", ") + ")"))
        return lines.joined(separator: "\n")
    }

    // MARK: - Values

    /// The Python variable holding `ref` in `layout`, emitting the permutation when it is held otherwise.
    func name(of ref: TensorRef, in layout: TensorLayout) -> String {
        var v = values[ref]!
        if let n = v.names[layout] { return n }
        let rank = v.shape.count
        let source = v.names[v.produced]!
        let permutation: [Int]
        switch layout {
        case .moved: permutation = [0, rank - 1] + Array(1..<(rank - 1))  // (N, ..., C) → (N, C, ...)
        case .keras: permutation = [0] + Array(2..<rank) + [1]  // (N, C, ...) → (N, ..., C)
        }
        let n = newVariable()
        forwardLines.append("\(n) = \(source).permute(\(permutation.map(String.init).joined(separator: ", "))).contiguous()")
        v.names[layout] = n
        values[ref] = v
        return n
    }

    /// The variable holding `ref` in the layout it was produced in.
    func anyName(of ref: TensorRef) -> (String, TensorLayout) {
        let v = values[ref]!
        return (v.names[v.produced]!, v.produced)
    }

    /// A fresh local variable, `x<n>`, never one of the parameters' names (an input may be called `x1`).
    func newVariable() -> String {
        var name: String
        repeat {
            counter += 1
            name = "x\(counter)"
        } while usedNames.contains(name)
        usedNames.insert(name)
        return name
    }

    /// Emits `variable = expression` for output `tensor` of call `call` of `layer`.
    func bind(_ expression: String, layer: any Layer, call: Int, tensor: Int = 0, shape: Shape, layout: TensorLayout) {
        let v = newVariable()
        let comment = tensor == 0 ? "  # \(layer.name) (\(layer.className))" : ""
        forwardLines.append("\(v) = \(expression)\(comment)")
        values[TensorRef(layer: layer.name, node: call, tensor: tensor)] =
            EmittedTensor(shape: shape, names: [layout: v], produced: layout)
    }

    /// Passes input `ref` through unchanged as the output of `layer`'s call.
    func alias(_ ref: TensorRef, layer: any Layer, call: Int) {
        values[TensorRef(layer: layer.name, node: call, tensor: 0)] = values[ref]
    }

    /// The position in a tensor held in `layout` of Keras axis `axis` (normalised) of a rank-`rank` tensor.
    func physicalAxis(_ axis: Int, rank: Int, layout: TensorLayout) -> Int {
        guard layout == .moved, axis > 0 else { return axis }
        return axis == rank - 1 ? 1 : axis + 1
    }

    // MARK: - Modules and weights

    /// The attribute of `layer`'s module, creating it with `constructor` and `tensors` (suffix, tensor) on the
    /// layer's first call; later calls of a shared layer reuse it.
    func module(_ layer: any Layer, _ constructor: String, tensors: [SafetensorsTensor] = []) -> String {
        if let a = attributes[layer.name] { return a }
        let a = identifier(layer.name)
        attributes[layer.name] = a
        initLines.append("self.\(a) = \(constructor)")
        for t in tensors {
            var t = t
            t.name = prefix + a + "." + t.name
            context.tensors.append(t)
        }
        return a
    }

    // MARK: - Python literals

    static func py(_ f: Float) -> String {
        if f.isNaN { return "float(\"nan\")" }
        if f.isInfinite { return f > 0 ? "float(\"inf\")" : "float(\"-inf\")" }
        return "\(f)"
    }

    static func py(_ d: Double) -> String {
        if d.isNaN { return "float(\"nan\")" }
        if d.isInfinite { return d > 0 ? "float(\"inf\")" : "float(\"-inf\")" }
        return "\(d)"
    }

    static func tuple(_ values: [Int]) -> String {
        values.count == 1 ? "(\(values[0]),)" : "(" + values.map(String.init).joined(separator: ", ") + ")"
    }

    static func list(_ values: [Int]) -> String { "[" + values.map(String.init).joined(separator: ", ") + "]" }
}

// MARK: - Weight layouts

extension PyTorchGraphEmitter {
    /// `tensor` with its axes permuted (`permutation[i]` is the source axis of output axis `i`).
    static func permuted(_ tensor: Tensor, _ permutation: [Int]) throws -> Tensor {
        try Ops.transpose(input: tensor, permutation: permutation)
    }

    static func float(_ name: String, _ tensor: Tensor, shape: [Int]? = nil) -> SafetensorsTensor {
        SafetensorsTensor(name: name, shape: shape ?? tensor.shape, floats: tensor.scalars)
    }

    /// Weight `index` of `layer`, checked to be present.
    static func weight(_ layer: any Layer, _ index: Int, _ name: String) throws -> Tensor {
        guard index < layer.weights.count else {
            throw PyTorchExportError.layer(layer, "weight `\(name)` (number \(index + 1)) is missing")
        }
        return layer.weights[index].tensor
    }
}
