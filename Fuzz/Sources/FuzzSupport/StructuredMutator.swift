import KerasPort

/// A small deterministic random generator (SplitMix64) seeded by libFuzzer's mutation seed.
public struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    public init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Structured mutations of a Keras model config held as a ``JSONValue``: the same classes of damage as
/// tools/fuzz.py (wrong types, missing keys, bad dimensions, dangling references and cycles, unknown classes,
/// NaN alphas, out-of-range shared_axes, duplicated or dropped layers), so libFuzzer explores configs that
/// still parse as JSON and reach the layer decoders and the graph analysis.
public struct StructuredMutator {
    var rng: SplitMix

    public init(seed: UInt32) { rng = SplitMix(seed: UInt64(seed)) }

    static let hostile: [JSONValue] = [
        .null, .bool(true), .bool(false), .number(0), .number(-1), .number(1), .number(3), .number(2_147_483_648),
        .number(9.3e18), .number(-9.3e18), .number(1e12), .number(1e308), .number(.nan), .number(.infinity),
        .number(-.infinity), .number(0.5), .string(""), .string("x"), .string("LeakyReLU"), .string("PReLU"),
        .array([]), .object([]), .array([.null]), .array([.number(-1)]), .array([.number(0)]),
        .object([("class_name", .string("X")), ("config", .object([]))]),
    ]
    static let classNames = ["Dense", "LeakyReLU", "PReLU", "Conv2D", "Conv1D", "InputLayer", "Reshape", "Flatten",
                             "Add", "Concatenate", "BatchNormalization", "Sequential", "Functional", "Model", "Lambda",
                             "Unknown", "Embedding", "DepthwiseConv2D", "SeparableConv2D", "Conv2DTranspose",
                             "MaxPooling2D", "Permute", "RepeatVector", "Dot", "UpSampling2D", "ZeroPadding2D",
                             "Cropping2D", "Softmax", "ELU", "ReLU", "Multiply", "GlobalAveragePooling2D"]
    static let dimensionKeys: Set<String> = [
        "batch_input_shape", "batch_shape", "input_shape", "target_shape", "kernel_size", "strides", "pool_size",
        "size", "dilation_rate", "cropping", "padding", "dims", "n", "axis", "axes", "units", "filters", "output_dim",
        "input_dim", "depth_multiplier", "groups", "shared_axes", "input_length", "shape", "keras_history"]
    static let alphaKeys: Set<String> = ["alpha", "negative_slope", "max_value", "threshold", "theta", "epsilon",
                                         "momentum", "rate", "stddev"]

    /// Every node's path (object keys and array indices).
    enum Step { case key(String), index(Int) }

    func paths(_ v: JSONValue, _ prefix: [Step] = [], into out: inout [[Step]], limit: Int = 20000) {
        guard out.count < limit else { return }
        out.append(prefix)
        switch v {
        case let .array(items): for (i, x) in items.enumerated() { paths(x, prefix + [.index(i)], into: &out, limit: limit) }
        case let .object(members): for (k, x) in members { paths(x, prefix + [.key(k)], into: &out, limit: limit) }
        default: break
        }
    }

    func get(_ v: JSONValue, _ path: ArraySlice<Step>) -> JSONValue? {
        guard let first = path.first else { return v }
        switch (v, first) {
        case let (.array(items), .index(i)) where i < items.count: return get(items[i], path.dropFirst())
        case let (.object(members), .key(k)): return members.first { $0.0 == k }.flatMap { get($0.1, path.dropFirst()) }
        default: return nil
        }
    }

    func set(_ v: JSONValue, _ path: ArraySlice<Step>, _ new: JSONValue?) -> JSONValue {
        guard let first = path.first else { return new ?? .null }
        switch (v, first) {
        case (.array(var items), .index(let i)) where i < items.count:
            if path.count == 1, new == nil { items.remove(at: i); return .array(items) }
            items[i] = set(items[i], path.dropFirst(), new)
            return .array(items)
        case (.object(var members), .key(let k)):
            guard let j = members.firstIndex(where: { $0.0 == k }) else { return v }
            if path.count == 1, new == nil { members.remove(at: j); return .object(members) }
            members[j].1 = set(members[j].1, path.dropFirst(), new)
            return .object(members)
        default: return v
        }
    }

