internal import CHDF5

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// How string attributes are written.
package enum StringStorage: Sendable, Hashable {
    /// Variable-length strings (what h5py writes for Python `str`, as `.utf8`, and `bytes`, as
    /// `.ascii`).
    case variableLength(StringType.Encoding)
    /// Fixed-length, null-padded ASCII strings as long as the longest string (at least 1 byte):
    /// numpy `'S'` arrays, which h5py 2.x wrote for string lists.
    case fixedLength
}

extension HDF5Attributes {
    /// Writes a scalar string attribute, replacing any attribute of that name.
    ///
    /// - Parameters:
    ///   - string: The value; it must not contain NUL characters.
    ///   - name: The attribute name.
    ///   - storage: Variable-length UTF-8 (the default, like h5py for `str`), variable-length
    ///     ASCII, or fixed-length.
    ///
    /// The corresponding C functions are `H5Acreate2` and `H5Awrite`.
    package func write(string: String, named name: String, as storage: StringStorage = .variableLength(.utf8)) throws(HDF5Error) {
        try writeStrings([string], dims: [], named: name, as: storage)
    }

    /// Writes a one-dimensional string-array attribute, replacing any attribute of that name.
    /// An empty array is written with shape `(0,)` in the chosen string type; to write an empty
    /// list the way Keras does, use ``writeEmptyList(named:)``.
    ///
    /// The corresponding C functions are `H5Acreate2` and `H5Awrite`.
    package func write(strings: [String], named name: String, as storage: StringStorage = .variableLength(.utf8)) throws(HDF5Error) {
        try writeStrings(strings, dims: [hsize_t(strings.count)], named: name, as: storage)
    }

    /// Writes an empty list the way h5py stores `[]`: a float64 array of shape `(0,)`.
    ///
    /// The corresponding C function is `H5Acreate2`.
    package func writeEmptyList(named name: String) throws(HDF5Error) {
        try write(doubles: [], named: name)
    }

    /// Writes a float64 attribute: shape `[values.count]` by default, `[]` for a scalar.
    ///
    /// The corresponding C functions are `H5Acreate2` and `H5Awrite`.
    package func write(doubles values: [Double], named name: String, shape: [Int]? = nil) throws(HDF5Error) {
        let context = context("write", name)
        let dims = try Dataspace.dimensions(forWriting: shape ?? [values.count], valueCount: values.count, context)
        try withBytes(of: values) { (buffer) throws(HDF5Error) in
            try writeAttribute(
                named: name, dims: dims, valueCount: values.count, bytes: buffer,
                makeType: { (context) throws(HDF5Error) in try check(H5Tcopy(chdf5_ieee_f64le()), "H5Tcopy", context) },
                memoryType: { chdf5_native_double() }, context)
        }
    }

    /// Writes a float32 attribute: shape `[values.count]` by default, `[]` for a scalar.
    ///
    /// The corresponding C functions are `H5Acreate2` and `H5Awrite`.
    package func write(floats values: [Float], named name: String, shape: [Int]? = nil) throws(HDF5Error) {
        let context = context("write", name)
        let dims = try Dataspace.dimensions(forWriting: shape ?? [values.count], valueCount: values.count, context)
        try withBytes(of: values) { (buffer) throws(HDF5Error) in
            try writeAttribute(
                named: name, dims: dims, valueCount: values.count, bytes: buffer,
                makeType: { (context) throws(HDF5Error) in try check(H5Tcopy(chdf5_ieee_f32le()), "H5Tcopy", context) },
                memoryType: { chdf5_native_float() }, context)
        }
    }

    /// Writes an int64 attribute: shape `[values.count]` by default, `[]` for a scalar.
    ///
    /// The corresponding C functions are `H5Acreate2` and `H5Awrite`.
    package func write(int64s values: [Int64], named name: String, shape: [Int]? = nil) throws(HDF5Error) {
        let context = context("write", name)
        let dims = try Dataspace.dimensions(forWriting: shape ?? [values.count], valueCount: values.count, context)
        try withBytes(of: values) { (buffer) throws(HDF5Error) in
            try writeAttribute(
                named: name, dims: dims, valueCount: values.count, bytes: buffer,
                makeType: { (context) throws(HDF5Error) in try check(H5Tcopy(chdf5_std_i64le()), "H5Tcopy", context) },
                memoryType: { chdf5_native_int64() }, context)
        }
    }

    /// Writes a scalar float64 attribute.
    ///
    /// The corresponding C functions are `H5Acreate2` and `H5Awrite`.
    package func write(double value: Double, named name: String) throws(HDF5Error) {
        try write(doubles: [value], named: name, shape: [])
    }

    /// Writes a scalar int64 attribute.
    ///
    /// The corresponding C functions are `H5Acreate2` and `H5Awrite`.
    package func write(int64 value: Int64, named name: String) throws(HDF5Error) {
        try write(int64s: [value], named: name, shape: [])
    }

