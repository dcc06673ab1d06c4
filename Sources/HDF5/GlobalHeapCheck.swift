internal import CHDF5

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// A structural check of a file's global heap collections, made before libhdf5 reads variable-length strings
/// from them.
///
/// Variable-length strings (what h5py writes for `str` attributes such as `model_config`, `keras_version`, or a
/// Keras 3 `vars` group's `name`) live in global heap collections (`GCOL`). libhdf5 1.10.8 trusts their object
/// headers: an object whose size runs past its collection makes `H5HG_read` copy beyond the collection's buffer
/// (a crash), and a free-space object of size zero makes the collection parser loop forever (a hang). Both were the
/// most common libhdf5 failures in tools/fuzz.py. Before the first variable-length read from a file, every
/// collection in it is walked the way libhdf5 walks it, and a file with a malformed one is refused with an error.
///
/// A collection is recognised by its signature, version 1 and zero reserved bytes (`GCOL 01 00 00 00`), so bytes
/// that merely contain "GCOL" (inside weight data) are not mistaken for one. The scan reads the file once, in
/// blocks; results are kept per file (path, device, inode, size and modification time), so each file is scanned
/// once per process. In-memory images are checked from their bytes when opened (their internal names are never
/// reused, so a result stays valid).
enum GlobalHeapCheck {
    /// Files already checked: key → `nil` when fine, else the problem. Guarded by the library lock.
    nonisolated(unsafe) private static var results: [String: String?] = [:]

    /// Refuses the file that `id` (any object in it) belongs to when a global heap collection in it is malformed.
    /// Call with the library lock held, before a variable-length read.
    static func validate(fileOf id: hid_t, _ context: ErrorContext) throws(HDF5Error) {
        guard let name = try? fileName(of: id, context: context), !name.isEmpty else { return }
        let key: String
        if let cached = results[name] {  // in-memory images are registered under their internal name
            key = name
            if let problem = cached { throw context.error(.library, problem) }
            return
        }
        var info = stat()
        guard stat(name, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return }
        key = "\(name)|\(info.st_dev)|\(info.st_ino)|\(info.st_size)|\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
        if let cached = results[key] {
            if let problem = cached { throw context.error(.library, problem) }
            return
        }
        let fd = open(name, O_RDONLY)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let size = Int(info.st_size)
        let problem = scan(size: size) { offset, count in
            var buffer = [UInt8](repeating: 0, count: count)
            let got = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(offset)) }
            return got == count ? buffer : nil
        }
        results[key] = .some(problem)
        if let problem { throw context.error(.library, problem) }
    }

    /// Checks an in-memory image when it is opened, and remembers the result under the file's internal name.
    /// Call with the library lock held.
    static func register(image: [UInt8], internalName: String) -> String? {
        let problem = image.withUnsafeBufferPointer { bytes in
            scan(size: bytes.count) { offset, count in
                offset >= 0 && count >= 0 && offset + count <= bytes.count ? Array(bytes[offset..<offset + count]) : nil
            }
        }
        results[internalName] = .some(problem)
        return problem
    }

    /// The first problem found in the collections of a file of `size` bytes, read through `read(offset, count)`
    /// (which returns `nil` past the end), or `nil` when all are well formed.
    static func scan(size: Int, read: (Int, Int) -> [UInt8]?) -> String? {
        let lengthSize = superblockLengthSize(size: size, read: read) ?? 8
        let block = 4 << 20
        var start = 0
        while start < size {
            let count = min(block + 7, size - start)
            guard let bytes = read(start, count) else { return nil }
            // Candidates: "GCOL" followed by version 1 and three zero bytes (memchr finds each "G" quickly).
            let candidates: [Int] = bytes.withUnsafeBufferPointer { buffer in
                var found: [Int] = []
                guard let base = buffer.baseAddress, buffer.count >= 8 else { return found }
                var i = 0
                while i + 8 <= buffer.count {
                    guard let hit = memchr(base + i, 0x47, buffer.count - 7 - i) else { break }
                    let k = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                    if buffer[k + 1] == 0x43, buffer[k + 2] == 0x4F, buffer[k + 3] == 0x4C, buffer[k + 4] == 1,
                       buffer[k + 5] == 0, buffer[k + 6] == 0, buffer[k + 7] == 0 {
                        found.append(k)
                    }
                    i = k + 1
                }
                return found
            }
            for k in candidates {
                if let problem = checkCollection(at: start + k, fileSize: size, lengthSize: lengthSize, read: read) {
                    return problem
                }
            }
            start += block
        }
        return nil
    }

    /// Walks one collection the way libhdf5's `H5HG__cache_heap_deserialize` does, refusing what it would
    /// mishandle: a collection running past the end of the file, an object running past its collection, a
    /// free-space object too small to advance (libhdf5 loops on it).
    static func checkCollection(at offset: Int, fileSize: Int, lengthSize: Int, read: (Int, Int) -> [UInt8]?) -> String? {
        func fail(_ what: String) -> String { "corrupted global heap collection at byte \(offset) (\(what)); libhdf5 would crash or hang on it" }
        guard let header = read(offset, 8 + lengthSize), header.count == 8 + lengthSize else { return fail("truncated header") }
        let collectionSize = littleEndian(header[8...])
        let headerSize = align8(8 + lengthSize)
        let objectHeaderSize = 8 + lengthSize
        guard collectionSize >= headerSize, collectionSize <= UInt64(fileSize - offset) else {
            return fail("size \(collectionSize) does not fit the \(fileSize)-byte file")
        }
        let end = Int(collectionSize)
        // Small collections (the usual 4 KiB) are read whole; big ones object header by object header.
        let whole = end <= 16 << 20 ? read(offset, end) : nil
        func objectHeader(_ p: Int) -> [UInt8]? {
            if let whole { return Array(whole[p..<p + objectHeaderSize]) }
            return read(offset + p, objectHeaderSize)
        }
        var p = headerSize
        var objects = 0
        while p < end {
            if p + objectHeaderSize > end { break }  // too small for an object: libhdf5 takes it as free space
            guard let h = objectHeader(p), h.count == objectHeaderSize else { return fail("truncated object") }
            let index = Int(h[0]) | Int(h[1]) << 8
            let size = littleEndian(h[8...])
            let need: UInt64
            if index > 0 {
                guard size <= UInt64(end) else { return fail("object \(index) claims \(size) bytes") }
                need = UInt64(objectHeaderSize) + UInt64(align8(Int(size)))
            } else {
                need = size
                guard need >= UInt64(objectHeaderSize) else { return fail("free space of \(size) bytes") }
            }
            guard need <= UInt64(end - p) else { return fail("object \(index) of \(size) bytes runs past the collection") }
            p += Int(need)
            objects += 1
            if objects > 1 << 20 { return fail("too many objects") }
        }
        return nil
    }

    /// The "size of lengths" of the superblock (found at 0, 512, 1024, … bytes), or `nil`.
    static func superblockLengthSize(size: Int, read: (Int, Int) -> [UInt8]?) -> Int? {
        let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]
        var base = 0
        while base + 16 <= size {
            if let b = read(base, 16), Array(b[0..<8]) == signature {
                let version = b[8]
                let value = Int(version <= 1 ? b[14] : b[10])
                return [2, 4, 8, 16].contains(value) ? value : nil
            }
            base = base == 0 ? 512 : base * 2
        }
        return nil
    }

    static func littleEndian(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var v: UInt64 = 0
        for (k, b) in bytes.prefix(8).enumerated() { v |= UInt64(b) << (8 * UInt64(k)) }
        return v
    }

    static func align8(_ n: Int) -> Int { (n + 7) & ~7 }
}
