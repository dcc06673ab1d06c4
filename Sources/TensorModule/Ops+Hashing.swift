extension Ops {
    /// Keras' `Hashing` without a salt: each value truncated to an integer, written in decimal (`tf.as_string`),
    /// fingerprinted with FarmHash's `Fingerprint64` (`tf.strings.to_hash_bucket_fast`) and reduced modulo the bins.
    /// With `maskValue`, values equal to it give 0 and the others `1 + hash mod (bins − 1)`.
    /// - Returns: the bin of each value, as a float, in `input`'s shape.
    /// - Throws: ``TensorError`` for fewer than 1 bin or a value outside the Int64 range.
    package static func hashBuckets(input: Tensor, bins: Int, maskValue: Float? = nil) throws(TensorError) -> Tensor {
        guard bins >= 1 else { throw .argument("hashing", "num_bins \(bins) must be ≥ 1") }
        let masked = maskValue != nil && bins > 1
        let buckets = UInt64(masked ? bins - 1 : bins)
        var out = input
        for i in out.scalars.indices {
            let x = out.scalars[i]
            if masked, x == maskValue! { out.scalars[i] = 0; continue }
            guard x.isFinite, abs(x) < 9.2e18 else { throw .argument("hashing", "value \(x) is not an int64") }
            let bin = FarmHash.fingerprint64(Array(String(Int64(x)).utf8)) % buckets
            out.scalars[i] = Float(bin + (masked ? 1 : 0))
        }
        return out
    }
}

/// FarmHash's `Fingerprint64` (farmhashna `Hash64`) for strings of up to 32 bytes (a decimal Int64 has at most 20),
/// as TensorFlow's `Fingerprint64` computes it.
enum FarmHash {
    static let k0: UInt64 = 0xc3a5_c85c_97cb_3127
    static let k1: UInt64 = 0xb492_b66f_be98_f273
    static let k2: UInt64 = 0x9ae1_6a3b_2f90_404f

    static func fingerprint64(_ s: [UInt8]) -> UInt64 {
        precondition(s.count <= 32, "FarmHash.fingerprint64 handles up to 32 bytes")
        return s.count <= 16 ? hashLen0to16(s) : hashLen17to32(s)
    }

    private static func fetch64(_ s: [UInt8], _ i: Int) -> UInt64 {
        (0..<8).reduce(UInt64(0)) { $0 | UInt64(s[i + $1]) << (8 * UInt64($1)) }
    }

    private static func fetch32(_ s: [UInt8], _ i: Int) -> UInt64 {
        (0..<4).reduce(UInt64(0)) { $0 | UInt64(s[i + $1]) << (8 * UInt64($1)) }
    }

    private static func rotate(_ v: UInt64, _ s: UInt64) -> UInt64 { s == 0 ? v : (v >> s) | (v << (64 - s)) }

    private static func shiftMix(_ v: UInt64) -> UInt64 { v ^ (v >> 47) }

    private static func hashLen16(_ u: UInt64, _ v: UInt64, _ mul: UInt64) -> UInt64 {
        var a = (u ^ v) &* mul
        a ^= a >> 47
        var b = (v ^ a) &* mul
        b ^= b >> 47
        return b &* mul
    }

    private static func hashLen0to16(_ s: [UInt8]) -> UInt64 {
        let n = UInt64(s.count)
        if s.count >= 8 {
            let mul = k2 &+ n &* 2
            let a = fetch64(s, 0) &+ k2
            let b = fetch64(s, s.count - 8)
            let c = rotate(b, 37) &* mul &+ a
            let d = (rotate(a, 25) &+ b) &* mul
            return hashLen16(c, d, mul)
        }
        if s.count >= 4 {
            let mul = k2 &+ n &* 2
            let a = fetch32(s, 0)
            return hashLen16(n &+ (a << 3), fetch32(s, s.count - 4), mul)
        }
        if s.count > 0 {
            let (a, b, c) = (UInt32(s[0]), UInt32(s[s.count >> 1]), UInt32(s[s.count - 1]))
            let y = a &+ (b << 8)
            let z = UInt32(n) &+ (c << 2)
            return shiftMix((UInt64(y) &* k2) ^ (UInt64(z) &* k0)) &* k2
        }
        return k2
    }

    private static func hashLen17to32(_ s: [UInt8]) -> UInt64 {
        let n = UInt64(s.count)
        let mul = k2 &+ n &* 2
        let a = fetch64(s, 0) &* k1
        let b = fetch64(s, 8)
        let c = fetch64(s, s.count - 8) &* mul
        let d = fetch64(s, s.count - 16) &* k2
        return hashLen16(rotate(a &+ b, 43) &+ rotate(c, 30) &+ d, a &+ rotate(b &+ k2, 18) &+ c, mul)
    }
}
