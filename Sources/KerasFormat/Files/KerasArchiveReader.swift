import Foundation
import ZIPFoundation

/// Reads the members of a `.keras` archive (a ZIP) into memory, without extracting anything to disk.
///
/// Sizes are bounded: a member's declared size must fit the limit, and extraction stops as soon as more
/// bytes come out than were declared, so a zip bomb costs at most the limit.
struct KerasArchiveReader {
    let path: String
    let archive: Archive

    /// The largest member read (bytes).
    static let memberLimit = 8 << 30

    init(path: String) throws {
        self.path = path
        do {
            archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        } catch {
            throw FormatError(file: path, "not a readable ZIP archive (\(error))")
        }
    }

    /// The names of all members.
    var memberNames: [String] { archive.map(\.path) }

    /// The bytes of member `name`, or `nil` when the archive has no such member.
    func read(_ name: String, limit: Int = KerasArchiveReader.memberLimit) throws -> Data? {
        guard let entry = archive[name] else { return nil }
        guard entry.type == .file else { throw FormatError(file: path, object: name, "archive member is not a file") }
        let declared = Int(clamping: entry.uncompressedSize)
        guard declared <= limit else {
            throw FormatError(file: path, object: name, "archive member declares \(declared) bytes, above the \(limit)-byte limit")
        }
        var out = Data()
        out.reserveCapacity(declared)
        do {
            _ = try archive.extract(entry, bufferSize: 1 << 20, skipCRC32: false) { chunk in
                guard out.count + chunk.count <= declared else {
                    throw FormatError(file: path, object: name, "archive member inflates past its declared size of \(declared) bytes")
                }
                out.append(chunk)
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

    /// Member `name` as UTF-8 text; an error naming the member when it is missing.
    func text(_ name: String, limit: Int = 256 << 20) throws -> String {
        guard let data = try read(name, limit: limit) else {
            throw FormatError(file: path, "the .keras archive has no `\(name)` (members: \(memberNames.prefix(10).joined(separator: ", ")))")
        }
        guard let s = String(data: data, encoding: .utf8) else {
            throw FormatError(file: path, object: name, "is not UTF-8 text")
        }
        return s
    }
}
