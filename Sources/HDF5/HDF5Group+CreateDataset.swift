internal import CHDF5

/// How a new dataset's data is stored.
package enum DatasetStorage: Sendable, Hashable {
    /// One contiguous, uncompressed block (what Keras writes and expects).
    case contiguous
    /// Chunks of `chunkShape` (same rank as the dataset, each dimension between 1 and the dataset's),
    /// optionally compressed with gzip at `gzipLevel` 0…9.
    case chunked(chunkShape: [Int], gzipLevel: Int? = nil)
}

extension HDF5Group {
    /// Creates a dataset at `path` (creating missing parent groups) and writes `values` into it.
    ///
    /// - Parameters:
    ///   - path: The new dataset's path.
    ///   - shape: The dimensions; `[]` makes a scalar dataset holding one value.
    ///   - values: The elements in row-major (C) order; their count must match `shape`.
    ///   - storedAs: The file element type: `.float32` (default), `.float16` or `.float64`;
    ///     libhdf5 converts (to float16 with round-to-nearest).
    ///   - storage: Contiguous (default) or chunked, optionally gzip-compressed.
    /// - Throws: `HDF5Error` with code `invalidArgument` for a bad shape, type or chunk shape,
    ///   `alreadyExists` when something is already at `path`.
    ///
    /// The corresponding C functions are `H5Dcreate2` and `H5Dwrite`.
    @discardableResult
    package func createDataset(
        at path: String, shape: [Int], values: [Float], storedAs: ElementType = .float32,
        storage: DatasetStorage = .contiguous
    ) throws(HDF5Error) -> HDF5Dataset {
        let context = ErrorContext(action: "create dataset", file: filePath, object: ObjectPath.join(self.path, path))
        guard [.float16, .float32, .float64].contains(storedAs) else {
            throw context.error(.invalidArgument, "Float values can be stored as float16, float32 or float64, not \(storedAs)")
        }
        return try withBytes(of: values) { (buffer) throws(HDF5Error) -> HDF5Dataset in
            try createDataset(
                at: path, shape: shape, valueCount: values.count, bytes: buffer, memoryType: { chdf5_native_float() },
                fileType: { (context) throws(HDF5Error) in try storedAs.makeFileType(context) }, storage: storage, context)
        }
    }

    /// Creates a dataset at `path` and writes `values` into it, stored as float64 (default),
    /// float32 or float16, like the `[Float]` variant.
    ///
    /// The corresponding C functions are `H5Dcreate2` and `H5Dwrite`.
    @discardableResult
    package func createDataset(
        at path: String, shape: [Int], values: [Double], storedAs: ElementType = .float64,
        storage: DatasetStorage = .contiguous
    ) throws(HDF5Error) -> HDF5Dataset {
        let context = ErrorContext(action: "create dataset", file: filePath, object: ObjectPath.join(self.path, path))
        guard [.float16, .float32, .float64].contains(storedAs) else {
            throw context.error(.invalidArgument, "Double values can be stored as float16, float32 or float64, not \(storedAs)")
        }
        return try withBytes(of: values) { (buffer) throws(HDF5Error) -> HDF5Dataset in
            try createDataset(
                at: path, shape: shape, valueCount: values.count, bytes: buffer, memoryType: { chdf5_native_double() },
                fileType: { (context) throws(HDF5Error) in try storedAs.makeFileType(context) }, storage: storage, context)
        }
    }

