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
    /// What a scan found: the well-formed collections, by file offset, each as object index → object size; and the
    /// superblock's address size and base address, to decode heap IDs.
    struct HeapMap {
        var offsetSize = 8
        var base = 0
        var collections: [Int: [Int: UInt64]] = [:]
    }

    /// Files already checked: key → their heap map, or the problem found. Guarded by the library lock.
    nonisolated(unsafe) private static var results: [String: Result<HeapMap, Problem>] = [:]

    struct Problem: Error {
        var reason: String
    }

    /// Refuses the file that `id` (any object in it) belongs to when a global heap collection in it is malformed;
    /// returns its heap map (`nil` when the file cannot be examined). Call with the library lock held, before a
    /// variable-length read.
    static func validate(fileOf id: hid_t, _ context: ErrorContext) throws(HDF5Error) -> HeapMap? {
        guard let name = try? fileName(of: id, context: context), !name.isEmpty else { return nil }
        // A file this process has open for writing (through any handle) may have metadata not yet on disk; it was
        // made here, not received, so it is not checked.
        let fileID = H5Iget_file_id(id)
        guard fileID >= 0 else { return nil }
        var intent: UInt32 = 0
        let intentKnown = H5Fget_intent(fileID, &intent) >= 0
        H5Fclose(fileID)
        guard intentKnown, intent & chdf5_acc_rdwr() == 0 else { return nil }
        if let cached = results[name] {  // in-memory images are registered under their internal name
            return try unwrap(cached, context)
        }
        var info = stat()
        guard stat(name, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        let key = "\(name)|\(info.st_dev)|\(info.st_ino)|\(info.st_size)|\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
        if let cached = results[key] { return try unwrap(cached, context) }
        let fd = open(name, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        let size = Int(info.st_size)
        let result = scan(size: size) { offset, count in
            var buffer = [UInt8](repeating: 0, count: count)
            let got = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(offset)) }
            return got == count ? buffer : nil
        }
        results[key] = result
        return try unwrap(result, context)
    }

    private static func unwrap(_ result: Result<HeapMap, Problem>, _ context: ErrorContext) throws(HDF5Error) -> HeapMap {
        switch result {
        case let .success(map): return map
        case let .failure(problem): throw context.error(.library, problem.reason)
        }
    }

    /// Checks an in-memory image when it is opened, and remembers the result under the file's internal name.
    /// Call with the library lock held.
    static func register(image: [UInt8], internalName: String) {
        let result = image.withUnsafeBufferPointer { bytes in
            scan(size: bytes.count) { offset, count in
                offset >= 0 && count >= 0 && offset + count <= bytes.count ? Array(bytes[offset..<offset + count]) : nil
            }
        }
        results[internalName] = result
    }

    /// The collections of a file of `size` bytes, read through `read(offset, count)` (which returns `nil` past the
    /// end), or the first problem found in one.
    static func scan(size: Int, read: (Int, Int) -> [UInt8]?) -> Result<HeapMap, Problem> {
        let superblock = superblockSizes(size: size, read: read)
        let lengthSize = superblock?.lengthSize ?? 8
        var map = HeapMap()
        map.offsetSize = superblock?.offsetSize ?? 8
        map.base = superblock?.base ?? 0
        let block = 4 << 20
        var start = 0
        while start < size {
            let count = min(block + 7, size - start)
            guard let bytes = read(start, count) else { break }
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
                switch checkCollection(at: start + k, fileSize: size, lengthSize: lengthSize, read: read) {
                case let .success(objects): map.collections[start + k] = objects
                case let .failure(problem): return .failure(problem)
                }
            }
            start += block
        }
        return .success(map)
    }

    /// Walks one collection the way libhdf5's `H5HG__cache_heap_deserialize` does, refusing what it would
    /// mishandle: a collection running past the end of the file, an object running past its collection, a
    /// free-space object too small to advance (libhdf5 loops on it).
    static func checkCollection(at offset: Int, fileSize: Int, lengthSize: Int,
                                read: (Int, Int) -> [UInt8]?) -> Result<[Int: UInt64], Problem> {
        func fail(_ what: String) -> Result<[Int: UInt64], Problem> {
            .failure(Problem(reason: "corrupted global heap collection at byte \(offset) (\(what)); libhdf5 would crash or hang on it"))
        }
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
        var objects: [Int: UInt64] = [:]
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
            if index > 0 { objects[index] = size }
            if objects.count > 1 << 16 { return fail("too many objects") }
        }
        return .success(objects)
    }

    /// The superblock's (found at 0, 512, 1024, … bytes) size of offsets, size of lengths and base address, or `nil`.
    static func superblockSizes(size: Int, read: (Int, Int) -> [UInt8]?) -> (offsetSize: Int, lengthSize: Int, base: Int)? {
        let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]
        var at = 0
        while at + 40 <= size {
            if let b = read(at, 40), Array(b[0..<8]) == signature {
                let version = b[8]
                let offsets = Int(version <= 1 ? b[13] : b[9])
                let lengths = Int(version <= 1 ? b[14] : b[10])
                guard [2, 4, 8].contains(offsets), [2, 4, 8].contains(lengths) else { return nil }
                let baseField = version == 0 ? 24 : version == 1 ? 28 : 12
                let base = Int(clamping: littleEndian(b[baseField..<baseField + offsets]))
                return (offsets, lengths, base)
            }
            at = at == 0 ? 512 : at * 2
        }
        return nil
    }

    // MARK: - Heap IDs of one attribute

    /// Checks every heap ID an attribute of variable-length strings holds (its stored form: sequence length,
    /// collection address, object index) against `map`: the collection must be a well-formed one, the object must
    /// exist, and its size must equal the length. libhdf5 1.10.8 trusts all three: a wrong index reads outside the
    /// collection's object table (a crash), a length longer than the object allocates and clears that many bytes
    /// (a gigabyte from one flipped bit), a shorter one overflows the buffer it copies into.
    ///
    /// The stored form is read with `H5Aread` into an opaque type through a conversion registered for that pair
    /// (``RawHeapIDs``), which hands over the bytes as stored. When that is not possible (an unusual address size),
    /// the attribute is not checked. Call with the library lock held.
    static func checkHeapIDs(attribute id: hid_t, count: Int, map: HeapMap, _ context: ErrorContext) throws(HDF5Error) {
        let offsetSize = map.offsetSize
        let idSize = 4 + offsetSize + 4
        guard count > 0, let raw = RawHeapIDs.read(attribute: id, count: count, idSize: idSize) else { return }
        for k in 0..<count {
            let e = raw[(k * idSize)..<((k + 1) * idSize)]
            let start = e.startIndex
            let length = littleEndian(e[start..<start + 4])
            let address = littleEndian(e[start + 4..<start + 4 + offsetSize])
            let index = Int(littleEndian(e[start + 4 + offsetSize..<start + idSize]))
            if address == 0 { continue }  // a null string
            func fail(_ what: String) -> HDF5Error {
                context.error(.library, "corrupted variable-length string \(k) (\(what)); libhdf5 would crash on it")
            }
            let (absolute, overflow) = Int(clamping: address).addingReportingOverflow(map.base)
            guard !overflow, let objects = map.collections[absolute] else {
                throw fail("no global heap collection at byte \(address)")
            }
            guard index > 0, let size = objects[index] else {
                throw fail("object \(index) is not in the global heap collection at byte \(address)")
            }
            guard size == length else {
                throw fail("it claims \(length) bytes, its heap object holds \(size)")
            }
        }
    }

    static func littleEndian(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var v: UInt64 = 0
        for (k, b) in bytes.prefix(8).enumerated() { v |= UInt64(b) << (8 * UInt64(k)) }
        return v
    }

    static func align8(_ n: Int) -> Int { (n + 7) & ~7 }
}

