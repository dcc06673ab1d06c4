import KerasGraph
import TensorModule

/// The bound arguments of an op layer's call: each argument of the op's Python signature, given positionally or
/// by name, resolved against the call's inputs.
struct OpArguments {
    let c: LayerConfig
    let op: String
    var values: [String: CallValue] = [:]

    /// Binds the layer's call (all calls must pass the same arguments) to `parameters`, in Python's order.
    /// Arguments in `ignored` (`name`) are accepted and dropped; any other unknown argument is an error.
    init(_ c: LayerConfig, op: String, parameters: [String], ignored: Set<String> = ["name"]) throws {
        self.c = c
        self.op = op
        guard let call = c.calls.first else { throw c.error("\(op) has no recorded call (op layers exist only in functional models)") }
        guard c.calls.allSatisfy({ $0 == call }) else {
            throw c.error("\(op) is called \(c.calls.count) times with different arguments; KerasPort runs one form per layer")
        }
        guard call.positional.count <= parameters.count else {
            throw c.error("\(op) takes at most \(parameters.count) positional arguments, the call passed \(call.positional.count)")
        }
        for (i, v) in call.positional.enumerated() { values[parameters[i]] = v }
        for k in call.keywords {
            if ignored.contains(k.name) { continue }
            guard parameters.contains(k.name) else { throw c.error("\(op): argument `\(k.name)` is not supported") }
            guard values[k.name] == nil else { throw c.error("\(op): argument `\(k.name)` is given twice") }
            values[k.name] = k.value
        }
    }

    func error(_ reason: String) -> FormatError { c.error("\(op): \(reason)") }

    /// The argument as a constant, or `nil` when absent or `None`.
    func constant(_ name: String) throws -> JSONValue? {
        guard let v = values[name] else { return nil }
        guard case let .constant(j) = v else { throw error("argument `\(name)` must be a constant, the call passed a tensor") }
        if case .null = j { return nil }
        return j
    }

    /// A tensor argument: a call input or a constant.
    func operand(_ name: String) throws -> OpLayer.Operand {
        guard let v = values[name] else { throw error("argument `\(name)` is missing") }
        return try OpArguments.operand(v.unwrappedTensor, error)
    }

    static func operand(_ v: CallValue, _ error: (String) -> FormatError) throws -> OpLayer.Operand {
        switch v {
        case let .tensor(i): return .input(i)
        case let .constant(j): return .constant(try OpArguments.tensor(j, error))
        case .list, .dictionary: throw error("a nested list of tensors cannot be one operand")
        }
    }

    /// Every tensor of a list argument (`tf.concat(values, …)`), in order.
    func operandList(_ name: String) throws -> [OpLayer.Operand] {
        guard let v = values[name] else { throw error("argument `\(name)` is missing") }
        switch v {
        case let .list(items):
            // tf_keras records `tf.concat([a, b], …)` as a list holding the list.
            if items.count == 1, case let .list(inner) = items[0] { return try inner.map { try OpArguments.operand($0, error) } }
            return try items.map { try OpArguments.operand($0, error) }
        case let .tensor(i): return [.input(i)]
        case .constant, .dictionary: throw error("argument `\(name)` must be a list of tensors")
        }
    }

    func int(_ name: String) throws -> Int? {
        guard let j = try constant(name) else { return nil }
        guard let i = OpArguments.intValue(j) else { throw error("argument `\(name)` must be an integer, found \(j.serialized())") }
        return i
    }

    func requiredInt(_ name: String) throws -> Int {
        guard let i = try int(name) else { throw error("argument `\(name)` is missing") }
        return i
    }

    /// An integer or a list of integers.
    func ints(_ name: String) throws -> [Int]? {
        guard let j = try constant(name) else { return nil }
        return try OpArguments.ints(j, name: name, error)
    }

    static func ints(_ j: JSONValue, name: String, _ error: (String) -> FormatError) throws -> [Int] {
        if let i = intValue(j) { return [i] }
        let t = try tensor(j, error)
        guard t.rank == 1, t.scalars.allSatisfy({ $0.rounded() == $0 }) else {
            throw error("argument `\(name)` must be an integer or a list of integers, found \(j.serialized())")
        }
        return t.scalars.map { Int($0) }
    }

