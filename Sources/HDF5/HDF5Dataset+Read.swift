internal import CHDF5
import Dispatch

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Reads that decode less than this many bytes are allowed even when the file looks too small for
/// them (unwritten datasets read as their fill value without occupying file space).
private let minimumReadLimit = 64 << 20
/// Compressed chunks may expand up to about this factor (deflate's maximum is near 1032:1).
private let maximumCompressionRatio = 1100
/// No single read allocates more than this many bytes.
private let maximumReadBytes = 1 << 36

extension HDF5Dataset {
    /// Reads all elements as `Float`, converting from float16, float32, float64 or any integer
    /// type (libhdf5 converts; float64 values outside the `Float` range become infinities).
    ///
    /// - Throws: `HDF5Error` with code `typeMismatch` for strings, opaque or other types,
    ///   `invalidShape` for a null dataspace, `tooLarge` when the size is implausible for the file.
    ///
    /// The corresponding C function is `H5Dread`.
    package func readFloats() throws(HDF5Error) -> [Float] {
        try readNumbers(as: Float.self, memoryType: chdf5_native_float, action: "read dataset")
    }

    /// Reads all elements as `Double`, converting from any float or integer type.
    ///
    /// The corresponding C function is `H5Dread`.
    package func readDoubles() throws(HDF5Error) -> [Double] {
        try readNumbers(as: Double.self, memoryType: chdf5_native_double, action: "read dataset")
    }

    /// Reads all elements of an integer dataset as `Int64`.
    ///
    /// - Throws: `HDF5Error` with code `typeMismatch` when the elements are not integers (floats
    ///   are refused rather than silently truncated).
    ///
    /// The corresponding C function is `H5Dread`.
    package func readInt64s() throws(HDF5Error) -> [Int64] {
        let context = ErrorContext(action: "read dataset", file: filePath, object: path)
        guard type.typeClass == H5T_INTEGER else {
            throw context.error(.typeMismatch, "the elements are \(elementType), not integers")
        }
        return try readNumbers(as: Int64.self, memoryType: chdf5_native_int64, action: context.action)
    }

    /// Reads the single value of a one-element integer dataset (scalar or shape `[1]`), such as an
    /// optimizer's `iteration` counter.
    ///
    /// The corresponding C function is `H5Dread`.
    package func readInt64Scalar() throws(HDF5Error) -> Int64 {
        let context = ErrorContext(action: "read dataset", file: filePath, object: path)
        guard elementCount == 1 else {
            throw context.error(.invalidShape, "the dataset has shape \(shape), expected a single value")
        }
        let values = try readInt64s()
        guard let value = values.first else { throw context.error(.invalidShape, "no value was read") }
        return value
    }

    /// Reads the stored bytes unconverted: `elementCount × elementType.byteCount` bytes, in the
    /// file's byte order. Meant for opaque types such as bfloat16.
    ///
    /// - Throws: `HDF5Error` with code `typeMismatch` for variable-length types.
    ///
    /// The corresponding C functions are `H5Dget_type` and `H5Dread`.
    package func readRawBytes() throws(HDF5Error) -> [UInt8] {
        let context = ErrorContext(action: "read dataset", file: filePath, object: path)
        if case .string(let stringType) = elementType, stringType.length == .variable {
            throw context.error(.typeMismatch, "the elements are \(elementType), which have no fixed byte layout")
        }
        if type.typeClass == H5T_VLEN {
            throw context.error(.typeMismatch, "the elements are \(elementType), which have no fixed byte layout")
        }
        return try HDF5Library.withLock { () throws(HDF5Error) -> [UInt8] in
            let id = try handle.id(context)
            return try withTemporary(H5Dget_type(id), kind: .datatype, "H5Dget_type", context) {
                (fileType) throws(HDF5Error) -> [UInt8] in
                try read(as: UInt8.self, memoryType: fileType, elementSize: type.size, context)
            }
        }
    }

    /// Reads a bfloat16 dataset (opaque, 2 bytes per element, as Keras writes it) and widens each
    /// value to `Float` exactly (`bits << 16`).
    ///
    /// - Throws: `HDF5Error` with code `typeMismatch` unless the elements are 2-byte opaque values.
    ///
    /// The corresponding C function is `H5Dread`.
    package func readBFloat16() throws(HDF5Error) -> [Float] {
        let context = ErrorContext(action: "read dataset", file: filePath, object: path)
        guard case .opaque(size: 2, _) = elementType else {
            throw context.error(.typeMismatch, "the elements are \(elementType), expected 2-byte opaque bfloat16")
        }
        return BFloat16.floats(fromLittleEndianBytes: try readRawBytes())
    }

