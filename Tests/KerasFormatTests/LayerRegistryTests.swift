import Foundation
@testable import KerasFormat
import _TestSupport
import KerasGraph
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

    @Test("README.md's supported-layers section is the generated one (keras-port layers --markdown)")
    func readmeMatchesRegistry() throws {
        let readme = try String(contentsOf: TestFixtures.repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let begin = try #require(readme.range(of: LayerRegistry.readmeBeginMarker), "README.md has no begin marker")
        let end = try #require(readme.range(of: LayerRegistry.readmeEndMarker), "README.md has no end marker")
        let section = String(readme[begin.upperBound..<end.lowerBound]).trimmingCharacters(in: .newlines)
        let generated = LayerRegistry.supportedLayersMarkdown().trimmingCharacters(in: .newlines)
        let a = section.split(separator: "\n", omittingEmptySubsequences: false)
        let b = generated.split(separator: "\n", omittingEmptySubsequences: false)
        let firstDiff = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
        #expect(section == generated, """
            README.md's section differs from `keras-port layers --markdown` at line \(firstDiff + 1): \
            README: \(firstDiff < a.count ? String(a[firstDiff]) : "(end)") | generated: \(firstDiff < b.count ? String(b[firstDiff]) : "(end)")
            """)
    }

    @Test("a known-unsupported class is never also registered, and each has a reason")
    func unsupportedClassesAreNotRegistered() {
        for (name, reason) in LayerRegistry.unsupportedClasses {
            #expect(builtinLayerDecoders[name] == nil, "\(name) is registered and listed as unsupported")
            #expect(!reason.isEmpty, "\(name) has no reason")
        }
        let names = LayerRegistry.knownUnsupported.map(\.name)
        #expect(Set(names).count == names.count, "a class is listed twice as unsupported")
    }

    @Test("an unsupported class reads as an opaque layer that carries its reason; a custom class carries none")
    func unsupportedReasonReachesTheOpaqueLayer() throws {
        let c = LayerConfig(className: "StringLookup", name: "lookup", config: .object([("name", .string("lookup"))]),
                            dialect: .keras3)
        let layer = try #require(try LayerRegistry.decode(c) as? OpaqueLayer)
        #expect(layer.unsupportedReason?.contains("text") == true)
        let custom = LayerConfig(className: "MyScale", name: "s", config: .object([]), dialect: .keras3)
        #expect((try LayerRegistry.decode(custom) as? OpaqueLayer)?.unsupportedReason == nil)
    }

    @Test("every listed activation name decodes; glu, threshold and unknown names are refused, naming the name")
    func activationNames() throws {
        let c = LayerConfig(className: "Dense", name: "d", config: .object([]), dialect: .keras3)
        for name in LayerRegistry.supportedActivationNames {
            _ = try c.activationFunction(named: name)
            _ = try c.activationFunction(named: "keras.activations." + name)
        }
        for name in ["glu", "threshold", "no_such_function"] {
            #expect { try c.activationFunction(named: name) } throws: { "\($0)".contains("`\(name)`") }
        }
    }

    @Test("activation names come from one table: each name decodes to the function that reports it, aliases included")
    func activationNameTable() throws {
        for dialect in [ConfigDialect.keras2, .keras3] {
            let c = LayerConfig(className: "Dense", name: "d", config: .object([]), dialect: dialect)
            let functions = ActivationFunction.byName(dialect: dialect)
            #expect(Set(functions.map(\.kerasName)).count == functions.count)
            for f in functions { #expect(try c.activationFunction(named: f.kerasName) == f) }
            for (alias, name) in ActivationFunction.nameAliases {
                #expect(try c.activationFunction(named: alias).kerasName == name)
            }
        }
        #expect(LayerConfig.activationNames.count == 30)
        let keras2 = LayerConfig(className: "Dense", name: "d", config: .object([]), dialect: .keras2)
        #expect(try keras2.activationFunction(named: "hard_sigmoid") == .hardSigmoid(.keras2))
        #expect(try keras2.activationFunction(named: "leaky_relu") == .leakyReLU(negativeSlope: 0.2))
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
