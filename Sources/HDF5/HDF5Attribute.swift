internal import CHDF5

/// Attributes larger than this are refused before allocating (libhdf5 attributes normally fit in a
/// 64 KB object header; dense attribute storage allows more).
let maximumAttributeBytes = 1 << 31

/// One open attribute: a small named array (or scalar) attached to a group or dataset.
///
/// Not `Sendable`; see ``HDF5Library`` for the threading rules.
package struct HDF5Attribute {
    let handle: ObjectHandle
    /// The attribute's name.
    package let name: String
    /// The absolute path of the group or dataset that carries it.
    package let objectPath: String
    /// The path (or in-memory name) of the file, for messages.
    package let filePath: String
    /// The dimensions: `[]` for a scalar, `[0]` for a null dataspace.
    package let shape: [Int]
    /// The element type as stored.
    package let elementType: ElementType
    /// The number of elements (0 for an empty list, 1 for a scalar).
    package let elementCount: Int

    let space: Dataspace
    let type: TypeInfo

    /// Reads the metadata of the open attribute. Call with the library lock held.
    init(handle: ObjectHandle, name: String, objectPath: String, filePath: String, _ context: ErrorContext) throws(HDF5Error) {
        let id = try handle.id(context)
        let space = try withTemporary(H5Aget_space(id), kind: .dataspace, "H5Aget_space", context) {
            (spaceID) throws(HDF5Error) -> Dataspace in
            try Dataspace(spaceID: spaceID, context)
        }
        let type = try withTemporary(H5Aget_type(id), kind: .datatype, "H5Aget_type", context) {
            (typeID) throws(HDF5Error) -> TypeInfo in
            try TypeInfo(typeID: typeID, context)
        }
        self.handle = handle
        self.name = name
        self.objectPath = objectPath
        self.filePath = filePath
        self.space = space
        self.type = type
        self.shape = space.shape
        self.elementType = type.elementType
        self.elementCount = space.elementCount
    }

    /// Whether the attribute has a scalar dataspace.
    package var isScalar: Bool { space.kind == .scalar }

    /// Reads all elements as `Double`, converting from any float or integer type. An attribute
    /// with no elements reads as `[]` whatever its type.
    ///
    /// - Throws: `HDF5Error` with code `typeMismatch` for non-numeric elements.
    ///
    /// The corresponding C function is `H5Aread`.
    package func readDoubles() throws(HDF5Error) -> [Double] {
        try readNumbers(as: Double.self, memoryType: chdf5_native_double, action: "read")
    }

    /// Reads all elements as `Float`, converting from any float or integer type.
    ///
    /// The corresponding C function is `H5Aread`.
    package func readFloats() throws(HDF5Error) -> [Float] {
        try readNumbers(as: Float.self, memoryType: chdf5_native_float, action: "read")
    }

    /// Reads all elements of an integer attribute as `Int64` (floats are refused, not truncated).
    ///
    /// The corresponding C function is `H5Aread`.
    package func readInt64s() throws(HDF5Error) -> [Int64] {
        if elementCount == 0 { return [] }
        guard type.typeClass == H5T_INTEGER else {
            throw context("read").error(.typeMismatch, "the attribute holds \(elementType), not integers")
        }
        return try readNumbers(as: Int64.self, memoryType: chdf5_native_int64, action: "read")
    }

    /// Reads the single value of a one-element numeric attribute as `Double`.
    ///
    /// The corresponding C function is `H5Aread`.
    package func readDouble() throws(HDF5Error) -> Double {
        try single(readDoubles(), "read")
    }

    /// Reads the single value of a one-element integer attribute as `Int64`.
    ///
    /// The corresponding C function is `H5Aread`.
    package func readInt64() throws(HDF5Error) -> Int64 {
        try single(readInt64s(), "read")
    }

    /// Whether ``close()`` has not been called on this attribute (or a copy of it).
    package var isOpen: Bool { handle.isOpen }

    /// Closes the attribute now instead of when the last copy is released.
    ///
    /// The corresponding C function is `H5Aclose`.
    package func close() throws(HDF5Error) {
        try handle.close(context("close"))
    }

    // MARK: - Helpers

    func context(_ action: String) -> ErrorContext {
        ErrorContext(action: action, file: filePath, object: objectPath, attribute: name)
    }

    private func single<T>(_ values: [T], _ action: String) throws(HDF5Error) -> T {
        guard values.count == 1, let value = values.first else {
            throw context(action).error(.invalidShape, "the attribute has shape \(shape), expected a single value")
        }
        return value
    }

    private func readNumbers<T: Numeric>(as: T.Type, memoryType: () -> hid_t, action: String) throws(HDF5Error) -> [T] {
        let context = context(action)
        if elementCount == 0 { return [] }
        guard type.isNumeric else {
            throw context.error(.typeMismatch, "the attribute holds \(elementType), not numbers")
        }
        let bytes = try byteCount(elements: elementCount, size: max(MemoryLayout<T>.stride, type.size), context)
        guard bytes <= maximumAttributeBytes else {
            throw context.error(.tooLarge, "the attribute needs \(bytes) bytes, above the limit of \(maximumAttributeBytes)")
        }
        return try HDF5Library.withLock { () throws(HDF5Error) -> [T] in
            let id = try handle.id(context)
            var status: herr_t = 0
            let count = elementCount
            let values = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
                status = H5Aread(id, memoryType(), buffer.baseAddress)
                initialized = status >= 0 ? count : 0
            }
            try check(status, "H5Aread", context)
            return values
        }
    }
}