    func lastKey(_ p: [Step]) -> String? {
        for s in p.reversed() { if case let .key(k) = s { return k } }
        return nil
    }

    public mutating func mutate(_ root: JSONValue) -> JSONValue {
        var out = root
        for _ in 0..<Int.random(in: 1...3, using: &rng) { out = mutateOnce(out) }
        return out
    }

    mutating func mutateOnce(_ root: JSONValue) -> JSONValue {
        var all: [[Step]] = []
        paths(root, into: &all)
        guard all.count > 1 else { return Self.hostile.randomElement(using: &rng)! }
        let p = all[Int.random(in: 1..<all.count, using: &rng)][...]
        let node = get(root, p) ?? .null
        switch Int.random(in: 0..<10, using: &rng) {
        case 0, 1:  // any node → a hostile value
            return set(root, p, Self.hostile.randomElement(using: &rng)!)
        case 2:  // delete a member or element
            return set(root, p, nil)
        case 3:  // numbers: negative, huge, fractional, NaN
            let targets = all.filter { if case .number = get(root, $0[...]) { return true } else { return false } }
            guard let t = targets.randomElement(using: &rng) else { return root }
            let v: [Double] = [-1, 0, 1e12, 4.6e18, -4.6e18, .nan, .infinity, 0.5, 65536, 2_147_483_648]
            return set(root, t[...], .number(v.randomElement(using: &rng)!))
        case 4:  // dimension keys
            let targets = all.filter { lastKey($0).map(Self.dimensionKeys.contains) ?? false }
            guard let t = targets.randomElement(using: &rng) else { return root }
            let v: [JSONValue] = [.number(-1), .number(0), .number(1e12), .number(4.6e18), .array([.number(1e9), .number(1e9)]),
                                  .array([.null, .number(-5)]), .array(Array(repeating: .number(1), count: 40)), .string("3")]
            return set(root, t[...], v.randomElement(using: &rng)!)
        case 5:  // alphas and other floats
            let targets = all.filter { lastKey($0).map(Self.alphaKeys.contains) ?? false }
            guard let t = targets.randomElement(using: &rng) else { return root }
            let v: [JSONValue] = [.number(.nan), .number(.infinity), .number(-.infinity), .number(-1), .number(1e39), .null, .string("0.3")]
            return set(root, t[...], v.randomElement(using: &rng)!)
        case 6:  // class names
            let targets = all.filter { lastKey($0) == "class_name" }
            guard let t = targets.randomElement(using: &rng) else { return root }
            return set(root, t[...], .string(Self.classNames.randomElement(using: &rng)!))
        case 7:  // string references (layer names in inbound nodes): another name, or a dangling one
            let names: [String] = all.compactMap {
                guard lastKey($0) == "name", case let .string(s)? = get(root, $0[...]) else { return nil }
                return s
            }
            let targets = all.filter { if case .string = get(root, $0[...]) { return lastKey($0) != "class_name" } else { return false } }
            guard let t = targets.randomElement(using: &rng) else { return root }
            return set(root, t[...], .string((names + ["ghost"]).randomElement(using: &rng)!))
        case 8:  // duplicate an element of a list (layers, inbound nodes, shapes)
            guard case let .array(items) = node, !items.isEmpty else { return root }
            var copy = items
            copy.insert(items.randomElement(using: &rng)!, at: Int.random(in: 0...items.count, using: &rng))
            return set(root, p, .array(copy))
        default:  // shared_axes on a layer config object
            guard case let .object(members) = node, members.contains(where: { $0.0 == "name" }) else { return root }
            let v: [JSONValue] = [.array([.number(0)]), .array([.number(-1)]), .array([.number(9)]), .number(1),
                                  .array([.number(1), .number(1)]), .array([]), .string("1"), .array([.number(1e12)])]
            return set(root, p, .object(members.filter { $0.0 != "shared_axes" } + [("shared_axes", v.randomElement(using: &rng)!)]))
        }
    }
}
