internal import CHDF5
import Dispatch

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

extension HDF5File {
    /// Opens, read-only, an HDF5 file stored as bytes `offset ..< offset + length` of a regular file, for example
    /// `model.weights.h5` stored uncompressed in a `.keras` zip archive, without copying the bytes: the range is
    /// memory-mapped (read-only, private) and libhdf5 reads its objects straight from the mapping.
    ///
    /// The mapping lives until libhdf5 releases the file (the `HDF5File` and every group or dataset opened from
    /// it are gone). Like any memory-mapped file, the file must not be truncated while it is open: reading a page
    /// past its new end would stop the process (SIGBUS).
    ///
    /// - Parameters:
    ///   - path: the file holding the HDF5 bytes.
    ///   - offset: where the HDF5 file starts in it.
    ///   - length: how many bytes it has.
    ///   - name: a name for error messages and ``path``, e.g. `archive.keras/model.weights.h5`.
    /// - Throws: `HDF5Error` with code `fileNotFound` when `path` cannot be opened or mapped, `invalidArgument`
    ///   when the range is not inside the file, `notHDF5` when the bytes carry no HDF5 signature, `library` when
    ///   libhdf5 rejects them.
    ///
    /// The corresponding C functions are `mmap`, `H5Pset_fapl_core`, `H5Pset_file_image_callbacks` (callbacks
    /// that hand out the mapping instead of copies), `H5Pset_file_image` and `H5Fopen`.
    package static func open(mapping path: String, offset: Int, length: Int, name: String) throws(HDF5Error) -> HDF5File {
        let context = ErrorContext(action: "open memory-mapped file", file: name)
        let fd = openReadOnly(path)
        guard fd >= 0 else { throw context.error(.fileNotFound, "cannot open \(path) (errno \(errno))") }
        defer { closeFile(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw context.error(.fileNotFound, "\(path) is not a regular file")
        }
        let size = Int(info.st_size)
        guard offset >= 0, length > 0, offset <= size, length <= size - offset else {
            throw context.error(.invalidArgument, "bytes \(offset)..<\(offset &+ length) are not inside the \(size)-byte file \(path)")
        }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let mapOffset = offset - offset % page
        let mapLength = length + (offset - mapOffset)
        // Every byte of the weights is read: on Linux the mapping is populated at once (one call instead of a page
        // fault per 64 KiB of the file), its two halves by two cores at once (`MADV_POPULATE_READ`, Linux 5.14+;
        // `MAP_POPULATE` did it on one: about 15 ms for 100 MB here); elsewhere, or when that fails, read ahead.
        guard let mapping = mmap(nil, mapLength, PROT_READ, MAP_PRIVATE, fd, off_t(mapOffset)), mapping != MAP_FAILED else {
            throw context.error(.fileNotFound, "cannot memory-map \(mapLength) bytes of \(path) (errno \(errno))")
        }
        #if os(Linux)
        let parts = mapLength >= 8 << 20 ? 2 : 1
        let failed = UnsafeMutablePointer<Int32>.allocate(capacity: parts)
        defer { failed.deallocate() }
        let (base, flags) = (Int(bitPattern: mapping), Int(bitPattern: failed))   // addresses: Sendable
        DispatchQueue.concurrentPerform(iterations: parts) { i in
            let page = 4096
            let first = (mapLength / page) * i / parts * page
            let last = i == parts - 1 ? mapLength : (mapLength / page) * (i + 1) / parts * page
            let failed = madvise(UnsafeMutableRawPointer(bitPattern: base + first), last - first, 22) < 0  // MADV_POPULATE_READ
            UnsafeMutablePointer<Int32>(bitPattern: flags)![i] = failed ? 1 : 0
        }
        if (0..<parts).contains(where: { failed[$0] != 0 }) { _ = madvise(mapping, mapLength, MADV_WILLNEED) }
        #else
        _ = madvise(mapping, mapLength, MADV_WILLNEED)
        #endif
        let image = UnsafeRawBufferPointer(start: mapping + (offset - mapOffset), count: length)
        let borrowed = BorrowedImage.create(mapping: mapping, mappingLength: mapLength, image: image)
        defer { BorrowedImage.release(borrowed) }   // ours; libhdf5 holds its own references
        guard hasSignature(image) else {
            throw context.error(.notHDF5, "not an HDF5 file (no HDF5 signature found in \(length) bytes at offset \(offset) of \(path))")
        }
        return try HDF5Library.withLock { () throws(HDF5Error) -> HDF5File in
            try withTemporary(H5Pcreate(chdf5_p_file_access()), kind: .propertyList, "H5Pcreate", context) {
                (fapl) throws(HDF5Error) -> HDF5File in
                try check(H5Pset_fapl_core(fapl, 64 * 1024, false), "H5Pset_fapl_core", context)
                var callbacks = BorrowedImage.callbacks(borrowed)
                try check(H5Pset_file_image_callbacks(fapl, &callbacks), "H5Pset_file_image_callbacks", context)
                // With these callbacks libhdf5 neither copies nor writes the image.
                try check(H5Pset_file_image(fapl, UnsafeMutableRawPointer(mutating: image.baseAddress), length),
                          "H5Pset_file_image", context)
                let internalName = HDF5Library.nextImageName()
                GlobalHeapCheck.register(image: image, internalName: internalName)
                let handle = try ObjectHandle(
                    H5Fopen(internalName, chdf5_acc_rdonly(), fapl), kind: .file, "H5Fopen", context)
                return HDF5File(handle: handle, path: name, internalName: internalName, mode: .readOnly, isInMemory: true)
            }
        }
    }

    /// Whether `bytes` contain the HDF5 signature where libhdf5 looks for it.
    static func hasSignature(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]
        var offset = 0
        while offset + signature.count <= bytes.count {
            if bytes[offset..<(offset + signature.count)].elementsEqual(signature) { return true }
            offset = offset == 0 ? 512 : offset * 2
        }
        return false
    }
}

