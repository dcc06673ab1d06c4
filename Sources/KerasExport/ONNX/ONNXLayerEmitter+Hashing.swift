import Foundation
import KerasGraph
import ONNXProto
import TensorModule

extension ONNXGraphBuilder {
    /// A uint64 initializer (rank 1, or rank 0 with `scalar`).
    func uint64s(_ values: [UInt64], scalar: Bool = false, scope: String, hint: String) -> String {
        var t = Onnx_TensorProto()
        t.name = fresh(scope, hint)
        t.dataType = Int32(Onnx_TensorProto.DataType.uint64.rawValue)
        t.dims = scalar ? [] : [Int64(values.count)]
        var data = Data(capacity: values.count * 8)
        for v in values { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
        t.rawData = data
        graph.initializer.append(t)
        return t.name
    }
}

extension ONNXLayerEmitter {
    // MARK: Hashing

    /// Keras' `Hashing` on numbers (no salt) in standard ops, exactly as TensorFlow (and the engine) computes it: each
    /// value truncated to an int64 and written in decimal (`tf.as_string`: its bytes built from the digits with
    /// `Div`/`Mod` by powers of ten, `-` first for a negative value, up to 20 bytes), FarmHash's `Fingerprint64`
    /// of those bytes (farmhashna `Hash64` for lengths 1–20: the 1–3, 4–7, 8–16 and 17–32 byte branches all
    /// computed in uint64 wrap-around arithmetic and the one for each value's length chosen by `Where`), then modulo
    /// the bins (with `mask_value`: that value → 0, the others `1 + hash mod (bins − 1)`). Needs `BitwiseXor`, so
    /// opset 18 or later.
    func hashing(_ l: Hashing, _ c: LayerContext, _ input: ONNXValue) throws -> ONNXValue {
        guard !l.sparse else { throw c.error("`sparse=True` gives a sparse tensor, which has no ONNX mapping") }
        guard l.numBins >= 1 else { throw c.error("`num_bins` must be ≥ 1, got \(l.numBins)") }
        guard opset >= 18 else {
            throw c.error("TensorFlow's FarmHash Fingerprint64 needs ONNX's bitwise ops (BitwiseXor, opset 18): export with --opset 18 or later, or leave its outputs out (--outputs); no ONNX mapping at opset \(opset)")
        }
        let s = c.scope
        let x = b.converted(input, to: .native)
        func u64(_ v: UInt64) -> String { b.uint64s([v], scalar: true, scope: s, hint: "u64") }
        func i64(_ v: Int) -> String { b.int64s([v], scalar: true) }
        func op(_ name: String, _ inputs: String..., attributes: [Onnx_AttributeProto] = []) -> String {
            b.op(name, inputs, scope: s, attributes)
        }
        func add(_ a: String, _ b2: String) -> String { op("Add", a, b2) }
        func mul(_ a: String, _ b2: String) -> String { op("Mul", a, b2) }
        func xor(_ a: String, _ b2: String) -> String { op("BitwiseXor", a, b2) }
        func shift(_ a: String, _ by: String, left: Bool) -> String {
            op("BitShift", a, by, attributes: [b.attr("direction", string: left ? "LEFT" : "RIGHT")])
        }
        func rotate(_ v: String, _ r: UInt64) -> String {
            add(shift(v, u64(r), left: false), shift(v, u64(64 - r), left: true))   // disjoint bits: + is |
        }
        func shiftMix(_ v: String) -> String { xor(v, shift(v, u64(47), left: false)) }
        func hashLen16(_ u: String, _ v: String, _ m: String) -> String {
            var a = mul(xor(u, v), m)
            a = shiftMix(a)
            var bb = mul(xor(v, a), m)
            bb = shiftMix(bb)
            return mul(bb, m)
        }

        // The decimal string of trunc(x): digits of |v| (at most 19), `-` first when negative.
        let raw = cast(x.name, to: .int64, c)
        // −2^63's magnitude does not fit an int64: it is written as −(2^63 − 1) with its last digit raised by one
        // (…807 → …808, no carry).
        let isMin = op("Equal", raw, b.int64s([Int(Int64.min)], scalar: true))
        let v = op("Max", raw, b.int64s([-Int(Int64.max)], scalar: true))
        let negative = op("Less", v, i64(0))
        let minus = cast(negative, to: .int64, c)
        let magnitude = op("Abs", v)
        let column = op("Unsqueeze", magnitude, b.int64s([-1]))
        var powers: [Int] = [1]
        for _ in 1...18 { powers.append(powers.last! * 10) }
        let atLeast = cast(op("GreaterOrEqual", column, b.int64s(Array(powers.dropFirst()))), to: .int64, c)
        let digits = add(reduce("ReduceSum", atLeast, axes: [-1], keepDims: false, c), i64(1))
        let length = add(digits, minus)                                          // 1…20 bytes
        let positions = b.int64s(Array(0..<20))
        let k = op("Sub", positions, op("Unsqueeze", minus, b.int64s([-1])))      // digit number at each byte
        let exponent = op("Sub", op("Sub", op("Unsqueeze", digits, b.int64s([-1])), i64(1)), k)
        let clamped = op("Min", op("Max", exponent, i64(0)), i64(18))
        let digit = op("Mod", op("Div", column, op("Gather", b.int64s(powers), clamped, attributes: [b.attr("axis", int: 0)])), i64(10))
        let isDigit = op("And", op("GreaterOrEqual", k, i64(0)), op("GreaterOrEqual", exponent, i64(0)))
        let isMinus = op("And", op("Unsqueeze", negative, b.int64s([-1])), op("Equal", positions, i64(0)))
        let isLast = op("Equal", positions, op("Unsqueeze", op("Sub", length, i64(1)), b.int64s([-1])))
        let raise = cast(op("And", op("Unsqueeze", isMin, b.int64s([-1])), isLast), to: .int64, c)
        let character = add(add(digit, i64(48)), raise)
        let bytes = cast(op("Where", isMinus, i64(45), op("Where", isDigit, character, i64(0))), to: .uint64, c)

        // Little-endian words of `count` bytes at per-value offsets (indices clamped: a branch computed for a value
        // of another length reads valid, unused bytes).
        func fetch(_ offset: String, count: Int) -> String {
            let index = add(op("Unsqueeze", offset, b.int64s([-1])), b.int64s(Array(0..<count)))
            let safe = op("Min", op("Max", index, i64(0)), i64(19))
            let gathered = op("GatherElements", bytes, safe, attributes: [b.attr("axis", int: -1)])
            let shifted = shift(gathered, b.uint64s((0..<count).map { UInt64(8 * $0) }, scope: s, hint: "byte_shifts"), left: true)
            // Disjoint bits: their sum is the word, added up in uint64 (ReduceSum has no uint64 kernel in ONNX
            // Runtime, and its int64 one loses low bits).
            let parts = b.node("Split", [shifted, b.int64s([Int](repeating: 1, count: count))], outputCount: count,
                               name: "\(s)/Split", attributes: [b.attr("axis", int: -1)])
            let word = parts.dropFirst().reduce(parts[0]) { add($0, $1) }
            return op("Squeeze", word, b.int64s([-1]))
        }
        let n = cast(length, to: .uint64, c)
        let zeros = mul(length, i64(0))
        /// A fixed offset, in every value's shape (GatherElements wants the indices as the bytes' rank).
        func at(_ offset: Int) -> String { add(zeros, i64(offset)) }
        let (k0, k1, k2) = (u64(0xc3a5_c85c_97cb_3127), u64(0xb492_b66f_be98_f273), u64(0x9ae1_6a3b_2f90_404f))
        let m = add(k2, mul(n, u64(2)))
        let lengthMinus8 = op("Sub", length, i64(8))
        // 8–16 bytes.
        let a8 = add(fetch(at(0), count: 8), k2)
        let b8 = fetch(lengthMinus8, count: 8)
        let h8 = hashLen16(add(mul(rotate(b8, 37), m), a8), mul(add(rotate(a8, 25), b8), m), m)
        // 4–7 bytes.
        let a4 = fetch(at(0), count: 4)
        let h4 = hashLen16(add(n, shift(a4, u64(3), left: true)), fetch(op("Sub", length, i64(4)), count: 4), m)
        // 1–3 bytes.
        let first = fetch(at(0), count: 1)
        let middle = fetch(op("Div", length, i64(2)), count: 1)
        let last = fetch(op("Sub", length, i64(1)), count: 1)
        let y = add(first, shift(middle, u64(8), left: true))
        let z = add(n, shift(last, u64(2), left: true))
        let h1 = mul(shiftMix(xor(mul(y, k2), mul(z, k0))), k2)
        // 17–32 bytes.
        let a17 = mul(fetch(at(0), count: 8), k1)
        let b17 = fetch(at(8), count: 8)
        let c17 = mul(fetch(lengthMinus8, count: 8), m)
        let d17 = mul(fetch(op("Sub", length, i64(16)), count: 8), k2)
        let h17 = hashLen16(add(add(rotate(add(a17, b17), 43), rotate(c17, 30)), d17),
                            add(add(a17, rotate(add(b17, k2), 18)), c17), m)
        // The branch of each value's length (`Where` has no uint64 kernel in ONNX Runtime: chosen as int64, same bits).
        func bits(_ h: String) -> String { cast(h, to: .int64, c) }
        let chosen = op("Where", op("Greater", length, i64(16)), bits(h17),
                        op("Where", op("GreaterOrEqual", length, i64(8)), bits(h8),
                           op("Where", op("GreaterOrEqual", length, i64(4)), bits(h4), bits(h1))))
        var hash = cast(chosen, to: .uint64, c)

        let masked = l.maskValue != nil && l.numBins > 1
        hash = op("Mod", hash, u64(UInt64(masked ? l.numBins - 1 : l.numBins)))
        var bin = cast(hash, to: .double, c)
        if masked, let value = l.maskValue {
            bin = add(bin, b.doubles([1], scalar: true, scope: s, hint: "one"))
            let isMask = op("Equal", cast(x.name, to: .double, c), b.doubles([value], scalar: true, scope: s, hint: "mask_value"))
            bin = op("Where", isMask, b.doubles([0], scalar: true, scope: s, hint: "zero"), bin)
        }
        guard l.outputMode != "int" else { return ONNXValue(name: cast(bin, to: .float, c), layout: .native, shape: c.outputShape) }
        let encoded = try encodeCategories(bin, inputShape: x.shape, depth: l.numBins, mode: l.outputMode, c)
        return ONNXValue(name: encoded, layout: .native, shape: c.outputShape)
    }
}
