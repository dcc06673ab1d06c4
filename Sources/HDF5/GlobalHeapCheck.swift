internal import CHDF5

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// A structural check of the global heap collections behind variable-length strings, made before libhdf5 reads
/// the strings.
///
/// Variable-length strings (what h5py writes for `str` attributes such as `model_config`, `keras_version`, or a
/// Keras 3 `vars` group's `name`) live in global heap collections (`GCOL`); an attribute stores one heap ID per
/// string (length, collection address, object index). libhdf5 1.10.8 trusts both the IDs and the collections'
/// object headers: an object whose size runs past its collection makes `H5HG_read` copy beyond the collection's
/// buffer (a crash), a free-space object of size zero makes the collection parser loop forever (a hang), a wrong
/// object index reads outside the collection's object table (a crash). These were the most common libhdf5 failures
/// in tools/fuzz.py.
///
/// Before an attribute's strings are read, its heap IDs are read in stored form (``RawHeapIDs``), and each
/// collection they name is walked the way libhdf5 walks it — only those collections, each once per file: reading a
/// few kilobytes, not the file. A file with a malformed one, or an ID that does not match its collection, is refused
/// with an error. When the stored IDs cannot be read (an unusual address size), every collection of the file is
/// checked instead, by a scan for their signatures. Results are kept per file (path, device, inode, size and
/// modification time). In-memory images are checked the same way, from the core driver's buffer (their internal
/// names are never reused, so a result stays valid); scanning a whole image for collections when it was opened
/// cost a quarter of loading a 114 MB `.keras` archive.
enum GlobalHeapCheck {
    /// What is known of one file: the superblock's address and length sizes and base address (to decode heap IDs
    /// and collection headers), and the collections examined so far, by absolute file offset.
    struct HeapMap {
        var offsetSize = 8
        var lengthSize = 8
        var base = 0
        var collections: [Int: Collection] = [:]
        /// Whether `collections` holds every collection of the file (an image, or a file scanned whole).
        var complete = false
    }

    /// One examined collection: its objects (index → size), not a collection at all, or malformed.
    enum Collection {
        case objects([Int: UInt64])
        case none
        case malformed(Problem)
    }

    /// Files examined: key → what is known of them, or the problem a whole-file scan found. Guarded by the
    /// library lock.
    nonisolated(unsafe) private static var results: [String: Result<HeapMap, Problem>] = [:]

    struct Problem: Error {
        var reason: String
    }