    /// Creates a dataset at `path` and writes integer `values` into it, stored as int64 (default)
    /// or another integer type (libhdf5 converts; out-of-range values are clipped).
    ///
    /// The corresponding C functions are `H5Dcreate2` and `H5Dwrite`.
    @discardableResult
    package func createDataset(
        at path: String, shape: [Int], values: [Int64], storedAs: ElementType = .int64,
        storage: DatasetStorage = .contiguous
    ) throws(HDF5Error) -> HDF5Dataset {
        let context = ErrorContext(action: "create dataset", file: filePath, object: ObjectPath.join(self.path, path))
        let integers: [ElementType] = [.int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64]
        guard integers.contains(storedAs) else {
            throw context.error(.invalidArgument, "Int64 values can be stored as integer types, not \(storedAs)")
        }
        return try withBytes(of: values) { (buffer) throws(HDF5Error) -> HDF5Dataset in
            try createDataset(
                at: path, shape: shape, valueCount: values.count, bytes: buffer, memoryType: { chdf5_native_int64() },
                fileType: { (context) throws(HDF5Error) in try storedAs.makeFileType(context) }, storage: storage, context)
        }
    }

    /// Creates a scalar int64 dataset (such as an optimizer's `iteration`), stored as
    /// little-endian int64 like Keras writes it.
    ///
    /// The corresponding C functions are `H5Dcreate2` and `H5Dwrite`.
    @discardableResult
    package func createScalarDataset(at path: String, value: Int64) throws(HDF5Error) -> HDF5Dataset {
        try createDataset(at: path, shape: [], values: [value])
    }

    /// Creates a dataset of opaque elements of `elementSize` bytes (for example bfloat16: size 2,
    /// empty tag, bytes from ``BFloat16/littleEndianBytes(from:)``) and writes `bytes` into it.
    ///
    /// - Parameters:
    ///   - bytes: `elementSize` bytes per element, `shape` elements in row-major order.
    ///   - tag: The opaque type's tag (Keras uses none).
    ///
    /// The corresponding C functions are `H5Tcreate`, `H5Tset_tag`, `H5Dcreate2` and `H5Dwrite`.
    @discardableResult
    package func createOpaqueDataset(
        at path: String, shape: [Int], elementSize: Int, tag: String = "", bytes: [UInt8],
        storage: DatasetStorage = .contiguous
    ) throws(HDF5Error) -> HDF5Dataset {
        let context = ErrorContext(action: "create dataset", file: filePath, object: ObjectPath.join(self.path, path))
        guard elementSize > 0 else { throw context.error(.invalidArgument, "the element size must be positive") }
        guard bytes.count % elementSize == 0 else {
            throw context.error(.invalidArgument, "\(bytes.count) bytes are not a whole number of \(elementSize)-byte elements")
        }
        guard !tag.utf8.contains(0) else { throw context.error(.invalidArgument, "the tag contains a NUL character") }
        let makeType = { (context: ErrorContext) throws(HDF5Error) -> hid_t? in
            let type = try check(H5Tcreate(H5T_OPAQUE, elementSize), "H5Tcreate", context)
            if !tag.isEmpty {
                let status = H5Tset_tag(type, tag)
                if status < 0 {
                    let error = libraryError(function: "H5Tset_tag", context: context)
                    _ = H5Tclose(type)
                    throw error
                }
            }
            return type
        }
        return try withBytes(of: bytes) { (buffer) throws(HDF5Error) -> HDF5Dataset in
            // The memory type is the file type itself: the bytes are copied unconverted.
            try createDataset(
                at: path, shape: shape, valueCount: bytes.count / elementSize, bytes: buffer, memoryType: nil,
                fileType: makeType, storage: storage, context)
        }
    }

    // MARK: - Helpers

