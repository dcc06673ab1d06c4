import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One file a write produces, built under a temporary name in the destination's folder (so the final rename stays
/// on one filesystem) and moved into place only when complete.
///
/// The checks made before anything is written:
/// - the destination is none of the protected input files (compared by device and inode, so symlinks, hard links
///   and `a/../b` spellings are caught, and by resolved path);
/// - it does not exist unless `overwrite` (a dangling symlink counts as existing), and it is not a folder;
/// - its folder exists, is a folder, and a file can be created in it (checked by creating and removing the
///   temporary file, because `access(2)` says yes to root even in a read-only folder).
///
/// Without `overwrite` the final step is `link(2)`, which fails rather than replace a file that appeared meanwhile;
/// with it, `rename(2)`, which replaces the destination atomically.
struct OutputFile {
    /// The destination, as given.
    let path: String
    /// The temporary file (not created by ``prepare(_:overwrite:protecting:)``; the writer creates it).
    let temporaryPath: String
    let overwrite: Bool
    /// Whether something was at ``path`` when the write began (so that a failed write of several files removes only
    /// the ones it created).
    let existed: Bool

    /// Checks the destination and picks a temporary name next to it.
    /// - Throws: ``FormatError`` naming the path or its folder.
    static func prepare(_ path: String, overwrite: Bool, protecting inputs: [String]) throws -> OutputFile {
        guard !path.isEmpty else { throw FormatError("the output path is empty") }
        guard !path.utf8.contains(0) else { throw FormatError(file: path, "the output path contains a NUL character") }
        guard !path.hasSuffix("/") else { throw FormatError(file: path, "the output path names a folder, not a file") }
        let (folder, name) = split(path)
        let files = FileManager.default

        var isFolder: ObjCBool = false
        guard files.fileExists(atPath: folder, isDirectory: &isFolder) else {
            throw FormatError(file: path, "the folder `\(folder)` does not exist")
        }
        guard isFolder.boolValue else { throw FormatError(file: path, "`\(folder)` is not a folder") }

        // Never write over an input, whatever the spelling of either path (symlinks, hard links, `a/../b`).
        let target = realPath(path)
        let targetID = target.flatMap(fileID)
        let resolvedTarget = target ?? realPath(folder).map { $0 + "/" + name }
        for input in inputs where !input.isEmpty {
            guard let source = realPath(input) else { continue }
            if source == resolvedTarget || (targetID != nil && fileID(source) == targetID) {
                throw FormatError(file: path, "is the input file `\(input)`: KerasPort never writes over its input; choose another output path")
            }
        }

        // `attributesOfItem` does not follow a symlink, so a dangling one counts as existing.
        let existing = try? files.attributesOfItem(atPath: path)
        if let attributes = existing {
            var isDirectory: ObjCBool = false
            if attributes[.type] as? FileAttributeType == .typeDirectory
                || (files.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue) {
                throw FormatError(file: path, "is a folder; give a file name")
            }
            guard overwrite else {
                throw FormatError(file: path, "already exists; pass overwrite (--force) to replace it")
            }
        }

        // A temporary name in the same folder, short enough for NAME_MAX.
        let token = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        let temporaryPath = (folder.hasSuffix("/") ? folder : folder + "/") + ".\(name.utf8.count <= 96 ? name : "output").\(token).kp-tmp"
        // Probe that the folder takes a new file, with a clear message when it does not.
        let fd = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else {
            throw FormatError(file: path, "cannot write in the folder `\(folder)`: \(String(cString: strerror(errno)))")
        }
        close(fd)
        unlink(temporaryPath)
        return OutputFile(path: path, temporaryPath: temporaryPath, overwrite: overwrite, existed: existing != nil)
    }

    /// Removes the temporary file if it exists (errors ignored: there is nothing better to do).
    func discard() {
        unlink(temporaryPath)
    }

    /// Undoes a ``commit()`` when a later file of the same write failed: removes ``path`` if this write created it.
    /// (A file replaced with `overwrite` cannot be brought back.)
    func retract() {
        if !existed { unlink(path) }
    }

    /// Flushes the temporary file to disk and moves it to ``path``.
    /// - Throws: ``FormatError`` naming the path; the temporary file is removed.
    func commit() throws {
        let fd = open(temporaryPath, O_RDONLY)
        if fd >= 0 {
            _ = fsync(fd)
            close(fd)
        } else {
            let reason = String(cString: strerror(errno))
            discard()
            throw FormatError(file: path, "the temporary file `\(temporaryPath)` is gone: \(reason)")
        }
        if overwrite {
            guard rename(temporaryPath, path) == 0 else {
                let reason = String(cString: strerror(errno))
                discard()
                throw FormatError(file: path, "cannot move the finished file into place: \(reason)")
            }
        } else if link(temporaryPath, path) == 0 {
            unlink(temporaryPath)
        } else {
            let code = errno
            if code == EEXIST {
                discard()
                throw FormatError(file: path, "already exists (it appeared while writing); pass overwrite (--force) to replace it")
            }
            // Filesystems without hard links: check again, then rename.
            guard (try? FileManager.default.attributesOfItem(atPath: path)) == nil else {
                discard()
                throw FormatError(file: path, "already exists (it appeared while writing); pass overwrite (--force) to replace it")
            }
            guard rename(temporaryPath, path) == 0 else {
                let reason = String(cString: strerror(errno))
                discard()
                throw FormatError(file: path, "cannot move the finished file into place: \(reason)")
            }
        }
        syncFolder()
    }

    /// Makes the rename durable (best effort).
    private func syncFolder() {
        let fd = open(Self.split(path).folder, O_RDONLY)
        if fd >= 0 {
            _ = fsync(fd)
            close(fd)
        }
    }

    /// The folder part (`.` when there is none) and the file name of a path.
    static func split(_ path: String) -> (folder: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let folder = String(path[..<slash])
        return (folder.isEmpty ? "/" : folder, String(path[path.index(after: slash)...]))
    }

    /// The device and inode of an existing file.
    static func fileID(_ path: String) -> [Int]? {
        guard let a = try? FileManager.default.attributesOfItem(atPath: path),
              let device = (a[.systemNumber] as? NSNumber)?.intValue,
              let inode = (a[.systemFileNumber] as? NSNumber)?.intValue else { return nil }
        return [device, inode]
    }

    /// `realpath(3)`, or `nil` when the path does not resolve.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
