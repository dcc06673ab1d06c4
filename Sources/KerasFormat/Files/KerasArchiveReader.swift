import Foundation
import ZIPFoundation

/// Reads the members of a `.keras` archive (a ZIP) into memory, without extracting anything to disk.
///
/// Hostile archives are refused with an error naming the archive and the member:
/// - member names that could escape a folder if extracted (absolute, `..` components, backslashes, NUL), and
///   symbolic-link members (ZIPFoundation reports them as `.symlink`; nothing is ever extracted to disk);
/// - more than `memberCountLimit` members, or declared sizes adding up to more than `totalLimit` or
///   `maximumExpansion` times the archive's size, all checked from the central directory before anything is inflated;
/// - sizes: a member's declared size must fit the limit, a deflated member may not claim more than deflate can
///   produce from its compressed size (about 1032:1), and extraction stops as soon as more bytes come out than
///   were declared, so a zip bomb costs at most its declared size, itself bounded by the archive's size;
/// - `model.weights.h5` must start like an HDF5 file, checked on the first inflated block, so a bomb of zeros is
///   refused after one block.
struct KerasArchiveReader {
    let path: String
    let archive: Archive

    /// The largest member read (bytes).
    static let memberLimit = 8 << 30
    /// Deflate's largest expansion is about 1032:1; a member declaring more than this ratio is refused.
    static let maximumExpansion = 1100
    /// The most members an archive may have (Keras writes 3, plus one per asset file).
    static let memberCountLimit = 4096
    /// The most bytes all members together may declare (also at most `maximumExpansion` times the archive's size).
    static let totalLimit = 16 << 30
    /// Extraction block size.
    static let blockSize = 1 << 20

    init(path: String) throws {
        self.path = path
        do {
            archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        } catch {
            throw FormatError(file: path, "not a readable ZIP archive (\(error))")
        }
        // Every member is looked at before anything is inflated: names, kinds, how many, how large in total.
        // The size of the file itself, not of a symbolic link naming it (a user's `model.keras -> …/model.keras`).
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        let archiveSize = (try? FileManager.default.attributesOfItem(atPath: resolved)[.size] as? Int) ?? 0
        let (sizeBound, o) = max(archiveSize, 1).multipliedReportingOverflow(by: Self.maximumExpansion)
        let totalBound = o ? Self.totalLimit : min(Self.totalLimit, sizeBound)
        var count = 0
        var total = 0
        for entry in archive {
            let member = "archive member `\(Self.printable(entry.path))`"
            if let problem = Self.unsafeNameProblem(entry.path) {
                throw FormatError(file: path, object: member, problem)
            }
            if entry.type == .symlink {
                throw FormatError(file: path, object: member, "is a symbolic link; refused (a .keras archive holds only files)")
            }
            count += 1
            guard count <= Self.memberCountLimit else {
                throw FormatError(file: path, "the archive has more than \(Self.memberCountLimit) members; refused before reading any (a zip bomb?)")
            }
            let (sum, overflow) = total.addingReportingOverflow(Int(clamping: entry.uncompressedSize))
            guard !overflow, sum <= totalBound else {
                throw FormatError(file: path, object: member,
                                  "the members declare more than \(totalBound) bytes in total (\(archiveSize)-byte archive); refused before inflating any (a zip bomb?)")
            }
            total = sum
        }
    }

    /// Why a member name is unsafe to extract, or `nil` when it is a plain relative path.
    static func unsafeNameProblem(_ name: String) -> String? {
        if name.isEmpty { return "has an empty name" }
        if name.hasPrefix("/") { return "has an absolute path (path traversal)" }
        if name.contains("\\") { return "has a backslash in its name (path traversal on Windows)" }
        if name.unicodeScalars.contains(where: { $0.value < 0x20 }) { return "has a control character in its name" }
        if name.split(separator: "/", omittingEmptySubsequences: false).contains("..") {
            return "has a `..` component (path traversal)"
        }
        return nil
    }

