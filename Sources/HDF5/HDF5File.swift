internal import CHDF5

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// An open HDF5 file, on disk or in memory.
///
/// The file closes when the last reference goes away, or earlier with ``close()``. Groups and
/// datasets opened from it keep the underlying file open until they are released too (libhdf5's
/// default "weak" close), so they stay usable after the `HDF5File` itself is gone.
///
/// ```swift
/// let file = try HDF5File.open(at: "model.h5")
/// let weights = try file.rootGroup().group(at: "model_weights")
/// let layerNames = try weights.attributes.strings(named: "layer_names")
/// let kernel = try weights.dataset(at: "conv/conv/kernel:0")
/// print(kernel.shape, kernel.elementType)      // metadata only; no weight data is read
/// let values = try kernel.readFloats()
/// ```
///
/// Not `Sendable`: use one `HDF5File` (and the objects opened from it) on one thread at a time.
/// See ``HDF5Library`` for what is guaranteed across threads.
package final class HDF5File {
    /// How an existing file is opened.
    package enum AccessMode: Sendable, Hashable {
        /// Reading only (`H5F_ACC_RDONLY`).
        case readOnly
        /// Reading and writing (`H5F_ACC_RDWR`).
        case readWrite
    }

    /// What creating a file does when one already exists at the path.
    package enum CreationMode: Sendable, Hashable {
        /// Replace the existing file (`H5F_ACC_TRUNC`).
        case truncate
        /// Fail with `alreadyExists` (`H5F_ACC_EXCL`).
        case failIfExists
    }

    /// The path the file was opened or created with; for an in-memory file, the name given to it.
    /// Errors quote this.
    package let path: String
    /// Whether the file can be modified.
    package let mode: AccessMode
    /// Whether the file lives in memory (opened from an image, or created in memory).
    package let isInMemory: Bool

    let handle: ObjectHandle
    /// The name libhdf5 knows the file by (differs from `path` for in-memory files).
    let internalName: String
    /// What ``checkSelfContained()`` found safe; shared with the groups opened from this file.
    let verified = VerifiedObjects()

    init(handle: ObjectHandle, path: String, internalName: String, mode: AccessMode, isInMemory: Bool) {
        self.handle = handle
        self.path = path
        self.internalName = internalName
        self.mode = mode
        self.isInMemory = isInMemory
    }

    /// Opens an existing HDF5 file.
    ///
    /// Before calling libhdf5 this checks that the path exists and is a readable regular file, and
    /// that it carries the HDF5 signature, so the common mistakes give a clear error.
    ///
    /// - Parameters:
    ///   - path: The file's path.
    ///   - mode: Read-only (the default) or read-write.
    /// - Throws: `HDF5Error` with code `fileNotFound` (`no such file`), `notHDF5`
    ///   (`not an HDF5 file`), or `library` (for example a truncated file).
    ///
    /// The corresponding C functions are `H5Fis_hdf5` and `H5Fopen`.
    package static func open(at path: String, mode: AccessMode = .readOnly) throws(HDF5Error) -> HDF5File {
        let context = ErrorContext(action: "open file", file: path)
        try checkReadableFile(path, context)
        return try HDF5Library.withLock { () throws(HDF5Error) -> HDF5File in
            guard try checkBool(H5Fis_hdf5(path), "H5Fis_hdf5", context) else {
                throw context.error(.notHDF5, "not an HDF5 file (no HDF5 signature found)")
            }
            let flags = mode == .readOnly ? chdf5_acc_rdonly() : chdf5_acc_rdwr()
            let handle = try ObjectHandle(H5Fopen(path, flags, chdf5_p_default()), kind: .file, "H5Fopen", context)
            return HDF5File(handle: handle, path: path, internalName: path, mode: mode, isInMemory: false)
        }
    }

    /// Creates a new HDF5 file, open for reading and writing.
    ///
    /// The file uses libhdf5's default (earliest) format versions, like h5py, so HDF5 1.8 and
    /// later can read it.
    ///
    /// - Parameters:
    ///   - path: Where to create the file.
    ///   - mode: Whether to replace an existing file (the default) or fail.
    ///   - tracksCreationOrder: Whether the root group records the creation order of its links, so
    ///     that ``HDF5Group/children(order:)`` can list them by `.creation`.
    /// - Throws: `HDF5Error` with code `alreadyExists` or `library`.
    ///
    /// The corresponding C function is `H5Fcreate`.
    package static func create(
        at path: String, mode: CreationMode = .truncate, tracksCreationOrder: Bool = false
    ) throws(HDF5Error) -> HDF5File {
        let context = ErrorContext(action: "create file", file: path)
        if mode == .failIfExists && access(path, F_OK) == 0 {
            throw context.error(.alreadyExists, "the file already exists")
        }
        return try HDF5Library.withLock { () throws(HDF5Error) -> HDF5File in
            try withFileCreationList(tracksCreationOrder: tracksCreationOrder, context) { (fcpl) throws(HDF5Error) -> HDF5File in
                let flags = mode == .truncate ? chdf5_acc_trunc() : chdf5_acc_excl()
                let handle = try ObjectHandle(
                    H5Fcreate(path, flags, fcpl, chdf5_p_default()), kind: .file, "H5Fcreate", context)
                return HDF5File(handle: handle, path: path, internalName: path, mode: .readWrite, isInMemory: false)
            }
        }
    }

    /// Opens the root group `/`.
    ///
    /// The corresponding C function is `H5Gopen2`.
    package func rootGroup() throws(HDF5Error) -> HDF5Group {
        let context = ErrorContext(action: "open group", file: path, object: "/")
        return try HDF5Library.withLock { () throws(HDF5Error) -> HDF5Group in
            let handle = try ObjectHandle(
                H5Gopen2(try self.handle.id(context), "/", chdf5_p_default()), kind: .group, "H5Gopen2", context)
            return HDF5Group(handle: handle, path: "/", filePath: path, verified: verified)
        }
    }

    /// Opens the group at `path` (absolute, or relative to the root).
    /// Shorthand for `rootGroup().group(at: path)`.
    package func group(at path: String) throws(HDF5Error) -> HDF5Group {
        try rootGroup().group(at: path)
    }

    /// Opens the dataset at `path` (absolute, or relative to the root).
    /// Shorthand for `rootGroup().dataset(at: path)`.
    package func dataset(at path: String) throws(HDF5Error) -> HDF5Dataset {
        try rootGroup().dataset(at: path)
    }

    /// The size of the file in bytes (for an in-memory file, the size of its image).
    ///
    /// The corresponding C function is `H5Fget_filesize`.
    package func size() throws(HDF5Error) -> Int {
        let context = ErrorContext(action: "get the size of file", file: path)
        return try HDF5Library.withLock { () throws(HDF5Error) -> Int in
            var size: hsize_t = 0
            try check(H5Fget_filesize(try handle.id(context), &size), "H5Fget_filesize", context)
            return Int(clamping: size)
        }
    }

    /// Writes buffered changes to the file (or to the in-memory image).
    ///
    /// The corresponding C function is `H5Fflush`.
    package func flush() throws(HDF5Error) {
        let context = ErrorContext(action: "flush file", file: path)
        try HDF5Library.withLock { () throws(HDF5Error) -> Void in
            try check(H5Fflush(try handle.id(context), H5F_SCOPE_GLOBAL), "H5Fflush", context)
        }
    }

    /// Whether ``close()`` has not been called yet.
    package var isOpen: Bool { handle.isOpen }

    /// Closes the file identifier now instead of at deinit; errors are reported here. Objects
    /// opened from the file stay usable and keep the file open until they are released. Later
    /// calls on this `HDF5File` throw `closed`; closing twice does nothing.
    ///
    /// The corresponding C function is `H5Fclose`.
    package func close() throws(HDF5Error) {
        HDF5Library.withLock { verified.release() }
        try handle.close(ErrorContext(action: "close file", file: path))
    }

    // MARK: - Helpers

    /// Checks that `path` names an existing, readable regular file (stat and access, no libhdf5).
    static func checkReadableFile(_ path: String, _ context: ErrorContext) throws(HDF5Error) {
        if path.utf8.contains(0) { throw context.error(.invalidArgument, "the path contains a NUL character") }
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR {
                throw context.error(.fileNotFound, "no such file")
            }
            throw context.error(.library, "cannot inspect the file: \(String(cString: strerror(code)))")
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            throw context.error(.invalidArgument, "is a directory, not a file")
        }
        // FIFOs and devices could block or never end; HDF5 files are regular files.
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw context.error(.invalidArgument, "is not a regular file")
        }
        guard access(path, R_OK) == 0 else {
            throw context.error(.library, "the file is not readable: \(String(cString: strerror(errno)))")
        }
    }

    /// Runs `body` with a file-creation property list (link creation order tracked or not).
    /// Call with the library lock held.
    ///
    /// The corresponding C functions are `H5Pcreate` and `H5Pset_link_creation_order`.
    static func withFileCreationList<T>(
        tracksCreationOrder: Bool, _ context: ErrorContext, _ body: (hid_t) throws(HDF5Error) -> T
    ) throws(HDF5Error) -> T {
        guard tracksCreationOrder else { return try body(chdf5_p_default()) }
        return try withTemporary(H5Pcreate(chdf5_p_file_create()), kind: .propertyList, "H5Pcreate", context) {
            (fcpl) throws(HDF5Error) -> T in
            try check(
                H5Pset_link_creation_order(fcpl, chdf5_crt_order_tracked_indexed()), "H5Pset_link_creation_order", context)
            return try body(fcpl)
        }
    }
}
