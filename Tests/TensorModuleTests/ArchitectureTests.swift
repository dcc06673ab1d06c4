import Foundation
import Testing

/// The dependency rules of the package, checked on the sources: only `HDF5` imports libhdf5 (`CHDF5`), only
/// `TensorModule` imports OpenBLAS (`CBLAS`) and the C kernels (`CKernels`).
@Suite("Architecture")
struct ArchitectureTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources")

    /// Swift files under Sources/ that import `module`, as paths relative to Sources/.
    func importers(of module: String) throws -> Set<String> {
        let root = Self.sources.standardizedFileURL.path
        var found: Set<String> = []
        let files = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
        for file in files where file.hasSuffix(".swift") {
            let text = try String(contentsOfFile: root + "/" + file, encoding: .utf8)
            for line in text.split(separator: "\n") {
                let words = line.split(separator: " ")
                if let i = words.firstIndex(of: "import"), i + 1 < words.count, words[i + 1] == module,
                   words[..<i].allSatisfy({ ["internal", "private", "fileprivate", "public", "@_implementationOnly"].contains($0) }) {
                    found.insert(file)
                }
            }
        }
        return found
    }

    @Test("the Sources folder is found")
    func sourcesExist() {
        #expect(FileManager.default.fileExists(atPath: Self.sources.appendingPathComponent("TensorModule").path))
    }

    @Test("only HDF5 imports CHDF5; only TensorModule imports CBLAS and CKernels", arguments: [
        ("CHDF5", "HDF5/"), ("CBLAS", "TensorModule/"), ("CKernels", "TensorModule/"),
    ])
    func importRules(_ rule: (String, String)) throws {
        let files = try importers(of: rule.0)
        #expect(!files.isEmpty, "no file imports \(rule.0): the check itself is broken")
        let outside = files.filter { !$0.hasPrefix(rule.1) }
        #expect(outside.isEmpty, "\(rule.0) imported outside \(rule.1): \(outside.sorted())")
    }
}