    func float(_ name: String) throws -> Float? {
        guard let j = try constant(name) else { return nil }
        let t = try OpArguments.tensor(j, error)
        guard t.rank == 0 else { throw error("argument `\(name)` must be a number, found \(j.serialized())") }
        return t.scalars[0]
    }

    func bool(_ name: String, default d: Bool) throws -> Bool {
        guard let j = try constant(name) else { return d }
        guard case let .bool(b) = j else { throw error("argument `\(name)` must be true or false, found \(j.serialized())") }
        return b
    }

    func string(_ name: String) throws -> String? {
        guard let j = try constant(name) else { return nil }
        guard case let .string(s) = j else { throw error("argument `\(name)` must be a string, found \(j.serialized())") }
        return s
    }

    /// Fails unless the argument is absent, `None` or equal to `allowed`.
    func require(_ name: String, absentOr allowed: JSONValue...) throws {
        guard let j = try constant(name) else { return }
        if allowed.contains(where: { OpArguments.sameValue($0, j) }) { return }
        throw error("argument `\(name)=\(j.serialized())` is not supported")
    }

    static func sameValue(_ a: JSONValue, _ b: JSONValue) -> Bool {
        if case let .number(x) = a, case let .bool(y) = b { return x == (y ? 1 : 0) }
        if case let .bool(x) = a, case let .number(y) = b { return y == (x ? 1 : 0) }
        return a == b
    }

    static func intValue(_ j: JSONValue) -> Int? {
        if case let .number(d) = j, d.rounded() == d, abs(d) < 1e15 { return Int(d) }
        if case let .object(members) = j, members.contains(where: { $0.0 == "class_name" }),
           case let .object(cfg)? = j["config"], case let .number(d)? = JSONValue.object(cfg)["value"], d.rounded() == d {
            return Int(d)
        }
        return nil
    }

    /// A constant as a float tensor: a number, a boolean, nested lists of them, or a Keras 3 `__numpy__` /
    /// `__tensor__` object (`{"class_name", "config": {"value", "dtype"}}`).
    static func tensor(_ j: JSONValue, _ error: (String) -> FormatError) throws -> Tensor {
        switch j {
        case let .number(d): return Tensor(scalar: Float(d))
        case let .bool(b): return Tensor(scalar: b ? 1 : 0)
        case let .array(items):
            let parts = try items.map { try tensor($0, error) }
            guard let first = parts.first else { return Tensor(shape: [0], scalars: []) }
            guard parts.allSatisfy({ $0.shape == first.shape }) else { throw error("a constant list is ragged: \(j.serialized().prefix(80))") }
            return Tensor(shape: [parts.count] + first.shape, scalars: parts.flatMap(\.scalars))
        case .object:
            guard case let .string(cls)? = j["class_name"], cls == "__numpy__" || cls == "__tensor__",
                  let value = j["config"]?["value"] else {
                throw error("a constant object is not a NumPy array or tensor: \(j.serialized().prefix(80))")
            }
            if case let .string(dtype)? = j["config"]?["dtype"],
               !(dtype.hasPrefix("float") || dtype.hasPrefix("int") || dtype.hasPrefix("uint") || dtype == "bool" || dtype.hasPrefix("bfloat")) {
                throw error("a constant of dtype \(dtype) is not supported")
            }
            return try tensor(value, error)
        default:
            throw error("a constant \(j.serialized().prefix(80)) is not a number")
        }
    }

