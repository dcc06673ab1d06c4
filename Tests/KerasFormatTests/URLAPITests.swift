import Foundation
import KerasPort
import Testing
import _TestSupport

/// The step-by-step API's `URL` forms: the same graph as the path forms, and non-file URLs refused by name.
@Suite("URL forms of the step-by-step API")
struct URLAPITests {
    static let example = TestFixtures.url("models/example/model.h5")

    @Test("KerasFile.open(URL) and KerasFileWriter.write(to: URL) round-trip the example model")
    func roundTrip() throws {
        let byURL = try KerasFile.open(Self.example).loadGraph()
        let byPath = try KerasFile.open(Self.example.path).loadGraph()
        #expect(byURL.nodes.map(\.name) == byPath.nodes.map(\.name))
        #expect(byURL.nodes.map { $0.layer.weights.map(\.tensor) } == byPath.nodes.map { $0.layer.weights.map(\.tensor) })

        let folder = try TestFixtures.temporaryDirectory("url-api")
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("m.keras")
        try KerasFileWriter.write(byURL, to: out, format: .keras, protecting: [Self.example])
        let back = try KerasFile.open(out).loadGraph()
        #expect(back.nodes.map(\.name) == byURL.nodes.map(\.name))
        #expect(back.nodes.map { $0.layer.weights.map(\.tensor) } == byURL.nodes.map { $0.layer.weights.map(\.tensor) })
    }

    @Test("a URL that is not a file URL is refused, naming it")
    func nonFileURL() throws {
        let remote = try #require(URL(string: "https://example.com/model.h5"))
        let error = #expect(throws: (any Error).self) { try KerasFile.open(remote) }
        #expect("\(error.map { "\($0)" } ?? "")".contains("https://example.com/model.h5"))
        #expect(throws: (any Error).self) { try Safetensors.read(remote) }
    }
}