    // MARK: - Helpers

    /// Reads every element into native `T` through `memoryType`, after validating the size.
    private func readNumbers<T: Numeric>(
        as: T.Type, memoryType: () -> hid_t, action: String
    ) throws(HDF5Error) -> [T] {
        let context = ErrorContext(action: action, file: filePath, object: path)
        guard type.isNumeric else {
            throw context.error(.typeMismatch, "the elements are \(elementType), not numbers")
        }
        return try HDF5Library.withLock { () throws(HDF5Error) -> [T] in
            try read(as: T.self, memoryType: memoryType(), elementSize: MemoryLayout<T>.stride, context)
        }
    }

    /// Validates the read size, then reads all elements into a new array. Call with the lock held.
    ///
    /// The corresponding C function is `H5Dread`.
    private func read<T>(as: T.Type, memoryType: hid_t, elementSize: Int, _ context: ErrorContext) throws(HDF5Error) -> [T] {
        let id = try handle.id(context)
        let memoryBytes = try validateReadSize(id, memoryElementSize: elementSize, context)
        let count = elementCount * (elementSize / MemoryLayout<T>.stride)
        guard count > 0, memoryBytes > 0 else { return [] }
        var status: herr_t = 0
        let spare = memoryBytes >= spareCapacityThreshold ? spareCapacityBytes / MemoryLayout<T>.stride : 0
        let values = [T](unsafeUninitializedCapacity: count + spare) { buffer, initialized in
            prepareReadBuffer(UnsafeMutableRawBufferPointer(buffer))
            status = H5Dread(id, memoryType, chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), buffer.baseAddress)
            initialized = status >= 0 ? count : 0
        }
        try check(status, "H5Dread", context)
        return values
    }

    /// Checks, before anything is allocated, that reading is possible and plausible: the dataspace
    /// is simple or scalar, byte counts do not overflow, contiguous storage has the size the shape
    /// and type imply, and the data is not larger than the file could hold. Returns the number of
    /// bytes the read will fill in memory. Call with the lock held.
    ///
    /// The corresponding C functions are `H5Dget_storage_size`, `H5Dget_create_plist`,
    /// `H5Pget_layout`, `H5Iget_file_id` and `H5Fget_filesize`.
    private func validateReadSize(_ id: hid_t, memoryElementSize: Int, _ context: ErrorContext) throws(HDF5Error) -> Int {
        guard space.kind != .null else {
            throw context.error(.invalidShape, "the dataspace is null (no elements); expected a simple or scalar dataspace")
        }
        let fileBytes = try byteCount(elements: elementCount, size: type.size, context)
        let memoryBytes = try byteCount(elements: elementCount, size: memoryElementSize, context)
        guard memoryBytes <= maximumReadBytes else {
            throw context.error(.tooLarge, "reading needs \(memoryBytes) bytes, above the limit of \(maximumReadBytes)")
        }
        let storage = Int(clamping: H5Dget_storage_size(id))
        // The layout the opener read from the same property list, when it did (no second copy of the list).
        let layout: H5D_layout_t
        if let knownLayout {
            layout = knownLayout
        } else {
            layout = try withTemporary(H5Dget_create_plist(id), kind: .propertyList, "H5Dget_create_plist", context) {
                (dcpl) throws(HDF5Error) -> H5D_layout_t in
                H5Pget_layout(dcpl)
            }
        }
        let isChunked = layout == H5D_CHUNKED
        // Compact data lives in the layout message, which must hold all of it: libhdf5 1.10.8 copies the dataspace's
        // size out of a shorter (even empty) buffer (tools/fuzz.py seed 111780292059837: a crash in H5VM_memcpyvv).
        if ((layout == H5D_CONTIGUOUS && storage > 0) || layout == H5D_COMPACT) && storage != fileBytes {
            throw context.error(
                .invalidShape,
                "the dataset stores \(storage) bytes but shape \(shape) of \(elementType) needs \(fileBytes)")
        }
        let fileSize = try withTemporary(H5Iget_file_id(id), kind: .file, "H5Iget_file_id", context) {
            (fileID) throws(HDF5Error) -> Int in
            var size: hsize_t = 0
            try check(H5Fget_filesize(fileID, &size), "H5Fget_filesize", context)
            return Int(clamping: size)
        }
        // Contiguous data must lie inside the file (libhdf5 reads small contiguous datasets through its sieve buffer,
        // sized from the end-of-file address).
        if layout == H5D_CONTIGUOUS && storage > 0 {
            let offset = H5Dget_offset(id)
            if offset != chdf5_haddr_undef() {
                let (end, overflow) = Int(clamping: offset).addingReportingOverflow(fileBytes)
                guard !overflow, offset <= UInt64(Int.max), end <= fileSize else {
                    throw context.error(.invalidShape,
                                        "the data (\(fileBytes) bytes at byte \(offset)) runs past the end of the \(fileSize)-byte file")
                }
            } else {
                H5Eclear2(chdf5_e_default())
            }
        }
        var plausible = fileSize
        if isChunked {
            let (expanded, overflow) = fileSize.multipliedReportingOverflow(by: maximumCompressionRatio)
            plausible = overflow ? Int.max : expanded
        }
        let limit = max(plausible, minimumReadLimit)
        guard fileBytes <= limit else {
            throw context.error(
                .tooLarge, "shape \(shape) of \(elementType) needs \(fileBytes) bytes, more than a \(fileSize)-byte file can hold")
        }
        return memoryBytes
    }
}

