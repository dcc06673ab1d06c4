internal import CHDF5

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// A check of an object's attribute messages, made before libhdf5 decodes them.
///
/// libhdf5 1.10.8 decodes an attribute message (`H5O__attr_decode`, on `H5Aexists`, `H5Aopen`, `H5Aiterate`) by
/// trusting the sizes it states: the name is copied with `strdup` up to its first NUL, the datatype and dataspace
/// are decoded at the offsets the name/datatype/dataspace sizes give, and `elements × element size` bytes of data
/// are copied — none of it bounded by the message's own size. One flipped bit in a size field makes it read past
/// the object header (tools/fuzz.py seed 239085709670522: a datatype size of 32788 in a 72-byte message crashed
/// `H5Aexists`). Before the first attribute operation on an object, its object header (version 1 or 2, with its
/// continuation chunks) is read from the file and every attribute message stored in it is checked: the three
/// sizes and the data fit the message, the name ends with a NUL within its size, the dataspace's rank and
/// dimensions fit its size. A message this parser cannot follow is left to libhdf5 (it opened the object, so the
/// message headers themselves are sound); only an attribute message that would make libhdf5 read outside it is
/// refused. Results are kept per file and object address. Files open for writing in this process are not checked.
enum ObjectHeaderCheck {
    /// Examined objects: file key → object address → the problem found (nil: fine). Guarded by the library lock.
    nonisolated(unsafe) private static var results: [String: [UInt64: GlobalHeapCheck.Problem?]] = [:]

    /// Checks the attribute messages of the object `id`. Call with the library lock held.
    /// `bytes`: the file's bytes when the caller has them open (otherwise they are opened for this check).
    static func checkAttributes(of id: hid_t, _ context: ErrorContext, bytes: FileBytes? = nil) throws(HDF5Error) {
        var objectAddress: haddr_t = 0
        guard chdf5_object_address(id, &objectAddress) >= 0 else {
            H5Eclear2(chdf5_e_default())
            return
        }
        guard let file = bytes ?? FileBytes.open(fileOf: id, context) else { return }
        defer { if bytes == nil { file.close() } }
        let address = UInt64(objectAddress)
        if let known = results[file.key]?[address] {
            if let problem = known { throw context.error(.library, problem.reason) }
            return
        }
        let problem = examine(address: address, file)
        results[file.key, default: [:]][address] = .some(problem)
        if let problem { throw context.error(.library, problem.reason) }
    }

    /// The first attribute message of the object header at `address` that libhdf5 would read outside of.
    static func examine(address: UInt64, _ file: FileBytes) -> GlobalHeapCheck.Problem? {
        guard let (start, map, messages) = headerMessages(address: address, file) else { return nil }
        for m in messages where m.type == 0x0C && m.flags & 0x02 == 0 {  // attribute, not shared
            guard let bytes = file.source.read(m.at, m.size) else { continue }
            if let what = attributeProblem(bytes, map: map) {
                return GlobalHeapCheck.Problem(reason:
                    "corrupted attribute message at byte \(m.at) of the object header at byte \(start) (\(what)); libhdf5 would read outside it")
            }
        }
        return nil
    }

    /// One message of an object header: its type, flags, and where its data lies in the file.
    typealias Message = (type: Int, flags: UInt8, at: Int, size: Int)

