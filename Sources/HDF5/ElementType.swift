internal import CHDF5

/// The element type of a dataset or attribute, as stored in the file.
///
/// Numbers are reported by kind and width whatever their byte order. IEEE floats of other widths,
/// compounds, enums, arrays and similar are ``other(_:)``.
package enum ElementType: Sendable, Hashable, CustomStringConvertible {
    /// IEEE floats of 2, 4 and 8 bytes (any byte order).
    case float16, float32, float64
    /// Signed two's-complement integers of 1, 2, 4 and 8 bytes (any byte order).
    case int8, int16, int32, int64
    /// Unsigned integers of 1, 2, 4 and 8 bytes (any byte order).
    case uint8, uint16, uint32, uint64
    /// Raw bytes of a fixed size with an optional tag; Keras stores bfloat16 this way (size 2,
    /// empty tag, plus a `dtype="bfloat16"` attribute).
    case opaque(size: Int, tag: String)
    /// A string, fixed-length or variable-length.
    case string(StringType)
    /// Any other HDF5 type, described in words (such as `compound` or `float of 3 bytes`).
    case other(String)

    /// Whether the values are integers or floats, which the numeric read methods convert.
    package var isNumeric: Bool {
        switch self {
        case .float16, .float32, .float64, .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64: true
        case .opaque, .string, .other: false
        }
    }

    /// The size of one element in bytes, when the type has a fixed size.
    package var byteCount: Int? {
        switch self {
        case .int8, .uint8: 1
        case .float16, .int16, .uint16: 2
        case .float32, .int32, .uint32: 4
        case .float64, .int64, .uint64: 8
        case .opaque(let size, _): size
        case .string(let type):
            if case .fixed(let length) = type.length { length } else { nil }
        case .other: nil
        }
    }

    /// The type in words, such as `float32` or `string(variable-length, UTF-8, null-terminated)`.
    package var description: String {
        switch self {
        case .float16: "float16"
        case .float32: "float32"
        case .float64: "float64"
        case .int8: "int8"
        case .int16: "int16"
        case .int32: "int32"
        case .int64: "int64"
        case .uint8: "uint8"
        case .uint16: "uint16"
        case .uint32: "uint32"
        case .uint64: "uint64"
        case .opaque(let size, let tag): tag.isEmpty ? "opaque(\(size) bytes)" : "opaque(\(size) bytes, tag \"\(tag)\")"
        case .string(let type): "\(type)"
        case .other(let text): text
        }
    }
}

/// How a string type stores its characters.
package struct StringType: Sendable, Hashable, CustomStringConvertible {
    /// Variable-length (one heap string per element) or a fixed number of bytes per element.
    package enum Length: Sendable, Hashable {
        /// One heap-allocated string per element (`H5T_VARIABLE`).
        case variable
        /// This many bytes per element.
        case fixed(Int)
    }

    /// The character set libhdf5 records. ASCII strings are decoded as UTF-8 too (a superset).
    package enum Encoding: Sendable, Hashable {
        /// `H5T_CSET_ASCII` and `H5T_CSET_UTF8`.
        case ascii, utf8
    }

    /// How a fixed-length string fills unused bytes. Readers cut at the first NUL for `.nullTerminated`
    /// and `.nullPadded` (or take all bytes when there is none), and drop trailing spaces for
    /// `.spacePadded`.
    package enum Padding: Sendable, Hashable {
        /// `H5T_STR_NULLTERM`, `H5T_STR_NULLPAD` and `H5T_STR_SPACEPAD`.
        case nullTerminated, nullPadded, spacePadded
    }

    /// Variable or fixed length.
    package var length: Length
    /// The recorded character set.
    package var encoding: Encoding
    /// How fixed-length elements are padded (variable-length strings report `.nullTerminated`).
    package var padding: Padding

    /// Creates a string type description.
    package init(length: Length, encoding: Encoding, padding: Padding) {
        self.length = length
        self.encoding = encoding
        self.padding = padding
    }

    /// The type in words, such as `string(fixed-length 11, ASCII, null-padded)`.
    package var description: String {
        let size = switch length {
        case .variable: "variable-length"
        case .fixed(let count): "fixed-length \(count)"
        }
        let pad = switch padding {
        case .nullTerminated: "null-terminated"
        case .nullPadded: "null-padded"
        case .spacePadded: "space-padded"
        }
        return "string(\(size), \(encoding == .utf8 ? "UTF-8" : "ASCII"), \(pad))"
    }
}

// MARK: - Reading a type from libhdf5

/// The parts of a libhdf5 datatype that reads need: the Swift element type plus the storage class.
struct TypeInfo {
    var elementType: ElementType
    var typeClass: H5T_class_t
    /// The size of one element in the file, in bytes (the pointer size for variable-length strings).
    var size: Int

    var isNumeric: Bool { typeClass == H5T_INTEGER || typeClass == H5T_FLOAT }