/// Reads the stored form of a variable-length attribute (its heap IDs) instead of the strings they point to.
///
/// libhdf5 converts an attribute from its stored type to the type asked for; for variable-length data its own
/// conversion follows the heap IDs. Asking for an opaque type tagged ``tag`` of the heap ID's size selects a
/// conversion registered here (once, as a "soft" conversion from variable-length to opaque types) which accepts
/// only that tag and copies nothing: the buffer already holds the stored bytes. Other conversions are unaffected.
enum RawHeapIDs {
    static let tag = "hdf5-swift raw variable-length heap IDs"

    /// Whether the conversion is registered. Guarded by the library lock.
    nonisolated(unsafe) private static var registered: Bool?

    /// The stored heap IDs of `count` elements, `idSize` bytes each, or `nil` when they cannot be read so.
    /// Call with the library lock held.
    static func read(attribute id: hid_t, count: Int, idSize: Int) -> [UInt8]? {
        guard register() else { return nil }
        let type = H5Tcreate(H5T_OPAQUE, idSize)
        guard type >= 0 else { return nil }
        defer { H5Tclose(type) }
        guard H5Tset_tag(type, tag) >= 0 else { return nil }
        var bytes = [UInt8](repeating: 0, count: count * idSize)
        let status = bytes.withUnsafeMutableBytes { H5Aread(id, type, $0.baseAddress) }
        if status < 0 {
            H5Eclear2(chdf5_e_default())
            return nil
        }
        return bytes
    }

    private static func register() -> Bool {
        if let registered { return registered }
        let source = H5Tcopy(chdf5_c_s1())
        let destination = H5Tcreate(H5T_OPAQUE, 16)
        defer {
            if source >= 0 { H5Tclose(source) }
            if destination >= 0 { H5Tclose(destination) }
        }
        var ok = source >= 0 && destination >= 0 && H5Tset_size(source, chdf5_variable_size()) >= 0
        ok = ok && H5Tregister(H5T_PERS_SOFT, "hdf5-swift raw heap IDs", source, destination, rawHeapIDConversion) >= 0
        if !ok { H5Eclear2(chdf5_e_default()) }
        registered = ok
        return ok
    }
}

/// The conversion behind ``RawHeapIDs``: accepts only a destination tagged ``RawHeapIDs/tag`` of the source's
/// (stored) size, and leaves the buffer as it is.
private let rawHeapIDConversion: H5T_conv_t = { source, destination, cdata, _, stride, _, _, _, _ in
    guard let cdata else { return -1 }
    switch cdata.pointee.command {
    case H5T_CONV_INIT:
        cdata.pointee.need_bkg = H5T_BKG_NO
        guard H5Tget_class(destination) == H5T_OPAQUE, let tag = H5Tget_tag(destination) else { return -1 }
        defer { H5free_memory(tag) }
        guard String(cString: tag) == RawHeapIDs.tag, H5Tget_size(source) == H5Tget_size(destination) else { return -1 }
        return 0
    case H5T_CONV_CONV:
        return stride == 0 ? 0 : -1  // same size, converted in place: nothing to move
    case H5T_CONV_FREE:
        return 0
    default:
        return -1
    }
}
