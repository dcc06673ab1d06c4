import Foundation
@testable import KerasFormat
import _TestSupport
import Testing

@Suite("Layer registry")
struct LayerRegistryTests {
    @Test("no class name is registered by two families")
    func noDuplicateNames() {
        var seen: [String: String] = [:]
        var duplicates: [String] = []
        for (family, decoders) in builtinLayerFamilies {
            for name in decoders.keys {
                if let other = seen[name] { duplicates.append("\(name) (\(other) and \(family))") }
                seen[name] = family
            }
        }
        #expect(duplicates.isEmpty, "registered twice: \(duplicates.sorted())")
        #expect(seen.count == builtinLayerDecoders.count)
    }
}

/// The fixture-driven tests take their cases from the files under `Fixtures/`: with the folder missing or emptied
/// they would run no case and pass. These counts make that a failure.
@Suite("Fixtures are present")
struct FixturePresenceTests {
    @Test("every committed model fixture is there (Fixtures/models/*/manifest.json)")
    func modelFixtures() throws {
        let root = TestFixtures.url("models")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        let manifests = names.filter {
            FileManager.default.fileExists(atPath: root.appendingPathComponent($0).appendingPathComponent("manifest.json").path)
        }
        // 48 model fixtures were committed when this count was written; new ones only add to it.
        #expect(manifests.count >= 48, "found \(manifests.count) model fixtures under \(root.path)")
        #expect(manifests.contains("example"))
    }
}