    /// The messages of the object header at `address` (version 1 or 2, following continuation chunks), with the
    /// header's absolute offset and the superblock's sizes; `nil` when the header is not one this parser follows.
    static func headerMessages(address: UInt64, _ file: FileBytes) -> (start: Int, map: GlobalHeapCheck.HeapMap, messages: [Message])? {
        let map = GlobalHeapCheck.superblock(file.source)
        let (start, overflow) = Int(clamping: address).addingReportingOverflow(map.base)
        guard !overflow else { return nil }
        var messages: [Message] = []
        var chunks: [(at: Int, end: Int, version: Int)] = []
        guard let head = file.source.read(start, 16) else { return nil }
        if head[0] == 1 {  // version 1: 16-byte prefix, 8-byte message headers
            let size = Int(GlobalHeapCheck.littleEndian(head[8..<12]))
            chunks.append((start + 16, start + 16 + size, 1))
        } else if head[0..<4].elementsEqual([0x4F, 0x48, 0x44, 0x52]), head[4] == 2 {  // "OHDR", version 2
            let flags = head[5]
            var p = 6 + (flags & 0x20 != 0 ? 16 : 0) + (flags & 0x10 != 0 ? 4 : 0)
            let width = 1 << Int(flags & 3)
            guard let sizeBytes = file.source.read(start + p, width) else { return nil }
            p += width
            let size = Int(GlobalHeapCheck.littleEndian(sizeBytes[0..<width]))
            chunks.append((start + p, start + p + size, 2))
        } else {
            return nil
        }
        let v2CreationOrder = head[0] != 1 && head[5] & 0x04 != 0
        var k = 0
        while k < chunks.count, k < 256 {
            let chunk = chunks[k]
            k += 1
            guard chunk.end > chunk.at, chunk.end - chunk.at <= 1 << 24, let bytes = file.source.read(chunk.at, chunk.end - chunk.at)
            else { return nil }
            var p = 0
            let headerSize = chunk.version == 1 ? 8 : (v2CreationOrder ? 6 : 4)
            let limit = bytes.count - (chunk.version == 1 ? 0 : 4)  // version 2 chunks end with a checksum
            while p + headerSize <= limit {
                let type: Int, size: Int, flags: UInt8
                if chunk.version == 1 {
                    type = Int(bytes[p]) | Int(bytes[p + 1]) << 8
                    size = Int(bytes[p + 2]) | Int(bytes[p + 3]) << 8
                    flags = bytes[p + 4]
                } else {
                    type = Int(bytes[p])
                    size = Int(bytes[p + 1]) | Int(bytes[p + 2]) << 8
                    flags = bytes[p + 3]
                }
                let data = p + headerSize
                guard data + size <= limit else { break }  // libhdf5 refuses such a chunk itself
                messages.append((type, flags, chunk.at + data, size))
                if type == 0x10, size >= map.offsetSize + map.lengthSize {  // continuation
                    let offset = Int(clamping: GlobalHeapCheck.littleEndian(bytes[data..<data + map.offsetSize]))
                    let length = Int(clamping: GlobalHeapCheck.littleEndian(bytes[data + map.offsetSize..<data + map.offsetSize + map.lengthSize]))
                    let (at, o) = offset.addingReportingOverflow(map.base)
                    if !o, length > 0, at >= 0 {
                        if chunk.version == 1 {
                            chunks.append((at, at + length, 1))
                        } else {
                            chunks.append((at + 4, at + length, 2))  // after "OCHK"
                        }
                    }
                }
                p = data + size
            }
        }
        return (start, map, messages)
    }

