internal import CHDF5

/// The HDF5 format signature, found at offset 0, 512, 1024, 2048, … of a file.
private let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]

/// The core driver grows an in-memory file in steps of this many bytes.
private let coreIncrement = 64 * 1024

extension HDF5File {
    /// Opens an HDF5 file from bytes in memory, read-only, without touching the disk; for example
    /// `model.weights.h5` read out of a `.keras` zip archive.
    ///
    /// libhdf5 copies the bytes, so `image` may be released afterwards.
    ///
    /// - Parameters:
    ///   - image: The complete file contents.
    ///   - name: A name for the file, used in error messages and as ``path``.
    /// - Throws: `HDF5Error` with code `notHDF5` when the bytes carry no HDF5 signature, or
    ///   `library` when libhdf5 rejects them (for example a truncated image).
    ///
    /// The corresponding C functions are `H5Pset_fapl_core`, `H5Pset_file_image` and `H5Fopen`.
    package static func open(image: [UInt8], name: String = "<memory>") throws(HDF5Error) -> HDF5File {
        let context = ErrorContext(action: "open in-memory file", file: name)
        guard hasSignature(image) else {
            throw context.error(.notHDF5, "not an HDF5 file (no HDF5 signature found in \(image.count) bytes)")
        }
        return try HDF5Library.withLock { () throws(HDF5Error) -> HDF5File in
            try withTemporary(H5Pcreate(chdf5_p_file_access()), kind: .propertyList, "H5Pcreate", context) {
                (fapl) throws(HDF5Error) -> HDF5File in
                try check(H5Pset_fapl_core(fapl, coreIncrement, false), "H5Pset_fapl_core", context)
                let status = image.withUnsafeBytes { buffer in
                    // H5Pset_file_image copies the buffer and never writes through the pointer.
                    H5Pset_file_image(fapl, UnsafeMutableRawPointer(mutating: buffer.baseAddress), buffer.count)
                }
                try check(status, "H5Pset_file_image", context)
                let internalName = HDF5Library.nextImageName()
                GlobalHeapCheck.register(image: image, internalName: internalName)
                let handle = try ObjectHandle(
                    H5Fopen(internalName, chdf5_acc_rdonly(), fapl), kind: .file, "H5Fopen", context)
                return HDF5File(handle: handle, path: name, internalName: internalName, mode: .readOnly, isInMemory: true)
            }
        }
    }

    /// Creates an empty HDF5 file in memory, open for writing; get its bytes with ``imageBytes()``.
    /// Nothing is written to disk.
    ///
    /// - Parameters:
    ///   - name: A name for the file, used in error messages and as ``path``.
    ///   - tracksCreationOrder: Whether the root group records the creation order of its links.
    ///
    /// The corresponding C functions are `H5Pset_fapl_core` and `H5Fcreate`.
    package static func createInMemory(
        name: String = "<memory>", tracksCreationOrder: Bool = false
    ) throws(HDF5Error) -> HDF5File {
        let context = ErrorContext(action: "create in-memory file", file: name)
        return try HDF5Library.withLock { () throws(HDF5Error) -> HDF5File in
            try withTemporary(H5Pcreate(chdf5_p_file_access()), kind: .propertyList, "H5Pcreate", context) {
                (fapl) throws(HDF5Error) -> HDF5File in
                // No backing store: the file exists only in memory.
                try check(H5Pset_fapl_core(fapl, coreIncrement, false), "H5Pset_fapl_core", context)
                return try withFileCreationList(tracksCreationOrder: tracksCreationOrder, context) {
                    (fcpl) throws(HDF5Error) -> HDF5File in
                    let internalName = HDF5Library.nextImageName()
                    let handle = try ObjectHandle(
                        H5Fcreate(internalName, chdf5_acc_trunc(), fcpl, fapl), kind: .file, "H5Fcreate", context)
                    return HDF5File(handle: handle, path: name, internalName: internalName, mode: .readWrite, isInMemory: true)
                }
            }
        }
    }

    /// The complete bytes of the file as it is now, after flushing; works for in-memory and
    /// on-disk files. Write them out, or put them in an archive, to get a file HDF5 readers open.
    ///
    /// The corresponding C functions are `H5Fflush` and `H5Fget_file_image`.
    package func imageBytes() throws(HDF5Error) -> [UInt8] {
        let context = ErrorContext(action: "get the image of file", file: path)
        return try HDF5Library.withLock { () throws(HDF5Error) -> [UInt8] in
            let id = try handle.id(context)
            if mode == .readWrite {
                try check(H5Fflush(id, H5F_SCOPE_GLOBAL), "H5Fflush", context)
            }
            let size = Int(try check(H5Fget_file_image(id, nil, 0), "H5Fget_file_image", context))
            guard size > 0 else { return [] }
            var status = 0
            let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
                status = H5Fget_file_image(id, buffer.baseAddress, size)
                initialized = status == size ? size : 0
            }
            try check(status, "H5Fget_file_image", context)
            guard bytes.count == size else {
                throw context.error(.library, "the image changed size while being copied (\(status) of \(size) bytes)")
            }
            return bytes
        }
    }

    /// Whether `bytes` contain the HDF5 signature where libhdf5 looks for it.
    static func hasSignature(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset + signature.count <= bytes.count {
            if bytes[offset..<(offset + signature.count)].elementsEqual(signature) { return true }
            offset = offset == 0 ? 512 : offset * 2
        }
        return false
    }
}
