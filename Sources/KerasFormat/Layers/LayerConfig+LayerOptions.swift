import KerasGraph

/// Decoding helpers shared by the layer decoders: Keras 1/2/3 spellings of padding, data format, window sizes,
/// axes, rates and nested objects, each validated with a one-line error naming the layer and key.
extension LayerConfig {
    /// The largest window size, stride, dilation, padding or repeat count accepted from a file. Real values are
    /// tiny; the bound keeps shape arithmetic far from overflow.
    static let maxWindowValue = 1 << 24
    /// The largest unit, filter or vocabulary count accepted from a file.
    static let maxDimension = 1 << 31

    /// The first of `keys` that is present (not `null`), for keys renamed across Keras versions.
    func firstKey(_ keys: [String]) -> String? { keys.first { value($0) != nil } }

    /// A positive integer from the first present key of `keys` (`default` when none is present, an error when
    /// there is no default), at most `max`.
    func positiveInt(_ keys: String..., default d: Int? = nil, max: Int = maxWindowValue) throws -> Int {
        guard let key = firstKey(keys) else {
            guard let d else { throw error("missing `\(keys[0])`") }
            return d
        }
        let v = try requiredInt(key)
        guard v > 0 else { throw error("`\(key)` must be a positive integer, found \(v)") }
        guard v <= max else { throw error("`\(key)` is too large: \(v)") }
        return v
    }

    /// `count` positive integers from an int or a list (`kernel_size`, `strides`, `pool_size`, …), taken from the
    /// first present key of `keys`; `nil` when none is present.
    func positiveTuple(_ keys: [String], count: Int) throws -> [Int]? {
        guard let key = firstKey(keys) else { return nil }
        guard let values = try intTuple(key, count: count) else { return nil }
        guard values.allSatisfy({ $0 > 0 && $0 <= Self.maxWindowValue }) else {
            throw error("`\(key)` must hold positive integers, found \(values)")
        }
        return values
    }

    /// Keras 1 splits 2-D window sizes into two keys (`nb_row`, `nb_col`); returns them as a pair when present.
    func positivePair(_ rowKey: String, _ colKey: String) throws -> [Int]? {
        guard has(rowKey) || has(colKey) else { return nil }
        return [try positiveInt(rowKey), try positiveInt(colKey)]
    }

    /// A rate in [0, 1] (`rate`, Keras 1 `p`).
    func rate(_ keys: String...) throws -> Double {
        guard let key = firstKey(keys) else { throw error("missing `\(keys[0])`") }
        let r = try double(key) ?? 0
        guard r >= 0, r <= 1 else { throw error("`\(key)` must be between 0 and 1, found \(r)") }
        return r
    }

    /// `padding` (Keras 2/3) or `border_mode` (Keras 1): `valid`, `same`, or `causal` where allowed.
    func windowPadding(allowCausal: Bool = false) throws -> Padding {
        let key = firstKey(["padding", "border_mode"]) ?? "padding"
        let raw = try string(key, default: "valid")
        guard let p = Padding(rawValue: raw.lowercased()), p != .causal || allowCausal else {
            throw error("`\(key)` must be \(allowCausal ? "`valid`, `same` or `causal`" : "`valid` or `same`"), found `\(raw)`")
        }
        return p
    }

    /// Keras 1's `dim_ordering` (`tf` or `th`), or `nil` when absent.
    func dimOrdering() throws -> DimOrdering? {
        guard let raw = try string("dim_ordering") else { return nil }
        guard let d = DimOrdering(rawValue: raw) else {
            throw error("`dim_ordering` must be `tf` or `th`, found `\(raw)`")
        }
        return d
    }

    /// `data_format` (Keras 2/3) or Keras 1 `dim_ordering`; channels-last when absent.
    func dataFormat() throws -> DataFormat {
        if let raw = try string("data_format") {
            guard let f = DataFormat(rawValue: raw) else {
                throw error("`data_format` must be `channels_last` or `channels_first`, found `\(raw)`")
            }
            return f
        }
        return try dimOrdering()?.dataFormat ?? .channelsLast
    }

    /// An optional seed (any integer; `null` when absent).
    func seed() throws -> Int? { try int("seed") }

