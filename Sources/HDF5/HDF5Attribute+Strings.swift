internal import CHDF5

extension HDF5Attribute {
    /// Reads a string attribute, scalar or array, in every form HDF5 writers use:
    /// variable-length ASCII or UTF-8, and fixed-length null-terminated, null-padded or
    /// space-padded. Fixed-length elements are cut at their first NUL (or taken whole when every
    /// byte is used); space-padded ones also lose trailing spaces. An attribute with no elements
    /// (such as an empty list stored as a float64 array of shape `(0,)`) reads as `[]` whatever
    /// its type. Bytes that are not valid UTF-8 are replaced with U+FFFD.
    ///
    /// - Throws: `HDF5Error` with code `typeMismatch` when the elements are not strings.
    ///
    /// The corresponding C functions are `H5Aread` and `H5Dvlen_reclaim` (`H5Treclaim` from 1.12).
    package func readStrings() throws(HDF5Error) -> [String] {
        let context = context("read")
        if elementCount == 0 { return [] }
        guard case .string(let stringType) = elementType else {
            throw context.error(.typeMismatch, "the attribute holds \(elementType), not strings")
        }
        return try HDF5Library.withLock { () throws(HDF5Error) -> [String] in
            let id = try handle.id(context)
            switch stringType.length {
            case .variable:
                return try readVariableLengthStrings(id, stringType, context)
            case .fixed(let length):
                return try readFixedLengthStrings(id, stringType, length: length, context)
            }
        }
    }

    /// Reads the single string of a one-element string attribute (scalar or shape `[1]`), in any
    /// of the forms ``readStrings()`` accepts.
    ///
    /// The corresponding C function is `H5Aread`.
    package func readString() throws(HDF5Error) -> String {
        let strings = try readStrings()
        guard strings.count == 1, let value = strings.first else {
            throw context("read").error(.invalidShape, "the attribute has shape \(shape), expected a single string")
        }
        return value
    }

    // MARK: - Helpers

    /// Reads variable-length strings as `char*` pointers, copies them, then lets libhdf5 free them.
    /// Call with the lock held.
    private func readVariableLengthStrings(_ id: hid_t, _ stringType: StringType, _ context: ErrorContext) throws(HDF5Error) -> [String] {
        let count = elementCount
        let pointerBytes = try byteCount(elements: count, size: MemoryLayout<UnsafeMutablePointer<CChar>?>.stride, context)
        guard pointerBytes <= maximumAttributeBytes else {
            throw context.error(.tooLarge, "the attribute holds \(count) strings, above the limit")
        }
        // libhdf5 trusts the global heap behind variable-length strings and the heap IDs pointing into it: refuse an
        // attribute whose heap IDs do not match it, or that points into a malformed collection.
        try GlobalHeapCheck.checkStrings(attribute: id, count: count, context)
        return try withStringMemoryType(size: chdf5_variable_size(), stringType, context) { (memoryType) throws(HDF5Error) -> [String] in
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            try check(H5Aread(id, memoryType, &pointers), "H5Aread", context)
            let strings = pointers.map { pointer in pointer.map { String(cString: $0) } ?? "" }
            // Free the strings libhdf5 allocated (H5Treclaim in libhdf5 1.12 and later).
            _ = try withTemporary(H5Aget_space(id), kind: .dataspace, "H5Aget_space", context) { (space) throws(HDF5Error) in
                try check(chdf5_reclaim(memoryType, space, &pointers), "H5Treclaim", context)
            }
            return strings
        }
    }

    /// Reads fixed-length strings into one buffer and splits it. Call with the lock held.
    private func readFixedLengthStrings(
        _ id: hid_t, _ stringType: StringType, length: Int, _ context: ErrorContext
    ) throws(HDF5Error) -> [String] {
        let total = try byteCount(elements: elementCount, size: length, context)
        guard total <= maximumAttributeBytes else {
            throw context.error(.tooLarge, "the attribute needs \(total) bytes, above the limit of \(maximumAttributeBytes)")
        }
        return try withStringMemoryType(size: length, stringType, context) { (memoryType) throws(HDF5Error) -> [String] in
            var bytes = [UInt8](repeating: 0, count: total)
            try check(H5Aread(id, memoryType, &bytes), "H5Aread", context)
            return (0..<elementCount).map { index in
                decodeFixedLength(bytes[(index * length)..<((index + 1) * length)], padding: stringType.padding)
            }
        }
    }
}

/// Decodes one fixed-length string element: cut at the first NUL (all bytes when there is none),
/// and for space padding also drop trailing spaces.
func decodeFixedLength(_ bytes: ArraySlice<UInt8>, padding: StringType.Padding) -> String {
    var content = bytes.prefix { $0 != 0 }
    if padding == .spacePadded {
        while content.last == 0x20 { content = content.dropLast() }
    }
    return String(decoding: content, as: UTF8.self)
}

/// Runs `body` with a C-string memory type of `size` bytes (or `H5T_VARIABLE`) whose character
/// set and padding match `stringType`, so libhdf5 copies the strings without conversion.
/// Call with the lock held.
///
/// The corresponding C functions are `H5Tcopy`, `H5Tset_size`, `H5Tset_cset` and `H5Tset_strpad`.
func withStringMemoryType<T>(
    size: Int, _ stringType: StringType, _ context: ErrorContext, _ body: (hid_t) throws(HDF5Error) -> T
) throws(HDF5Error) -> T {
    try withTemporary(H5Tcopy(chdf5_c_s1()), kind: .datatype, "H5Tcopy", context) { (type) throws(HDF5Error) -> T in
        try check(H5Tset_size(type, size), "H5Tset_size", context)
        try check(H5Tset_cset(type, stringType.encoding == .utf8 ? H5T_CSET_UTF8 : H5T_CSET_ASCII), "H5Tset_cset", context)
        let pad = switch stringType.padding {
        case .nullTerminated: H5T_STR_NULLTERM
        case .nullPadded: H5T_STR_NULLPAD
        case .spacePadded: H5T_STR_SPACEPAD
        }
        try check(H5Tset_strpad(type, pad), "H5Tset_strpad", context)
        return try body(type)
    }
}
