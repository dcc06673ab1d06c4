@testable import KerasFormat
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