    /// A name with control characters escaped, for one-line messages.
    static func printable(_ name: String) -> String {
        String(name.unicodeScalars.prefix(200).map { $0.value < 0x20 ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined())
    }

    /// The names of all members.
    var memberNames: [String] { archive.map(\.path) }

    /// The bytes of member `name`, or `nil` when the archive has no such member.
    func read(_ name: String, limit: Int = KerasArchiveReader.memberLimit) throws -> Data? {
        try bytes(name, limit: limit).map { Data($0) }
    }

    /// The bytes of member `name` as an array (no extra copy), or `nil` when the archive has no such member.
    /// - Parameter expectingHDF5: refuse the member as soon as its first block shows no HDF5 signature.
    func bytes(_ name: String, limit: Int = KerasArchiveReader.memberLimit, expectingHDF5: Bool = false) throws -> [UInt8]? {
        guard let entry = archive[name] else { return nil }
        guard entry.type == .file else { throw FormatError(file: path, object: name, "archive member is not a file") }
        let declared = Int(clamping: entry.uncompressedSize)
        guard declared <= limit else {
            throw FormatError(file: path, object: name, "archive member declares \(declared) bytes, above the \(limit)-byte limit")
        }
        let compressed = Int(clamping: entry.compressedSize)
        let (bound, overflow) = max(compressed, 1).multipliedReportingOverflow(by: Self.maximumExpansion)
        guard overflow || declared <= bound else {
            throw FormatError(file: path, object: name,
                              "archive member declares \(declared) bytes from \(compressed) compressed bytes, more than deflate can produce (a zip bomb?)")
        }
        var out: [UInt8] = []
        out.reserveCapacity(min(declared, 64 << 20))
        var checked = !expectingHDF5
        do {
            _ = try archive.extract(entry, bufferSize: Self.blockSize, skipCRC32: false) { chunk in
                guard out.count + chunk.count <= declared else {
                    throw FormatError(file: path, object: name, "archive member inflates past its declared size of \(declared) bytes")
                }
                out.append(contentsOf: chunk)
                if !checked && (out.count >= Self.blockSize || out.count == declared) {
                    checked = true
                    guard Self.hasHDF5Signature(out) else {
                        throw FormatError(file: path, object: name, "is not an HDF5 file (no HDF5 signature in its first \(out.count) bytes)")
                    }
                    // An HDF5 file states where it ends; a member much longer than that is padding (a zip bomb).
                    if let end = Self.hdf5EndOfFile(out), declared > end + (1 << 20) {
                        throw FormatError(file: path, object: name,
                                          "archive member declares \(declared) bytes, but the HDF5 file in it ends at byte \(end) (a zip bomb?)")
                    }
                }
            }
        } catch let e as FormatError {
            throw e
        } catch {
            throw FormatError(file: path, object: name, "cannot read archive member (\(error))")
        }
        guard out.count == declared else {
            throw FormatError(file: path, object: name, "archive member has \(out.count) bytes, declared \(declared)")
        }
        return out
    }

    /// Where member `name` lies in the archive file when it is stored uncompressed (Keras writes every member so):
    /// the offset of its first byte and its length, so that it can be read in place (memory-mapped) instead of
    /// extracted. `nil` when the member is compressed, encrypted or absent, or when its headers are not the plain
    /// kind this reads (ZIP64 sizes or offsets, a local header that disagrees with the central directory): read it
    /// with ``bytes(_:limit:expectingHDF5:)`` then. The member's CRC-32 is not verified on this path (a legacy `.h5`
    /// file has no checksum on its weights either); its HDF5 structure is checked when it is opened, as always.
    func storedRange(_ name: String) -> (offset: Int, length: Int)? {
        guard let entry = archive[name], entry.type == .file, !entry.isCompressed,
              entry.compressedSize == entry.uncompressedSize,
              let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        func read(_ offset: Int, _ count: Int) -> [UInt8]? {
            guard offset >= 0, count >= 0, (try? handle.seek(toOffset: UInt64(offset))) != nil,
                  let data = try? handle.read(upToCount: count), data.count == count else { return nil }
            return [UInt8](data)
        }
        func u16(_ b: [UInt8], _ at: Int) -> Int { Int(b[at]) | Int(b[at + 1]) << 8 }
        func u32(_ b: [UInt8], _ at: Int) -> Int { u16(b, at) | u16(b, at + 2) << 16 }
        guard let end = try? handle.seekToEnd(), end >= 22, end < UInt64(Int.max) else { return nil }
        let size = Int(end)
        // End of central directory record: the last 22 bytes, or earlier by a comment of up to 65535 bytes.
        let tailStart = max(0, size - (22 + 65535))
        guard let tail = read(tailStart, size - tailStart) else { return nil }
        var eocd = tail.count - 22
        while eocd >= 0 && !(tail[eocd] == 0x50 && tail[eocd + 1] == 0x4B && tail[eocd + 2] == 5 && tail[eocd + 3] == 6) {
            eocd -= 1
        }
        guard eocd >= 0 else { return nil }
        let entries = u16(tail, eocd + 10), directorySize = u32(tail, eocd + 12), directoryOffset = u32(tail, eocd + 16)
        guard entries != 0xFFFF, directorySize != 0xFFFF_FFFF, directoryOffset != 0xFFFF_FFFF,
              directoryOffset <= size - directorySize, let directory = read(directoryOffset, directorySize) else { return nil }
        let wanted = Array(name.utf8)
        var at = 0
        for _ in 0..<entries {
            guard at + 46 <= directory.count, u32(directory, at) == 0x0201_4B50 else { return nil }
            let nameLength = u16(directory, at + 28), extra = u16(directory, at + 30), comment = u16(directory, at + 32)
            guard at + 46 + nameLength <= directory.count else { return nil }
            if directory[(at + 46)..<(at + 46 + nameLength)].elementsEqual(wanted) {
                let flags = u16(directory, at + 8), method = u16(directory, at + 10)
                let compressed = u32(directory, at + 20), uncompressed = u32(directory, at + 24)
                let local = u32(directory, at + 42)
                guard flags & 1 == 0, method == 0, compressed == uncompressed, UInt64(uncompressed) == entry.uncompressedSize,
                      uncompressed != 0xFFFF_FFFF, local != 0xFFFF_FFFF,
                      let header = read(local, 30), u32(header, 0) == 0x0403_4B50,
                      u16(header, 8) == 0, u16(header, 26) == nameLength,
                      let localName = read(local + 30, nameLength), localName == wanted else { return nil }
                let start = local + 30 + nameLength + u16(header, 28)
                guard start <= size - uncompressed else { return nil }
                return (start, uncompressed)
            }
            at += 46 + nameLength + extra + comment
        }
        return nil
    }

    /// Whether `bytes` has the HDF5 signature at offset 0, 512, 1024, 2048, … (a user block may precede it).
    static func hasHDF5Signature(_ bytes: [UInt8]) -> Bool {
        let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]
        var offset = 0
        while offset + signature.count <= bytes.count {
            if bytes[offset..<offset + signature.count].elementsEqual(signature) { return true }
            offset = offset == 0 ? 512 : offset * 2
        }
        return false
    }