    /// A Python subscript as tf_keras (`{"start", "stop", "step"}`, `{"class_name": "__ellipsis__"}`) or Keras 3
    /// (`{"class_name": "__slice__", "config": {…}}`) records it; ints are indices and `null` a new axis.
    static func sliceItems(_ j: JSONValue, _ error: (String) -> FormatError) throws -> [OpLayer.SliceItem] {
        func bound(_ v: JSONValue?) throws -> Int? {
            guard let v, v != .null else { return nil }
            guard let i = intValue(v) else { throw error("a slice bound must be an integer or None, found \(v.serialized())") }
            return i
        }
        func item(_ v: JSONValue) throws -> OpLayer.SliceItem {
            switch v {
            case .null: return .newAxis
            case .number:
                guard let i = intValue(v) else { throw error("a subscript index must be an integer, found \(v.serialized())") }
                return .index(i)
            case .object:
                if case let .string(cls)? = v["class_name"] {
                    if cls == "__ellipsis__" { return .ellipsis }
                    if cls == "__slice__", let cfg = v["config"] {
                        return .range(start: try bound(cfg["start"]), stop: try bound(cfg["stop"]), step: try bound(cfg["step"]))
                    }
                    throw error("subscript `\(cls)` is not supported")
                }
                if v["start"] != nil || v["stop"] != nil || v["step"] != nil {
                    return .range(start: try bound(v["start"]), stop: try bound(v["stop"]), step: try bound(v["step"]))
                }
                throw error("subscript \(v.serialized().prefix(80)) is not supported")
            default:
                throw error("subscript \(v.serialized().prefix(80)) is not supported (only slices, integers, None and ...)")
            }
        }
        if case let .array(items) = j { return try items.map(item) }
        return [try item(j)]
    }
}

extension CallValue {
    /// A list of exactly one tensor as that tensor (tf_keras records a lone first argument so).
    var unwrappedTensor: CallValue {
        if case let .list(items) = self, items.count == 1, case .tensor = items[0] { return items[0] }
        return self
    }
}

extension OpLayer {
    // MARK: tf_keras

