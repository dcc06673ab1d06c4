internal import CHDF5

/// An open HDF5 dataset: an n-dimensional array of elements plus attributes.
///
/// Opening a dataset reads only its metadata (``shape``, ``elementType``); the data is read by the
/// `read…` methods. The dataset stays open while any copy of the value is alive, or until
/// ``close()``.
///
/// Not `Sendable`; see ``HDF5Library`` for the threading rules.
package struct HDF5Dataset {
    let handle: ObjectHandle
    /// The absolute path of the dataset inside its file, such as `/model_weights/d1/d1/kernel:0`.
    package let path: String
    /// The path (or in-memory name) of the file, for messages.
    package let filePath: String
    /// The dimensions: `[]` for a scalar dataset, `[0]` for a dataset with a null dataspace.
    package let shape: [Int]
    /// The element type as stored in the file.
    package let elementType: ElementType
    /// The number of elements (the product of ``shape``; 1 for a scalar).
    package let elementCount: Int

    let space: Dataspace
    let type: TypeInfo
    /// The storage layout when the opener read it already (from the creation property list), else nil.
    let knownLayout: H5D_layout_t?

    /// Reads the metadata of the open dataset. Call with the library lock held.
    init(handle: ObjectHandle, path: String, filePath: String, _ context: ErrorContext,
         layout: H5D_layout_t? = nil) throws(HDF5Error) {
        let id = try handle.id(context)
        let space = try withTemporary(H5Dget_space(id), kind: .dataspace, "H5Dget_space", context) {
            (spaceID) throws(HDF5Error) -> Dataspace in
            try Dataspace(spaceID: spaceID, context)
        }
        let type = try withTemporary(H5Dget_type(id), kind: .datatype, "H5Dget_type", context) {
            (typeID) throws(HDF5Error) -> TypeInfo in
            try TypeInfo(typeID: typeID, context)
        }
        self.handle = handle
        self.knownLayout = layout
        self.path = path
        self.filePath = filePath
        self.space = space
        self.type = type
        self.shape = space.shape
        self.elementType = type.elementType
        self.elementCount = space.elementCount
    }

    /// The last component of ``path``.
    package var name: String { ObjectPath.lastComponent(path) }

    /// Whether the dataset has a scalar dataspace (shape `[]`, one element).
    package var isScalar: Bool { space.kind == .scalar }

    /// The attributes attached to this dataset.
    package var attributes: HDF5Attributes {
        HDF5Attributes(owner: handle, objectPath: path, filePath: filePath)
    }

    /// How the dataset's data is laid out in the file.
    package enum Layout: Sendable, Hashable {
        /// Stored inside the object header.
        case compact
        /// One contiguous block (what Keras writes).
        case contiguous
        /// Split into chunks of `chunkShape`, possibly compressed (`isCompressed`).
        case chunked(chunkShape: [Int], isCompressed: Bool)
        /// A virtual dataset or another layout.
        case other
    }

    /// The storage layout, read from the dataset's creation property list.
    ///
    /// The corresponding C functions are `H5Dget_create_plist`, `H5Pget_layout`, `H5Pget_chunk` and
    /// `H5Pget_nfilters`.
    package func layout() throws(HDF5Error) -> Layout {
        let context = ErrorContext(action: "inspect dataset", file: filePath, object: path)
        return try HDF5Library.withLock { () throws(HDF5Error) -> Layout in
            try withTemporary(H5Dget_create_plist(try handle.id(context)), kind: .propertyList, "H5Dget_create_plist", context) {
                (dcpl) throws(HDF5Error) -> Layout in
                let layout = H5Pget_layout(dcpl)
                switch layout {
                case H5D_COMPACT: return .compact
                case H5D_CONTIGUOUS: return .contiguous
                case H5D_CHUNKED:
                    var dims = [hsize_t](repeating: 0, count: Int(chdf5_max_rank()))
                    let rank = try check(H5Pget_chunk(dcpl, chdf5_max_rank(), &dims), "H5Pget_chunk", context)
                    let filters = try check(H5Pget_nfilters(dcpl), "H5Pget_nfilters", context)
                    return .chunked(chunkShape: dims.prefix(Int(rank)).map { Int(clamping: $0) }, isCompressed: filters > 0)
                case H5D_LAYOUT_ERROR: throw libraryError(function: "H5Pget_layout", context: context)
                default: return .other
                }
            }
        }
    }

    /// The number of bytes the data occupies in the file (0 when it was never written).
    ///
    /// The corresponding C function is `H5Dget_storage_size`.
    package func storageSize() throws(HDF5Error) -> Int {
        let context = ErrorContext(action: "inspect dataset", file: filePath, object: path)
        return try HDF5Library.withLock { () throws(HDF5Error) -> Int in
            Int(clamping: H5Dget_storage_size(try handle.id(context)))
        }
    }

    /// Whether ``close()`` has not been called on this dataset (or a copy of it).
    package var isOpen: Bool { handle.isOpen }

    /// Closes the dataset now instead of when the last copy is released. Later uses throw `closed`.
    ///
    /// The corresponding C function is `H5Dclose`.
    package func close() throws(HDF5Error) {
        try handle.close(ErrorContext(action: "close dataset", file: filePath, object: path))
    }
}
