import Foundation
import KerasFormat
import KerasGraph
import Testing
import _TestSupport

/// For tools/interop.sh: with `KERASPORT_INTEROP_DIR` set, writes every fixture in every format that can express it
/// into that folder, plus `interop.json`, the list tools/check_interop.py takes (each file with its fixture, the
/// loaders to try, and the architecture JSON of a `.weights.h5`). Real Keras 3 loads everything; tf_keras also loads
/// the Keras 2 dialect `.h5` files. Without the variable the test does nothing.
@Suite("Writers: files for the real-Keras interop check")
struct WriterInteropExport {
    static let folder = ProcessInfo.processInfo.environment["KERASPORT_INTEROP_DIR"]

    @Test("write every fixture in every format for check_interop.py",
          .enabled(if: folder != nil, "run by tools/interop.sh, which sets KERASPORT_INTEROP_DIR"))
    func export() throws {
        let folder = try #require(Self.folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var items: [JSONValue] = []
        var refused: [String] = []
        for fixture in WriterFixture.all() {
            let graph = try fixture.loadGraph()
            for format in KerasWriteFormat.allCases {
                let name = outputName(fixture.name, format)
                let out = "\(folder)/\(name)"
                let json = format == .weightsH5 ? "\(folder)/\(fixture.name).json" : nil
                do {
                    try KerasFileWriter.write(graph, to: out, format: format, overwrite: true, architectureJSONPath: json,
                                              protecting: [fixture.path] + (fixture.configPath.map { [$0] } ?? []))
                } catch let e as FormatError {
                    #expect(inexpressible[fixture.name]?[format] != nil, "\(e)")
                    refused.append("\(name): \(e.reason)")
                    continue
                }
                var item: [(String, JSONValue)] = [
                    ("file", .string(out)), ("fixture", .string(fixture.folder)),
                    ("loaders", .array((format == .legacyH5Keras2 ? ["keras3", "tf_keras"] : ["keras3"]).map { .string($0) })),
                ]
                if let json { item.append(("config", .string(json))) }
                items.append(.object(item))
            }
        }
        try JSONValue.array(items).serialized(pretty: true)
            .write(toFile: "\(folder)/interop.json", atomically: true, encoding: .utf8)
        try (refused.joined(separator: "\n") + "\n").write(toFile: "\(folder)/refused.txt", atomically: true, encoding: .utf8)
    }
}