    /// Decodes a `TFOpLambda` or `SlicingOpLambda` whose `function` KerasPort runs; `nil` for any other function
    /// (the registry keeps such a layer opaque, and running it fails naming the op).
    /// - Throws: ``FormatError`` when a supported function is called with arguments KerasPort cannot run.
    package static func tensorflow(config c: LayerConfig) throws -> OpLayer? {
        guard let function = try c.string("function") else { throw c.error("missing `function`") }
        var fn = function
        var v1 = false
        if fn.hasPrefix("compat.v1.") { fn.removeFirst("compat.v1.".count); v1 = true }
        if fn.hasPrefix("compat.v2.") { fn.removeFirst("compat.v2.".count) }
        let op = "tf.\(function)"
        func bind(_ p: [String], ignored: Set<String> = ["name"]) throws -> OpArguments {
            try OpArguments(c, op: op, parameters: p, ignored: ignored)
        }
        func make(_ operation: Operation, _ operands: [Operand]) throws -> OpLayer {
            OpLayer(className: c.className, common: try c.common(), source: .tensorflow(function: function),
                    operation: operation, operands: operands)
        }
        let binary: [String: Binary] = [
            "__operators__.add": .add, "math.add": .add, "add": .add,
            "math.subtract": .subtract, "subtract": .subtract,
            "math.multiply": .multiply, "multiply": .multiply,
            "math.truediv": .divide, "truediv": .divide, "math.divide": .divide, "divide": .divide,
            "math.maximum": .maximum, "maximum": .maximum, "math.minimum": .minimum, "minimum": .minimum,
            "math.pow": .power, "pow": .power,
        ]
        let math: [String: Math] = [
            "math.square": .square, "square": .square, "math.sqrt": .sqrt, "sqrt": .sqrt,
            "math.rsqrt": .rsqrt, "rsqrt": .rsqrt, "math.exp": .exp, "exp": .exp, "math.log": .log, "log": .log,
            "math.abs": .abs, "abs": .abs, "math.negative": .negative, "negative": .negative,
        ]
        let simpleActivations: [String: Activation] = [
            "nn.relu": .relu, "nn.relu6": .relu6, "math.sigmoid": .sigmoid, "nn.sigmoid": .sigmoid, "sigmoid": .sigmoid,
            "math.tanh": .tanh, "nn.tanh": .tanh, "tanh": .tanh, "nn.elu": .elu,
            "math.softplus": .softplus, "nn.softplus": .softplus, "math.softsign": .softsign, "nn.softsign": .softsign,
        ]
        let reductions: [String: Reduction] = [
            "math.reduce_sum": .sum, "reduce_sum": .sum, "math.reduce_mean": .mean, "reduce_mean": .mean,
            "math.reduce_max": .max, "reduce_max": .max, "math.reduce_min": .min, "reduce_min": .min,
            "math.reduce_prod": .prod, "reduce_prod": .prod,
        ]

        if let b = binary[fn] {
            let a = try bind(["x", "y"])
            return try make(.binary(b), [try a.operand("x"), try a.operand("y")])
        }
        if let m = math[fn] {
            let a = try bind(["x"])
            return try make(.math(m), [try a.operand("x")])
        }
        if let f = simpleActivations[fn] {
            let first = fn.hasPrefix("nn.relu") || fn == "nn.elu" || fn.hasSuffix("softplus") || fn.hasSuffix("softsign")
                ? "features" : "x"
            let a = try bind([first])
            return try make(.activation(f), [try a.operand(first)])
        }
        if let r = reductions[fn] {
            let a = try bind(["input_tensor", "axis", "keepdims", "name", "reduction_indices", "keep_dims"])
            let axis = try a.ints("axis") ?? a.ints("reduction_indices")
            let keep = try a.bool("keepdims", default: a.bool("keep_dims", default: false))
            return try make(.reduce(r, axes: axis, keepDims: keep), [try a.operand("input_tensor")])
        }
        switch fn {
        case "nn.silu", "nn.swish":
            let a = try bind(["features", "beta"])
            try a.require("beta", absentOr: .number(1))
            return try make(.activation(.silu), [try a.operand("features")])
        case "nn.gelu":
            let a = try bind(["features", "approximate"])
            return try make(.activation(.gelu(approximate: try a.bool("approximate", default: false))), [try a.operand("features")])
        case "nn.leaky_relu":
            let a = try bind(["features", "alpha"])
            return try make(.activation(.leakyReLU(alpha: try a.float("alpha") ?? 0.2)), [try a.operand("features")])
        case "nn.softmax", "math.softmax":
            let a = try bind(["logits", "axis", "name", "dim"])
            return try make(.activation(.softmax(axis: try a.int("axis") ?? a.int("dim") ?? -1)), [try a.operand("logits")])
        case "clip_by_value":
            let a = try bind(["t", "clip_value_min", "clip_value_max"])
            guard let lo = try a.float("clip_value_min"), let hi = try a.float("clip_value_max") else {
                throw a.error("`clip_value_min` and `clip_value_max` must be scalar constants")
            }
            return try make(.clip(min: lo, max: hi), [try a.operand("t")])
        case "reshape":
            let a = try bind(["tensor", "shape"])
            guard let shape = try a.ints("shape") else { throw a.error("argument `shape` is missing") }
            return try make(.reshape(shape), [try a.operand("tensor")])
        case "concat":
            let a = try bind(["values", "axis"])
            return try make(.concatenate(axis: try a.requiredInt("axis")), try a.operandList("values"))
        case "transpose", "linalg.transpose":
            let a = try bind(["a", "perm", "conjugate"])
            return try make(.transpose(try a.ints("perm")), [try a.operand("a")])
        case "expand_dims":
            let a = try bind(["input", "axis", "name", "dim"])
            guard let axis = try a.int("axis") ?? a.int("dim") else { throw a.error("argument `axis` is missing") }
            return try make(.expandDims(axis: axis), [try a.operand("input")])
        case "squeeze":
            let a = try bind(["input", "axis", "name", "squeeze_dims"])
            return try make(.squeeze(axes: try a.ints("axis") ?? a.ints("squeeze_dims")), [try a.operand("input")])
        case "nn.depth_to_space", "depth_to_space", "nn.space_to_depth", "space_to_depth":
            let a = try bind(["input", "block_size", "data_format"])
            try a.require("data_format", absentOr: .string("NHWC"))
            let b = try a.requiredInt("block_size")
            return try make(fn.hasSuffix("depth_to_space") ? .depthToSpace(blockSize: b) : .spaceToDepth(blockSize: b),
                            [try a.operand("input")])
        case "image.resize", "image.resize_images":
            let a = try bind(["images", "size", "method", "preserve_aspect_ratio", "antialias", "align_corners"])
            try a.require("preserve_aspect_ratio", absentOr: .bool(false))
            try a.require("antialias", absentOr: .bool(false))
            try a.require("align_corners", absentOr: .bool(false))
            guard let size = try a.ints("size"), size.count == 2, size.allSatisfy({ $0 > 0 }) else {
                throw a.error("argument `size` must be two positive integers")
            }
            let method: ResizeMethod
            switch try a.constant("method") {
            case nil, .string("bilinear")?, .number(0)?: method = .bilinear
            case .string("nearest")?, .number(1)?: method = .nearest
            case let m?: throw a.error("method \(m.serialized()) is not supported (bilinear and nearest are)")
            }
            return try make(.resize(height: size[0], width: size[1], method: method, halfPixelCenters: !v1),
                            [try a.operand("images")])
        case "cast", "dtypes.cast":
            let a = try bind(["x", "dtype"])
            guard let dtype = try a.string("dtype") else { throw a.error("argument `dtype` must be a dtype name") }
            guard dtype == "float32" else { throw a.error("cast to \(dtype) is not supported (KerasPort computes in float32)") }
            return try make(.identity, [try a.operand("x")])
        case "pad":
            let a = try bind(["tensor", "paddings", "mode", "constant_values"])
            try a.require("mode", absentOr: .string("CONSTANT"), .string("constant"))
            guard let p = try a.constant("paddings") else { throw a.error("argument `paddings` is missing") }
            let t = try OpArguments.tensor(p, a.error)
            guard t.rank == 2, t.shape[1] == 2, t.scalars.allSatisfy({ $0 >= 0 && $0.rounded() == $0 }) else {
                throw a.error("`paddings` must be a list of [before, after] non-negative integers")
            }
            let paddings = (0..<t.shape[0]).map { [Int(t.scalars[2 * $0]), Int(t.scalars[2 * $0 + 1])] }
            return try make(.pad(paddings, value: try a.float("constant_values") ?? 0), [try a.operand("tensor")])
        case "linalg.matmul", "matmul":
            let a = try bind(["a", "b", "transpose_a", "transpose_b", "adjoint_a", "adjoint_b", "a_is_sparse",
                              "b_is_sparse", "output_type", "grad_a", "grad_b"])
            for flag in ["adjoint_a", "adjoint_b", "a_is_sparse", "b_is_sparse", "grad_a", "grad_b"] {
                try a.require(flag, absentOr: .bool(false))
            }
            return try make(.matmul(transposeA: try a.bool("transpose_a", default: false),
                                    transposeB: try a.bool("transpose_b", default: false)),
                            [try a.operand("a"), try a.operand("b")])
        case "__operators__.getitem":
            let a = try bind(["tensor", "slice_spec", "var"])
            guard let spec = try a.constant("slice_spec") else { throw a.error("argument `slice_spec` is missing") }
            return try make(.slice(try OpArguments.sliceItems(spec, a.error)), [try a.operand("tensor")])
        default:
            return nil
        }
    }