    /// What is wrong with one attribute message (its bytes), or nil.
    static func attributeProblem(_ b: [UInt8], map: GlobalHeapCheck.HeapMap) -> String? {
        guard b.count >= 8 else { return "\(b.count) bytes, too short" }
        let version = b[0]
        guard (1...3).contains(version) else { return nil }  // libhdf5 refuses other versions itself
        let flags = version == 1 ? 0 : b[1]
        let nameSize = Int(b[2]) | Int(b[3]) << 8
        let typeSize = Int(b[4]) | Int(b[5]) << 8
        let spaceSize = Int(b[6]) | Int(b[7]) << 8
        func pad(_ n: Int) -> Int { version == 1 ? (n + 7) & ~7 : n }
        let nameAt = version == 3 ? 9 : 8
        let typeAt = nameAt + pad(nameSize)
        let spaceAt = typeAt + pad(typeSize)
        let dataAt = spaceAt + pad(spaceSize)
        guard dataAt <= b.count else {
            return "name, datatype and dataspace sizes \(nameSize), \(typeSize), \(spaceSize) exceed the message's \(b.count) bytes"
        }
        guard nameSize > 0, b[nameAt..<nameAt + nameSize].contains(0) else { return "the name is not terminated" }
        // The element size, from the datatype (not shared): bytes 4…7 of its encoding.
        var elementSize: Int?
        if flags & 0x01 == 0 {
            guard typeSize >= 8 else { return "a datatype of \(typeSize) bytes" }
            elementSize = Int(GlobalHeapCheck.littleEndian(b[typeAt + 4..<typeAt + 8]))
        }
        // The element count, from the dataspace (not shared).
        var elements: Int? = nil
        if flags & 0x02 == 0 {
            guard spaceSize >= 4 else { return "a dataspace of \(spaceSize) bytes" }
            let sv = b[spaceAt], rank = Int(b[spaceAt + 1]), spaceFlags = b[spaceAt + 2]
            guard sv == 1 || sv == 2 else { return nil }  // libhdf5 refuses other versions itself
            guard rank <= 32 else { return "a dataspace of rank \(rank)" }
            let dimsAt = spaceAt + (sv == 1 ? 8 : 4)
            let width = sv == 1 ? 8 : map.lengthSize
            let need = (sv == 1 ? 8 : 4) + rank * width * (spaceFlags & 0x01 != 0 ? 2 : 1)
            guard need <= spaceSize else { return "a dataspace of rank \(rank) in \(spaceSize) bytes" }
            var count = sv == 2 && b[spaceAt + 3] == 2 ? 0 : 1  // version 2 type 2: null dataspace
            for d in 0..<rank {
                let dim = GlobalHeapCheck.littleEndian(b[dimsAt + d * width..<dimsAt + (d + 1) * width])
                let (c, o) = count.multipliedReportingOverflow(by: Int(clamping: dim))
                guard !o, dim <= UInt64(Int.max) else { return "dimensions that overflow" }
                count = c
            }
            elements = count
        }
        if let elements, let elementSize {
            let (bytes, o) = elements.multipliedReportingOverflow(by: elementSize)
            guard !o, bytes <= b.count - dataAt else {
                return "\(elements) elements of \(elementSize) bytes, but \(b.count - dataAt) bytes of data"
            }
        }
        return nil
    }
}

/// The bytes of an open file, for structural checks: a regular file read with `pread`, or an in-memory image
/// read through the core driver's buffer. `nil` for files open for writing.
struct FileBytes {
    var key: String
    var source: GlobalHeapCheck.Source
    var fd: Int32 = -1

    func close() {
        if fd >= 0 { _ = closeDescriptor(fd) }
    }

    /// Call with the library lock held.
    static func open(fileOf id: hid_t, _ context: ErrorContext) -> FileBytes? {
        let fileID = H5Iget_file_id(id)
        guard fileID >= 0 else { return nil }
        defer { H5Fclose(fileID) }
        var intent: UInt32 = 0
        guard H5Fget_intent(fileID, &intent) >= 0, intent & chdf5_acc_rdwr() == 0,
              let name = try? fileName(of: fileID, context: context), !name.isEmpty else {
            H5Eclear2(chdf5_e_default())
            return nil
        }
        if name.hasPrefix("/dev/null/hdf5-swift-image-") {
            // The core driver's handle is the address of its buffer pointer; the image is read-only and stays put.
            var handle: UnsafeMutableRawPointer?
            var size: hsize_t = 0
            guard H5Fget_vfd_handle(fileID, chdf5_p_default(), &handle) >= 0, H5Fget_filesize(fileID, &size) >= 0,
                  let handle, let memory = handle.assumingMemoryBound(to: UnsafeMutablePointer<UInt8>?.self).pointee else {
                H5Eclear2(chdf5_e_default())
                return nil
            }
            let total = Int(clamping: size)
            return FileBytes(key: name, source: GlobalHeapCheck.Source(size: total, read: { offset, count in
                guard offset >= 0, count >= 0, offset <= total - count else { return nil }
                return Array(UnsafeBufferPointer(start: memory + offset, count: count))
            }, direct: UnsafeRawBufferPointer(start: memory, count: total)))
        }
        var info = stat()
        guard stat(name, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        let fd = openDescriptor(name, O_RDONLY)
        guard fd >= 0 else { return nil }
        let total = Int(info.st_size)
        let key = "\(name)|\(info.st_dev)|\(info.st_ino)|\(info.st_size)|\(modificationTime(info))"
        return FileBytes(key: key, source: GlobalHeapCheck.Source(size: total) { offset, count in
            guard offset >= 0, count >= 0, offset <= total - count else { return nil }
            var buffer = [UInt8](repeating: 0, count: count)
            let got = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(offset)) }
            return got == count ? buffer : nil
        }, fd: fd)
    }
}
