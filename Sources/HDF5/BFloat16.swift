internal import CHDF5

/// Conversions for bfloat16, the upper 16 bits of an IEEE float32, which Keras stores as 2-byte
/// opaque HDF5 elements (little-endian, as numpy lays them out in memory).
package enum BFloat16 {
    /// Widens one bfloat16 bit pattern to `Float`; exact.
    package static func float(fromBits bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }

    /// Widens little-endian bfloat16 bytes (2 per value) to `Float`; exact. A trailing odd byte is
    /// ignored.
    package static func floats(fromLittleEndianBytes bytes: [UInt8]) -> [Float] {
        let count = bytes.count / 2
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            bytes.withUnsafeBufferPointer { source in
                for index in 0..<count {
                    let bits = UInt16(source[2 * index]) | UInt16(source[2 * index + 1]) << 8
                    buffer[index] = Float(bitPattern: UInt32(bits) << 16)
                }
            }
            initialized = count
        }
    }

    /// Narrows a `Float` to bfloat16 bits, rounding to nearest with ties to even (as ml_dtypes and
    /// TensorFlow do). NaNs stay NaN (quiet), infinities stay infinite.
    package static func bits(from value: Float) -> UInt16 {
        let bits = value.bitPattern
        if value.isNaN { return UInt16(truncatingIfNeeded: bits >> 16) | 0x0040 }
        let roundingBias = 0x7FFF + ((bits >> 16) & 1)
        return UInt16(truncatingIfNeeded: (bits &+ roundingBias) >> 16)
    }

    /// Narrows `Float`s to little-endian bfloat16 bytes (2 per value), rounding to nearest even.
    package static func littleEndianBytes(from values: [Float]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count * 2)
        for value in values {
            let narrowed = bits(from: value)
            bytes.append(UInt8(truncatingIfNeeded: narrowed))
            bytes.append(UInt8(truncatingIfNeeded: narrowed >> 8))
        }
        return bytes
    }
}