    /// Describes the datatype `typeID`. Call with the library lock held.
    ///
    /// The corresponding C functions are `H5Tget_class`, `H5Tget_size`, `H5Tget_sign`,
    /// `H5Tget_fields`, `H5Tget_tag`, `H5Tis_variable_str`, `H5Tget_cset` and `H5Tget_strpad`.
    init(typeID: hid_t, _ context: ErrorContext) throws(HDF5Error) {
        let typeClass = H5Tget_class(typeID)
        if typeClass == H5T_NO_CLASS { throw libraryError(function: "H5Tget_class", context: context) }
        let size = H5Tget_size(typeID)
        if size == 0 { throw libraryError(function: "H5Tget_size", context: context) }
        self.typeClass = typeClass
        self.size = size
        switch typeClass {
        case H5T_INTEGER:
            let sign = H5Tget_sign(typeID)
            if sign == H5T_SGN_ERROR { throw libraryError(function: "H5Tget_sign", context: context) }
            let signed = sign == H5T_SGN_2
            elementType = switch (size, signed) {
            case (1, true): .int8
            case (2, true): .int16
            case (4, true): .int32
            case (8, true): .int64
            case (1, false): .uint8
            case (2, false): .uint16
            case (4, false): .uint32
            case (8, false): .uint64
            default: .other("\(signed ? "signed" : "unsigned") integer of \(size) bytes")
            }
        case H5T_FLOAT:
            var signPosition = 0, exponentPosition = 0, exponentSize = 0, mantissaPosition = 0, mantissaSize = 0
            try check(
                H5Tget_fields(typeID, &signPosition, &exponentPosition, &exponentSize, &mantissaPosition, &mantissaSize),
                "H5Tget_fields", context)
            elementType = switch (size, exponentSize, mantissaSize) {
            case (2, 5, 10): .float16
            case (4, 8, 23): .float32
            case (8, 11, 52): .float64
            default: .other("float of \(size) bytes (\(exponentSize)-bit exponent, \(mantissaSize)-bit mantissa)")
            }
        case H5T_OPAQUE:
            var tag = ""
            if let pointer = H5Tget_tag(typeID) {
                tag = String(cString: pointer)
                _ = H5free_memory(pointer)
            }
            elementType = .opaque(size: size, tag: tag)
        case H5T_STRING:
            let variable = try checkBool(H5Tis_variable_str(typeID), "H5Tis_variable_str", context)
            let cset = H5Tget_cset(typeID)
            if cset == H5T_CSET_ERROR { throw libraryError(function: "H5Tget_cset", context: context) }
            let pad = H5Tget_strpad(typeID)
            if pad == H5T_STR_ERROR { throw libraryError(function: "H5Tget_strpad", context: context) }
            elementType = .string(StringType(
                length: variable ? .variable : .fixed(size),
                encoding: cset == H5T_CSET_UTF8 ? .utf8 : .ascii,
                padding: pad == H5T_STR_SPACEPAD ? .spacePadded : pad == H5T_STR_NULLPAD ? .nullPadded : .nullTerminated))
        case H5T_COMPOUND: elementType = .other("compound")
        case H5T_ENUM: elementType = .other("enum")
        case H5T_ARRAY: elementType = .other("array")
        case H5T_VLEN: elementType = .other("variable-length sequence")
        case H5T_REFERENCE: elementType = .other("reference")
        case H5T_BITFIELD: elementType = .other("bitfield")
        case H5T_TIME: elementType = .other("time")
        default: elementType = .other("unknown type class")
        }
    }
}

// MARK: - Making types for writing

extension ElementType {
    /// A new file datatype for writing this element type, little-endian as h5py writes it, or
    /// nil for types this layer does not write numerically. The caller closes the identifier.
    /// Call with the library lock held.
    ///
    /// The corresponding C functions are `H5Tcopy`, `H5Tset_fields`, `H5Tset_size`,
    /// `H5Tset_ebias` and `H5Tset_precision`.
    func makeFileType(_ context: ErrorContext) throws(HDF5Error) -> hid_t? {
        let base: hid_t
        switch self {
        case .float16:
            // libhdf5 1.10 has no predefined half type: derive IEEE binary16 from F32LE exactly as
            // h5py does (sign bit 15, exponent bits 10-14, mantissa bits 0-9, bias 15).
            let type = try check(H5Tcopy(chdf5_ieee_f32le()), "H5Tcopy", context)
            do {
                try check(H5Tset_fields(type, 15, 10, 5, 0, 10), "H5Tset_fields", context)
                try check(H5Tset_size(type, 2), "H5Tset_size", context)
                try check(H5Tset_ebias(type, 15), "H5Tset_ebias", context)
                return type
            } catch {
                _ = H5Tclose(type)
                throw error
            }
        case .float32: base = chdf5_ieee_f32le()
        case .float64: base = chdf5_ieee_f64le()
        case .int8: base = chdf5_std_i8le()
        case .int16: base = chdf5_std_i16le()
        case .int32: base = chdf5_std_i32le()
        case .int64: base = chdf5_std_i64le()
        case .uint8: base = chdf5_std_u8le()
        case .uint16: base = chdf5_std_u16le()
        case .uint32: base = chdf5_std_u32le()
        case .uint64: base = chdf5_std_u64le()
        case .opaque, .string, .other: return nil
        }
        return try check(H5Tcopy(base), "H5Tcopy", context)
    }
}