    // MARK: Keras 3

    /// Decodes a Keras 3 `keras.ops` entry KerasPort runs; `nil` for any other op class.
    /// - Throws: ``FormatError`` when a supported op is called with options KerasPort cannot run.
    package static func keras(config c: LayerConfig) throws -> OpLayer? {
        // The op classes of Keras 3.15 by module (class names are unique only within one).
        let image: Set<String> = ["Resize"]
        let nn: Set<String> = ["Relu", "Relu6", "Sigmoid", "Silu", "Elu", "Softplus", "Softsign", "Gelu", "LeakyRelu",
                               "Softmax", "DepthToSpace", "SpaceToDepth"]
        let expected = image.contains(c.className) ? "image" : nn.contains(c.className) ? "nn" : "numpy"
        // A legacy `.h5` written by Keras 3 records no module (`LayerRegistry.isModulelessKerasOp`): the op's own.
        let module = c.module ?? "keras.src.ops.\(expected)"
        let op = "\(module).\(c.className)"
        func bind(_ p: [String]) throws -> OpArguments { try OpArguments(c, op: op, parameters: p, ignored: []) }
        func make(_ operation: Operation, _ operands: [Operand]) throws -> OpLayer {
            OpLayer(className: c.className, common: LayerCommon(name: c.name, trainable: try c.bool("trainable", default: true),
                                                                dtype: c.dtypeName()),
                    source: .keras(module: module), operation: operation, operands: operands)
        }
        func unary(_ operation: Operation) throws -> OpLayer {
            let a = try bind(["x"])
            return try make(operation, [try a.operand("x")])
        }
        func axes() throws -> [Int]? {
            guard let v = c.value("axis") else { return nil }
            return try OpArguments.ints(v, name: "axis") { c.error("\(op): \($0)") }
        }
        guard module == "keras.src.ops.\(expected)" || module == "keras.ops.\(expected)" || module == "keras.ops" else {
            return nil
        }
        let binary: [String: Binary] = [
            "Add": .add, "Subtract": .subtract, "Multiply": .multiply, "Divide": .divide, "TrueDivide": .divide,
            "Power": .power, "Maximum": .maximum, "Minimum": .minimum,
        ]
        let math: [String: Math] = [
            "Absolute": .abs, "Abs": .abs, "Exp": .exp, "Log": .log, "Sqrt": .sqrt, "Square": .square, "Negative": .negative,
        ]
        let activations: [String: Activation] = [
            "Relu": .relu, "Relu6": .relu6, "Sigmoid": .sigmoid, "Tanh": .tanh, "Silu": .silu,
            "Elu": .elu, "Softplus": .softplus, "Softsign": .softsign,
        ]
        let reductions: [String: Reduction] = ["Sum": .sum, "Mean": .mean, "Max": .max, "Min": .min, "Prod": .prod]
        if let b = binary[c.className] {
            let a = try bind(["x1", "x2"])
            return try make(.binary(b), [try a.operand("x1"), try a.operand("x2")])
        }
        if let m = math[c.className] { return try unary(.math(m)) }
        if let f = activations[c.className] {
            if c.className == "Elu", try c.double("alpha", default: 1) != 1 { throw c.error("\(op): alpha other than 1 is not supported") }
            return try unary(.activation(f))
        }
        if let r = reductions[c.className] {
            if c.value("initial") != nil { throw c.error("\(op): `initial` is not supported") }
            return try unary(.reduce(r, axes: try axes(), keepDims: try c.bool("keepdims", default: false)))
        }
        switch c.className {
        case "Gelu": return try unary(.activation(.gelu(approximate: try c.bool("approximate", default: true))))
        case "LeakyRelu": return try unary(.activation(.leakyReLU(alpha: try c.float("negative_slope", default: 0.2))))
        case "Softmax":
            let axis = try axes() ?? [-1]
            guard axis.count == 1 else { throw c.error("\(op): softmax over several axes is not supported") }
            return try unary(.activation(.softmax(axis: axis[0])))
        case "Clip":
            guard let lo = try c.float("x_min"), let hi = try c.float("x_max") else { throw c.error("\(op): `x_min` and `x_max` must be numbers") }
            return try unary(.clip(min: lo, max: hi))
        case "Reshape":
            guard let shape = try c.intList("newshape") ?? c.intList("shape") else { throw c.error("\(op): missing `newshape`") }
            return try unary(.reshape(shape))
        case "Transpose": return try unary(.transpose(try c.intList("axes")))
        case "ExpandDims":
            guard let axis = try axes(), axis.count == 1 else { throw c.error("\(op): `axis` must be one integer") }
            return try unary(.expandDims(axis: axis[0]))
        case "Squeeze": return try unary(.squeeze(axes: try axes()))
        case "Concatenate":
            let a = try bind(["xs"])
            return try make(.concatenate(axis: try c.int("axis", default: 0)), try a.operandList("xs"))
        case "Matmul":
            let a = try bind(["x1", "x2"])
            return try make(.matmul(transposeA: false, transposeB: false), [try a.operand("x1"), try a.operand("x2")])
        case "DepthToSpace", "SpaceToDepth":
            let df = try c.string("data_format", default: "channels_last")
            guard df == "channels_last" else { throw c.error("\(op): data_format \(df) is not supported") }
            let b = try c.requiredInt("block_size")
            return try unary(c.className == "DepthToSpace" ? .depthToSpace(blockSize: b) : .spaceToDepth(blockSize: b))
        case "Resize":
            guard let size = try c.intList("size"), size.count == 2 else { throw c.error("\(op): `size` must be two integers") }
            for flag in ["antialias", "crop_to_aspect_ratio", "pad_to_aspect_ratio"] {
                if try c.bool(flag, default: false) { throw c.error("\(op): `\(flag)=True` is not supported") }
            }
            if let df = try c.string("data_format"), df != "channels_last" { throw c.error("\(op): data_format \(df) is not supported") }
            let method: ResizeMethod
            switch try c.string("interpolation", default: "bilinear") {
            case "bilinear": method = .bilinear
            case "nearest": method = .nearest
            case let m: throw c.error("\(op): interpolation `\(m)` is not supported (bilinear and nearest are)")
            }
            let a = try bind(["images"])
            return try make(.resize(height: size[0], width: size[1], method: method, halfPixelCenters: true), [try a.operand("images")])
        case "GetItem":
            let a = try bind(["x", "key"])
            guard let key = a.values["key"] else { throw a.error("argument `key` is missing") }
            guard case let .constant(k) = key else { throw a.error("a subscript holding tensors is not supported") }
            return try make(.slice(try OpArguments.sliceItems(k, a.error)), [try a.operand("x")])
        default:
            return nil
        }
    }
}

