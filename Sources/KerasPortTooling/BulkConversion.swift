import Foundation

/// The plan of a bulk conversion (`keras-port convert DIR --to keras OUTDIR`): which files under a folder are Keras
/// files, where each one's output goes (the same relative path under the output folder, with the format's
/// extension), which architecture JSON goes with a weights-only file, and which files are skipped and why.
///
/// Only names are looked at here (no file is opened): whether a file really is a Keras model, and whether it needs
/// its architecture JSON, is found when it is converted.
package struct BulkConversionPlan: Sendable {
    /// One input file.
    package struct Item: Sendable, Equatable {
        /// Path relative to the input folder (`a/b/model.h5`).
        package var input: String
        /// Path relative to the output folder (`a/b/model.keras`).
        package var output: String
        /// An architecture JSON next to the input (relative to the input folder), used when the input holds only
        /// weights: `<stem>.json`, else `model.json`, else `config.json` in the same folder.
        package var companionConfig: String?
        /// Why the file is not converted (another input maps to the same output), or `nil`.
        package var skipReason: String?
    }

    package var inputFolder: String
    package var outputFolder: String
    package var items: [Item]

    /// Input names taken as Keras files: `.h5`, `.hdf5`, `.keras`, and sharded-weights indexes `.weights.json`.
    /// Plain `.json` files are architectures (companions), not inputs; shards listed by an index are not inputs.
    package static func isCandidate(_ name: String) -> Bool {
        let n = name.lowercased()
        return n.hasSuffix(".h5") || n.hasSuffix(".hdf5") || n.hasSuffix(".keras") || n.hasSuffix(".weights.json")
    }

    /// The file name without the Keras extensions: `model.weights.h5` → `model`, `net.h5` → `net`.
    package static func stem(_ name: String) -> String {
        let n = name.lowercased()
        for suffix in [".weights.h5", ".weights.json", ".hdf5", ".h5", ".keras"] where n.hasSuffix(suffix) {
            return String(name.dropLast(suffix.count))
        }
        return name
    }

    /// Finds the Keras files under `inputFolder` (its subfolders too when `recursive`), in sorted path order.
    /// - Throws: when `inputFolder` is not a readable folder, or `outputFolder` lies inside it (the outputs would be
    ///   picked up as inputs on the next run).
    package init(inputFolder: String, outputFolder: String, recursive: Bool, outputExtension: String) throws {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: inputFolder, isDirectory: &isDir), isDir.boolValue else {
            throw BulkConversionError("\(inputFolder): not a folder")
        }
        let inRoot = URL(fileURLWithPath: inputFolder).standardizedFileURL.resolvingSymlinksInPath().path
        let outRoot = URL(fileURLWithPath: outputFolder).standardizedFileURL.resolvingSymlinksInPath().path
        if outRoot == inRoot || (recursive && outRoot.hasPrefix(inRoot.hasSuffix("/") ? inRoot : inRoot + "/")) {
            throw BulkConversionError("\(outputFolder): the output folder must not be the input folder or inside it")
        }
        self.inputFolder = inputFolder
        self.outputFolder = outputFolder

        var files: [String] = []  // relative paths
        func scan(_ rel: String) throws {
            let abs = rel.isEmpty ? inputFolder : (inputFolder as NSString).appendingPathComponent(rel)
            let names: [String]
            do { names = try fm.contentsOfDirectory(atPath: abs) } catch {
                throw BulkConversionError("\(abs): cannot list the folder (\(error.localizedDescription))")
            }
            for name in names.sorted() where !name.hasPrefix(".") {
                let r = rel.isEmpty ? name : rel + "/" + name
                var d: ObjCBool = false
                guard fm.fileExists(atPath: (abs as NSString).appendingPathComponent(name), isDirectory: &d) else { continue }
                if d.boolValue {
                    if recursive { try scan(r) }
                } else {
                    files.append(r)
                }
            }
        }
        try scan("")
        let fileSet = Set(files)

        // Shards named by a sharded index are read through the index.
        var shards = Set<String>()
        for f in files where f.lowercased().hasSuffix(".weights.json") {
            let folder = (f as NSString).deletingLastPathComponent
            guard let data = fm.contents(atPath: (inputFolder as NSString).appendingPathComponent(f)),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let map = object["weight_map"] as? [String: Any] else { continue }
            for value in map.values {
                for name in (value as? [String]) ?? [value as? String].compactMap({ $0 }) where !name.contains("/") {
                    shards.insert(folder.isEmpty ? name : folder + "/" + name)
                }
            }
        }

        var taken: [String: String] = [:]  // output → input
        var items: [Item] = []
        for f in files where Self.isCandidate((f as NSString).lastPathComponent) && !shards.contains(f) {
            let folder = (f as NSString).deletingLastPathComponent
            let name = (f as NSString).lastPathComponent
            let stem = Self.stem(name)
            let output = (folder.isEmpty ? "" : folder + "/") + stem + outputExtension
            var companion: String?
            var stems = [stem]
            if stem.lowercased().hasSuffix("_weights") { stems.append(String(stem.dropLast("_weights".count))) }
            for candidate in stems.map({ $0 + ".json" }) + ["model.json", "config.json"] {
                let r = folder.isEmpty ? candidate : folder + "/" + candidate
                if fileSet.contains(r) && !candidate.lowercased().hasSuffix(".weights.json") {
                    companion = r
                    break
                }
            }
            var item = Item(input: f, output: output, companionConfig: companion, skipReason: nil)
            if let other = taken[output] {
                item.skipReason = "its output \(output) is already the output of \(other)"
            } else {
                taken[output] = f
            }
            items.append(item)
        }
        self.items = items
    }
}

/// A bulk conversion that cannot start: one line naming the folder.
package struct BulkConversionError: Error, CustomStringConvertible, Sendable {
    package var description: String
    package init(_ description: String) { self.description = description }
}