    // MARK: - Helpers

    private func writeStrings(_ strings: [String], dims: [hsize_t], named name: String, as storage: StringStorage) throws(HDF5Error) {
        let context = context("write", name)
        if let bad = strings.firstIndex(where: { $0.utf8.contains(0) }) {
            throw context.error(.invalidArgument, "string \(bad) contains a NUL character")
        }
        switch storage {
        case .variableLength(let encoding):
            let type = StringType(length: .variable, encoding: encoding, padding: .nullTerminated)
            // libhdf5 reads one `char*` per element; keep C copies alive for the call.
            let pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
            defer { pointers.forEach { free($0) } }
            if pointers.contains(where: { $0 == nil }) {
                throw context.error(.tooLarge, "out of memory copying the strings")
            }
            try withBytes(of: pointers) { (buffer) throws(HDF5Error) in
                try writeAttribute(
                    named: name, dims: dims, valueCount: strings.count, bytes: buffer,
                    makeType: { (context) throws(HDF5Error) in try Self.makeStringType(size: chdf5_variable_size(), type, context) },
                    memoryType: nil, context)
            }
        case .fixedLength:
            let length = max(1, strings.map(\.utf8.count).max() ?? 1)
            let total = try byteCount(elements: strings.count, size: length, context)
            var bytes = [UInt8](repeating: 0, count: total)
            for (index, string) in strings.enumerated() {
                bytes.replaceSubrange((index * length)..<(index * length + string.utf8.count), with: string.utf8)
            }
            let type = StringType(length: .fixed(length), encoding: .ascii, padding: .nullPadded)
            try withBytes(of: bytes) { (buffer) throws(HDF5Error) in
                try writeAttribute(
                    named: name, dims: dims, valueCount: strings.count, bytes: buffer,
                    makeType: { (context) throws(HDF5Error) in try Self.makeStringType(size: length, type, context) },
                    memoryType: nil, context)
            }
        }
    }

    /// A new string datatype (the caller closes it). Call with the lock held.
    ///
    /// The corresponding C functions are `H5Tcopy`, `H5Tset_size`, `H5Tset_cset` and `H5Tset_strpad`.
    private static func makeStringType(size: Int, _ stringType: StringType, _ context: ErrorContext) throws(HDF5Error) -> hid_t {
        let type = try check(H5Tcopy(chdf5_c_s1()), "H5Tcopy", context)
        let pad = switch stringType.padding {
        case .nullTerminated: H5T_STR_NULLTERM
        case .nullPadded: H5T_STR_NULLPAD
        case .spacePadded: H5T_STR_SPACEPAD
        }
        let cset = stringType.encoding == .utf8 ? H5T_CSET_UTF8 : H5T_CSET_ASCII
        if H5Tset_size(type, size) < 0 || H5Tset_cset(type, cset) < 0 || H5Tset_strpad(type, pad) < 0 {
            let error = libraryError(function: "H5Tset_size/H5Tset_cset/H5Tset_strpad", context: context)
            _ = H5Tclose(type)
            throw error
        }
        return type
    }

    /// Replaces the attribute `name` with a new one of the given type and shape, and writes the
    /// buffer (skipped for zero elements). `memoryType` nil means "same as the file type".
    ///
    /// The corresponding C functions are `H5Aexists`, `H5Adelete`, `H5Acreate2` and `H5Awrite`.
    private func writeAttribute(
        named name: String, dims: [hsize_t], valueCount: Int, bytes: UnsafeRawBufferPointer,
        makeType: (ErrorContext) throws(HDF5Error) -> hid_t, memoryType: (() -> hid_t)?, _ context: ErrorContext
    ) throws(HDF5Error) {
        try validate(name, context)
        try HDF5Library.withLock { () throws(HDF5Error) in
            let id = try owner.id(context)
            try withTemporary(try makeType(context), kind: .datatype, "H5Tcopy", context) { (fileType) throws(HDF5Error) in
                try withTemporary(Dataspace.create(dims, context), kind: .dataspace, "H5Screate", context) { (space) throws(HDF5Error) in
                    if try checkBool(H5Aexists(id, name), "H5Aexists", context) {
                        try check(H5Adelete(id, name), "H5Adelete", context)
                    }
                    let attribute = try ObjectHandle(
                        H5Acreate2(id, name, fileType, space, chdf5_p_default(), chdf5_p_default()),
                        kind: .attribute, "H5Acreate2", context)
                    if valueCount > 0,
                       H5Awrite(try attribute.id(context), memoryType?() ?? fileType, bytes.baseAddress) < 0 {
                        let error = libraryError(function: "H5Awrite", context: context)
                        try? attribute.close(context)
                        _ = H5Adelete(id, name)  // do not leave a half-written attribute
                        throw error
                    }
                    try attribute.close(context)
                }
            }
        }
    }
}