    /// Creates the dataset and writes the buffer. `memoryType` nil means "same as the file type".
    private func createDataset(
        at path: String, shape: [Int], valueCount: Int, bytes: UnsafeRawBufferPointer, memoryType: (() -> hid_t)?,
        fileType makeFileType: (ErrorContext) throws(HDF5Error) -> hid_t?, storage: DatasetStorage,
        _ context: ErrorContext
    ) throws(HDF5Error) -> HDF5Dataset {
        try ObjectPath.validate(path, context)
        let dims = try Dataspace.dimensions(forWriting: shape, valueCount: valueCount, context)
        return try HDF5Library.withLock { () throws(HDF5Error) -> HDF5Dataset in
            let id = try handle.id(context)
            if try objectKind(at: path) != nil {
                throw context.error(.alreadyExists, "an object with that name already exists")
            }
            guard let fileTypeID = try makeFileType(context) else {
                throw context.error(.invalidArgument, "the element type cannot be written")
            }
            return try withTemporary(fileTypeID, kind: .datatype, "H5Tcopy", context) { (fileType) throws(HDF5Error) -> HDF5Dataset in
                try withTemporary(Dataspace.create(dims, context), kind: .dataspace, "H5Screate", context) {
                    (space) throws(HDF5Error) -> HDF5Dataset in
                    try withDatasetCreationList(storage, shape: shape, context) { (dcpl) throws(HDF5Error) -> HDF5Dataset in
                        try withLinkCreationList(context) { (lcpl) throws(HDF5Error) -> HDF5Dataset in
                            let handle = try ObjectHandle(
                                H5Dcreate2(id, path, fileType, space, lcpl, dcpl, chdf5_p_default()),
                                kind: .dataset, "H5Dcreate2", context)
                            if valueCount > 0 {
                                let status = H5Dwrite(
                                    try handle.id(context), memoryType?() ?? fileType, chdf5_s_all(), chdf5_s_all(),
                                    chdf5_p_default(), bytes.baseAddress)
                                if status < 0 {
                                    let error = libraryError(function: "H5Dwrite", context: context)
                                    try? handle.close(context)
                                    _ = H5Ldelete(id, path, chdf5_p_default())  // do not leave a half-written dataset
                                    throw error
                                }
                            }
                            return try HDF5Dataset(
                                handle: handle, path: ObjectPath.join(self.path, path), filePath: filePath, context)
                        }
                    }
                }
            }
        }
    }

    /// Runs `body` with a dataset-creation property list for `storage`, validating chunk shapes.
    /// Call with the library lock held.
    ///
    /// The corresponding C functions are `H5Pcreate`, `H5Pset_chunk`, `H5Zfilter_avail` and
    /// `H5Pset_deflate`.
    private func withDatasetCreationList<T>(
        _ storage: DatasetStorage, shape: [Int], _ context: ErrorContext, _ body: (hid_t) throws(HDF5Error) -> T
    ) throws(HDF5Error) -> T {
        guard case .chunked(let chunkShape, let gzipLevel) = storage else { return try body(chdf5_p_default()) }
        guard !shape.isEmpty else { throw context.error(.invalidArgument, "a scalar dataset cannot be chunked") }
        guard chunkShape.count == shape.count,
              zip(chunkShape, shape).allSatisfy({ chunk, dim in chunk >= 1 && chunk <= dim })
        else {
            throw context.error(
                .invalidArgument, "chunk shape \(chunkShape) must have rank \(shape.count) and lie between 1 and shape \(shape)")
        }
        if let gzipLevel, !(0...9).contains(gzipLevel) {
            throw context.error(.invalidArgument, "gzip level \(gzipLevel) is not between 0 and 9")
        }
        return try withTemporary(H5Pcreate(chdf5_p_dataset_create()), kind: .propertyList, "H5Pcreate", context) {
            (dcpl) throws(HDF5Error) -> T in
            let dims = chunkShape.map { hsize_t($0) }
            try check(H5Pset_chunk(dcpl, Int32(dims.count), dims), "H5Pset_chunk", context)
            if let gzipLevel {
                guard try checkBool(H5Zfilter_avail(H5Z_filter_t(H5Z_FILTER_DEFLATE)), "H5Zfilter_avail", context) else {
                    throw context.error(.invalidArgument, "this libhdf5 has no gzip (deflate) filter")
                }
                try check(H5Pset_deflate(dcpl, UInt32(gzipLevel)), "H5Pset_deflate", context)
            }
            return try body(dcpl)
        }
    }
}