    /// The end-of-file address an HDF5 superblock states (plus its base address), or `nil` when `bytes` has no
    /// readable superblock. Versions 0 and 1 keep it after the base and free-space addresses; 2 and 3 after the
    /// base and superblock-extension addresses.
    static func hdf5EndOfFile(_ bytes: [UInt8]) -> Int? {
        let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]
        var at = 0
        while at + 64 <= bytes.count {
            if bytes[at..<at + 8].elementsEqual(signature) { break }
            at = at == 0 ? 512 : at * 2
        }
        guard at + 64 <= bytes.count else { return nil }
        let version = bytes[at + 8]
        let offsetSize = Int(version <= 1 ? bytes[at + 13] : bytes[at + 9])
        guard offsetSize == 4 || offsetSize == 8 else { return nil }
        let baseField = version == 0 ? 24 : version == 1 ? 28 : 12
        guard version <= 3, at + baseField + 3 * offsetSize <= bytes.count else { return nil }
        func address(_ k: Int) -> UInt64 {
            var v: UInt64 = 0
            for j in 0..<offsetSize { v |= UInt64(bytes[at + baseField + k * offsetSize + j]) << (8 * UInt64(j)) }
            return v
        }
        let base = address(0), eof = address(2)
        guard eof < UInt64(Int.max / 2), base < UInt64(Int.max / 2) else { return nil }
        return Int(base + eof)
    }

    /// Member `name` as UTF-8 text; an error naming the member when it is missing.
    func text(_ name: String, limit: Int = 256 << 20) throws -> String {
        guard let data = try bytes(name, limit: limit) else {
            throw FormatError(file: path, "the .keras archive has no `\(name)` (members: \(memberNames.prefix(10).map(Self.printable).joined(separator: ", ")))")
        }
        guard let s = String(validating: data, as: UTF8.self) else {
            throw FormatError(file: path, object: name, "is not UTF-8 text")
        }
        return s
    }
}