extension OpLayer: ConfigEncodable {
    /// tf_keras ops: `{name, trainable, dtype, function}` as `TFOpLambda` writes it (in either dialect: Keras 3 has
    /// no such class and cannot load it). Keras 3 ops: `{name, …}` with the op's own attributes as Keras 3.15 writes
    /// them (the call arguments are written with the inbound node).
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        switch source {
        case let .tensorflow(function):
            return .object([("name", .string(name)), ("trainable", .bool(common.trainable)),
                            ("dtype", ConfigEncoding.dtype(common.dtype, .keras2)), ("function", .string(function))])
        case .keras:
            return .object([("name", .string(name))] + kerasAttributes)
        }
    }

    var kerasAttributes: [(String, JSONValue)] {
        func axisValue(_ axes: [Int]?) -> JSONValue {
            guard let axes else { return .null }
            return axes.count == 1 ? .number(Double(axes[0])) : ConfigEncoding.ints(axes)
        }
        func num(_ x: Float) -> JSONValue { .number(ConfigEncoding.shortestDouble(x)) }
        switch operation {
        case let .reduce(r, axes, keep):
            return [("axis", axisValue(axes)), ("keepdims", .bool(keep))] + (r == .max || r == .min ? [("initial", .null)] : [])
        case let .reshape(shape): return [("newshape", ConfigEncoding.ints(shape))]
        case let .transpose(perm): return [("axes", perm.map(ConfigEncoding.ints) ?? .null)]
        case let .concatenate(axis): return [("axis", .number(Double(axis)))]
        case let .expandDims(axis): return [("axis", .number(Double(axis)))]
        case let .squeeze(axes): return [("axis", axisValue(axes))]
        case let .clip(lo, hi): return [("x_min", num(lo)), ("x_max", num(hi))]
        case let .activation(.softmax(axis)): return [("axis", .number(Double(axis)))]
        case let .activation(.gelu(approximate)): return [("approximate", .bool(approximate))]
        case let .activation(.leakyReLU(alpha)): return [("negative_slope", num(alpha))]
        case let .depthToSpace(b), let .spaceToDepth(b):
            return [("block_size", .number(Double(b))), ("data_format", .string("channels_last"))]
        case let .resize(h, w, method, _):
            return [("size", ConfigEncoding.ints([h, w])), ("interpolation", .string(method.rawValue)),
                    ("antialias", .bool(false)), ("crop_to_aspect_ratio", .bool(false)), ("pad_to_aspect_ratio", .bool(false)),
                    ("fill_mode", .string("constant")), ("fill_value", .number(0)), ("data_format", .null)]
        default: return []
        }
    }
}