    /// Checks the heap IDs of a variable-length string attribute of `count` elements, and the collections they
    /// point into, before libhdf5 follows them. Call with the library lock held.
    static func checkStrings(attribute id: hid_t, count: Int, _ context: ErrorContext) throws(HDF5Error) {
        guard count > 0, let name = try? fileName(of: id, context: context), !name.isEmpty else { return }
        // A file this process has open for writing (through any handle) may have metadata not yet on disk; it was
        // made here, not received, so it is not checked.
        let fileID = H5Iget_file_id(id)
        guard fileID >= 0 else { return }
        var intent: UInt32 = 0
        let intentKnown = H5Fget_intent(fileID, &intent) >= 0
        H5Fclose(fileID)
        guard intentKnown, intent & chdf5_acc_rdwr() == 0 else { return }
        if let cached = results[name] {  // in-memory images are registered under their internal name
            let map = try unwrap(cached, context)
            // An image's collections are read from the core driver's buffer (no bytes: every heap ID is refused).
            let image = map.complete ? nil : FileBytes.open(fileOf: id, context)
            defer { image?.close() }
            try checkHeapIDs(attribute: id, count: count, map: map, source: image?.source, key: name, context)
            return
        }
        var info = stat()
        guard stat(name, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return }
        let key = "\(name)|\(info.st_dev)|\(info.st_ino)|\(info.st_size)|\(modificationTime(info))"
        let fd = openDescriptor(name, O_RDONLY)
        guard fd >= 0 else { return }
        defer { _ = closeDescriptor(fd) }
        let source = Source(size: Int(info.st_size)) { offset, count in
            guard offset >= 0, count >= 0 else { return nil }
            var buffer = [UInt8](repeating: 0, count: count)
            let got = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(offset)) }
            return got == count ? buffer : nil
        }
        let map: HeapMap
        if let cached = results[key] {
            map = try unwrap(cached, context)
        } else {
            map = superblock(source)
            results[key] = .success(map)
        }
        try checkHeapIDs(attribute: id, count: count, map: map, source: source, key: key, context)
    }

    /// A file's bytes: its size, and a reader of `count` bytes at `offset` (`nil` past the end).
    struct Source {
        var size: Int
        var read: (Int, Int) -> [UInt8]?
        /// All `size` bytes in memory, when they are (an image): scanned in place instead of copied block by block.
        var direct: UnsafeRawBufferPointer? = nil
    }

    private static func unwrap(_ result: Result<HeapMap, Problem>, _ context: ErrorContext) throws(HDF5Error) -> HeapMap {
        switch result {
        case let .success(map): return map
        case let .failure(problem): throw context.error(.library, problem.reason)
        }
    }

    /// Registers an in-memory image when it is opened: its superblock's sizes, under the file's internal name. Its
    /// collections are checked when heap IDs name them (``checkStrings(attribute:count:_:)``). Call with the
    /// library lock held.
    static func register(image: [UInt8], internalName: String) {
        image.withUnsafeBytes { register(image: $0, internalName: internalName) }
    }

    /// ``register(image:internalName:)`` for an image that is not an array (a memory-mapped file).
    static func register(image bytes: UnsafeRawBufferPointer, internalName: String) {
        results[internalName] = .success(superblock(Source(size: bytes.count, read: { offset, count in
            offset >= 0 && count >= 0 && offset <= bytes.count - count ? Array(bytes[offset..<offset + count]) : nil
        })))
    }

    /// The superblock's sizes and base address, with no collection examined yet.
    static func superblock(_ source: Source) -> HeapMap {
        var map = HeapMap()
        if let sizes = superblockSizes(size: source.size, read: source.read) {
            map.offsetSize = sizes.offsetSize
            map.lengthSize = sizes.lengthSize
            map.base = sizes.base
        }
        return map
    }

    /// Every collection of a file, found by their signatures, or the first problem found in one.
    static func scan(_ source: Source) -> Result<HeapMap, Problem> {
        let size = source.size, read = source.read
        var map = superblock(source)
        map.complete = true
        let lengthSize = map.lengthSize
        let block = 4 << 20
        var start = 0
        while start < size {
            let count = min(block + 7, size - start)
            let candidates: [Int]
            if let direct = source.direct, direct.count == size {
                candidates = collectionSignatures(in: UnsafeRawBufferPointer(rebasing: direct[start..<(start + count)]))
            } else {
                guard let bytes = read(start, count) else { break }
                candidates = bytes.withUnsafeBytes { collectionSignatures(in: $0) }
            }
            for k in candidates {
                switch checkCollection(at: start + k, fileSize: size, lengthSize: lengthSize, read: read) {
                case let .success(objects): map.collections[start + k] = .objects(objects)
                case let .failure(problem): return .failure(problem)
                }
            }
            start += block
        }
        return .success(map)
    }

    /// Offsets in `buffer` of "GCOL" followed by version 1 and three zero bytes: candidate collection headers (the
    /// bytes are read in place, not copied).
    static func collectionSignatures(in buffer: UnsafeRawBufferPointer) -> [Int] {
        var found: [Int] = []
        guard let base = buffer.baseAddress, buffer.count >= 8 else { return found }
        // memmem finds each "GCOL" quickly (a lone "G" is in about one byte of 256 of float data); the other bytes
        // are compared as one little-endian word.
        let signature: UInt64 = 0x0000_0001_4C4F_4347
        let needle: (UInt8, UInt8, UInt8, UInt8) = (0x47, 0x43, 0x4F, 0x4C)
        var i = 0
        while i + 8 <= buffer.count {
            let hit = withUnsafeBytes(of: needle) { chdf5_find_bytes(base + i, buffer.count - 4 - i, $0.baseAddress, 4) }
            guard let hit else { break }
            let k = base.distance(to: UnsafeRawPointer(hit))
            if UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: k, as: UInt64.self)) == signature {
                found.append(k)
            }
            i = k + 1
        }
        return found
    }

    /// The collection at absolute offset `offset`: not one when the bytes there do not start with a collection
    /// header (signature `GCOL`, version 1, as libhdf5 requires), else its objects or what is wrong with it.
    static func collection(at offset: Int, lengthSize: Int, _ source: Source) -> Collection {
        guard offset >= 0, offset <= source.size - 8, let head = source.read(offset, 5),
              head.elementsEqual([0x47, 0x43, 0x4F, 0x4C, 1]) else { return .none }
        switch checkCollection(at: offset, fileSize: source.size, lengthSize: lengthSize, read: source.read) {
        case let .success(objects): return .objects(objects)
        case let .failure(problem): return .malformed(problem)
        }
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
    /// collection address, object index): the collection must be a well-formed one, the object must exist, and its
    /// size must equal the length. libhdf5 1.10.8 trusts all three: a wrong index reads outside the collection's
    /// object table (a crash), a length longer than the object allocates and clears that many bytes (a gigabyte from
    /// one flipped bit), a shorter one overflows the buffer it copies into. Collections not yet examined are read from
    /// `source` and remembered under `key`.
    ///
    /// The stored form is read with `H5Aread` into an opaque type through a conversion registered for that pair
    /// (``RawHeapIDs``), which hands over the bytes as stored. When that is not possible (an unusual address size),
    /// every collection of the file is checked instead. Call with the library lock held.
    static func checkHeapIDs(attribute id: hid_t, count: Int, map: HeapMap, source: Source?, key: String,
                             _ context: ErrorContext) throws(HDF5Error) {
        var map = map
        let offsetSize = map.offsetSize
        let idSize = 4 + offsetSize + 4
        guard let raw = RawHeapIDs.read(attribute: id, count: count, idSize: idSize) else {
            // The IDs cannot be examined: fall back on checking every collection of the file.
            if !map.complete, let source {
                let scanned = scan(source)
                results[key] = scanned
                _ = try unwrap(scanned, context)
            }
            return
        }
        var changed = false
        defer { if changed { results[key] = .success(map) } }
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
            guard !overflow else { throw fail("no global heap collection at byte \(address)") }
            var found = map.collections[absolute]
            if found == nil, !map.complete, let source {
                let examined = collection(at: absolute, lengthSize: map.lengthSize, source)
                map.collections[absolute] = examined
                changed = true
                found = examined
            }
            let objects: [Int: UInt64]
            switch found {
            case let .objects(o)?: objects = o
            case let .malformed(problem)?: throw context.error(.library, problem.reason)
            case .none?, nil: throw fail("no global heap collection at byte \(address)")
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