/// A memory-mapped file image lent to libhdf5's core driver: its image callbacks hand out the mapping itself (never a
/// copy) and count references; the last release (ours, a property list's, or the open file's) unmaps it. libhdf5
/// calls the callbacks under the library lock, as every other call of ours.
struct BorrowedImage {
    var mapping: UnsafeMutableRawPointer
    var mappingLength: Int
    var image: UnsafeRawBufferPointer
    var references: Int

    static func create(mapping: UnsafeMutableRawPointer, mappingLength: Int, image: UnsafeRawBufferPointer) -> UnsafeMutablePointer<BorrowedImage> {
        let p = UnsafeMutablePointer<BorrowedImage>.allocate(capacity: 1)
        p.initialize(to: BorrowedImage(mapping: mapping, mappingLength: mappingLength, image: image, references: 1))
        return p
    }

    static func retain(_ p: UnsafeMutablePointer<BorrowedImage>) { p.pointee.references += 1 }

    static func release(_ p: UnsafeMutablePointer<BorrowedImage>) {
        p.pointee.references -= 1
        guard p.pointee.references == 0 else { return }
        _ = munmap(p.pointee.mapping, p.pointee.mappingLength)
        p.deinitialize(count: 1)
        p.deallocate()
    }

    static func callbacks(_ p: UnsafeMutablePointer<BorrowedImage>) -> H5FD_file_image_callbacks_t {
        H5FD_file_image_callbacks_t(
            image_malloc: { size, _, udata in
                // Every "allocation" of the image is the mapping itself; nothing larger is ever asked for read-only.
                guard let udata else { return nil }
                let p = udata.assumingMemoryBound(to: BorrowedImage.self)
                guard size <= p.pointee.image.count else { return nil }
                BorrowedImage.retain(p)
                return UnsafeMutableRawPointer(mutating: p.pointee.image.baseAddress)
            },
            image_memcpy: { dest, src, _, _, _ in
                // Source and destination are both the mapping: nothing to copy. Anything else is refused.
                dest == UnsafeMutableRawPointer(mutating: src) ? dest : nil
            },
            image_realloc: { _, _, _, _ in nil },   // a read-only image never grows
            image_free: { _, _, udata in
                guard let udata else { return -1 }
                BorrowedImage.release(udata.assumingMemoryBound(to: BorrowedImage.self))
                return 0
            },
            udata_copy: { udata in
                guard let udata else { return nil }
                BorrowedImage.retain(udata.assumingMemoryBound(to: BorrowedImage.self))
                return udata
            },
            udata_free: { udata in
                guard let udata else { return -1 }
                BorrowedImage.release(udata.assumingMemoryBound(to: BorrowedImage.self))
                return 0
            },
            udata: UnsafeMutableRawPointer(p))
    }
}

// The C library under its platform's module name.
private func openReadOnly(_ path: String) -> Int32 {
    #if canImport(Glibc)
    Glibc.open(path, O_RDONLY | O_CLOEXEC)
    #else
    Darwin.open(path, O_RDONLY | O_CLOEXEC)
    #endif
}

private func closeFile(_ fd: Int32) {
    #if canImport(Glibc)
    _ = Glibc.close(fd)
    #else
    _ = Darwin.close(fd)
    #endif
}
