import TensorModule

/// A small deterministic generator (SplitMix64) so failures reproduce.
struct SeededRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [lo, hi).
    mutating func uniform(_ lo: Float = -1, _ hi: Float = 1) -> Float {
        lo + (hi - lo) * Float(next() >> 40) / Float(1 << 24)
    }
    mutating func tensor(_ shape: [Int], _ lo: Float = -1, _ hi: Float = 1) -> Tensor {
        let n = shape.reduce(1, *)
        return Tensor(shape: shape, scalars: (0..<n).map { _ in uniform(lo, hi) })
    }
}

/// Row-major strides of a shape.
func strides(of shape: [Int]) -> [Int] {
    var s = [Int](repeating: 1, count: shape.count)
    var acc = 1
    for d in stride(from: shape.count - 1, through: 0, by: -1) {
        s[d] = acc
        acc *= shape[d]
    }
    return s
}

extension Tensor {
    /// Element at a multi-index (test helper; no bounds checks beyond the array's).
    subscript(index: [Int]) -> Float {
        get { scalars[zip(index, strides(of: shape)).map { $0 * $1 }.reduce(0, +)] }
        set { scalars[zip(index, strides(of: shape)).map { $0 * $1 }.reduce(0, +)] = newValue }
    }
}

/// Bits of a Float as hex, for readable failure messages.
func hex(_ x: Float) -> String { "0x" + String(x.bitPattern, radix: 16) }