    /// Axes from an int or a list (`axis`, `shared_axes`); `nil` when absent.
    func axes(_ key: String) throws -> [Int]? {
        guard let list = try intList(key) else { return nil }
        guard !list.isEmpty else { throw error("`\(key)` is empty") }
        guard list.allSatisfy({ abs($0) <= Self.maxWindowValue }) else { throw error("`\(key)` is out of range: \(list)") }
        return list
    }

    /// A number that must be finite and ≥ `minimum`.
    func boundedDouble(_ key: String, default d: Double, minimum: Double) throws -> Double {
        let v = try double(key, default: d)
        guard v.isFinite, v >= minimum else { throw error("`\(key)` must be a number >= \(minimum), found \(v)") }
        return v
    }

    /// Non-negative integer pairs for one or two spatial axes, from the forms Keras accepts:
    /// an int (all sides), one pair per axis (`[[top, bottom], [left, right]]`), or for 2-D a pair of ints
    /// (`[rows, cols]`, each symmetric); for 1-D a pair `[before, after]`. Keras 1's 4-tuple
    /// `[top, bottom, left, right]` and `{"top_pad", …}` dict are also read.
    func sidePairs(_ key: String, axes: Int, default d: [[Int]]) throws -> [[Int]] {
        guard let v = value(key) else { return d }
        func bad() -> FormatError {
            error("`\(key)` must be an integer, \(axes == 1 ? "a pair" : "a pair or a pair of pairs") of non-negative integers")
        }
        func nonNegative(_ x: JSONValue) throws -> Int {
            guard case let .number(n) = x, n.rounded() == n, n >= 0, n <= Double(Self.maxWindowValue) else { throw bad() }
            return Int(n)
        }
        switch v {
        case .number:
            let n = try nonNegative(v)
            return Array(repeating: [n, n], count: axes)
        case let .array(items):
            if axes == 1 {
                guard items.count == 2 else { throw bad() }
                return [[try nonNegative(items[0]), try nonNegative(items[1])]]
            }
            if axes == 2, items.count == 4 {
                let n = try items.map(nonNegative)
                return [[n[0], n[1]], [n[2], n[3]]]
            }
            guard items.count == axes else { throw bad() }
            return try items.map { item in
                switch item {
                case .number:
                    let n = try nonNegative(item)
                    return [n, n]
                case let .array(pair) where pair.count == 2:
                    return [try nonNegative(pair[0]), try nonNegative(pair[1])]
                default:
                    throw bad()
                }
            }
        case .object where axes == 2:
            let names = ["top_pad", "bottom_pad", "left_pad", "right_pad"]
            let n = try names.map { name in try v[name].map(nonNegative) ?? 0 }
            return [[n[0], n[1]], [n[2], n[3]]]
        default:
            throw bad()
        }
    }

    /// A nested initializer, regularizer or constraint from any Keras version: `null`, a string identifier, a
    /// `{"class_name", "config"}` object, or a Keras 1 `{"name": …, <params>}` object (converted to the Keras 2
    /// class and keys: `WeightRegularizer` → `L1L2`, `MaxNorm`'s `m` → `max_value`).
    func anyKerasObject(_ keys: String...) throws -> KerasObject? { try anyKerasObject(keys) }

    /// The same, with the keys as an array.
    func anyKerasObject(_ keys: [String]) throws -> KerasObject? {
        guard let key = firstKey(keys), let v = value(key) else { return nil }
        if case .object(let members) = v, v["class_name"] == nil, case let .string(name)? = v["name"] {
            var params = members.filter { $0.0 != "name" }
            var className = name
            switch name {
            case "WeightRegularizer", "ActivityRegularizer", "L1L2Regularizer": className = "L1L2"
            case "MaxNorm", "maxnorm":
                className = "MaxNorm"
                params = params.map { $0.0 == "m" ? ("max_value", $0.1) : $0 }
            case "NonNeg", "nonneg": className = "NonNeg"
            case "UnitNorm", "unitnorm": className = "UnitNorm"
            default: break
            }
            return KerasObject(className: className, config: .object(params))
        }
        return try kerasObject(key)
    }
}