/// Read buffers at least this large get ``spareCapacityBytes`` of unused capacity: once such an array is freed, its heap
/// block can hold a copy of the same size allocated with 64-byte alignment (`posix_memalign` asks `malloc` for the
/// size + 64 + 32 bytes), such as the next layer's packed GEMM kernel, which then reuses its pages instead of
/// faulting in fresh ones (`TensorRuntime` keeps freed blocks in the heap).
private let spareCapacityThreshold = 64 << 10
private let spareCapacityBytes = 128

/// Buffers at least this large are backed by transparent huge pages where the kernel allows it on request.
private let hugePageThreshold = 4 << 20
/// Buffers at least this large are faulted in up front (one `madvise` instead of a fault per page: on this virtual
/// machine a first touch costs about 2–3 µs per 4 KiB page, half of reading a model of many small weights); from
/// twice this size on, by two cores at once.
private let populateThreshold = 256 << 10

/// Prepares a fresh read buffer of at least 256 KiB: if at least 4 MiB, asks the kernel to back it with transparent huge pages (`MADV_HUGEPAGE`,
/// honoured when `/sys/kernel/mm/transparent_hugepage/enabled` is `madvise` or `always`; NumPy does the same for its
/// arrays, so h5py gets it too); then faults its pages in up front, one half per core at once from 512 KiB on
/// (`MADV_POPULATE_WRITE`, Linux 5.14+). Zeroing fresh pages is about half of loading 400 MB of weights, and on a
/// virtual machine a first touch can wait for the host: two cores wait in parallel (a C harness populating 400 MB:
/// 0.74–1.48 s alone, 0.27–0.76 s on two cores when the host stalled; no measurable change when it did not). Only
/// the page-aligned part of the buffer is advised; failures are ignored (the pages then fault in during the read).
func prepareReadBuffer(_ buffer: UnsafeMutableRawBufferPointer) {
    #if os(Linux)
    guard buffer.count >= populateThreshold, let base = buffer.baseAddress else { return }
    let page = 4096
    let start = (Int(bitPattern: base) + page - 1) & ~(page - 1)
    let end = (Int(bitPattern: base) + buffer.count) & ~(page - 1)
    guard end > start, let pointer = UnsafeMutableRawPointer(bitPattern: start) else { return }
    if buffer.count >= hugePageThreshold { _ = madvise(pointer, end - start, MADV_HUGEPAGE) }
    let pages = (end - start) / page
    let parts = max(1, min(populateThreads, pages / (populateThreshold / page)))
    if parts == 1 {
        _ = madvise(pointer, end - start, madvisePopulateWrite)
        return
    }
    DispatchQueue.concurrentPerform(iterations: parts) { i in
        let first = pages * i / parts, last = pages * (i + 1) / parts
        _ = madvise(UnsafeMutableRawPointer(bitPattern: start + first * page), (last - first) * page, madvisePopulateWrite)
    }
    #endif
}

#if os(Linux)
/// `MADV_POPULATE_WRITE` (Linux 5.14; not in every libc's headers).
private let madvisePopulateWrite: Int32 = 23
/// Threads that fault a read buffer in: the online processors, at most 2 (the gain is the kernel's and the host's
/// fault handling in parallel, not bandwidth).
private let populateThreads = max(1, min(2, sysconf(Int32(_SC_NPROCESSORS_ONLN))))
#endif
