import Foundation
import KerasPort
import Testing
import _TestSupport

/// One fixture file with the inputs and the outputs real Keras computed for it (tools/make_fixtures.py).
struct ParityCase: CustomStringConvertible, Sendable {
    var fixture: String
    var file: String
    var config: String?
    var inputs: [String]
    var outputs: [String]
    /// `bitwise` for the activation-only fixtures; otherwise `|ours − keras| ≤ atol + rtol·|keras|`.
    var bitwise: Bool
    var rtol: Float
    var atol: Float
    var description: String { "\(fixture)/\(file)" }

    static func all() -> [ParityCase] {
        let root = TestFixtures.url("models")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        var out: [ParityCase] = []
        for name in names.sorted() {
            guard let data = FileManager.default.contents(atPath: root.appendingPathComponent("\(name)/manifest.json").path),
                  let m = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { continue }
            let inputs = (m["inputs"] as? [[String: Any]] ?? []).compactMap { $0["file"] as? String }
            let outputs = (m["outputs"] as? [[String: Any]] ?? []).compactMap { $0["file"] as? String }
            let tol = m["tolerance"] as? [String: Any]
            for f in m["files"] as? [[String: Any]] ?? [] {
                out.append(ParityCase(fixture: name, file: f["file"] as? String ?? "", config: f["config"] as? String,
                                      inputs: inputs, outputs: outputs, bitwise: (m["compare"] as? String) == "bitwise",
                                      rtol: (tol?["rtol"] as? NSNumber)?.floatValue ?? 1e-4,
                                      atol: (tol?["atol"] as? NSNumber)?.floatValue ?? 1e-5))
            }
        }
        return out
    }

    func url(_ name: String) -> URL { TestFixtures.url("models/\(fixture)/\(name)") }
}

@Suite("Parity with real Keras on every fixture")
struct ParityTests {
    /// The bound is the project's parity bound for float32 (rtol 1e-4, atol 1e-5, from each manifest): GEMM-based
    /// convolutions sum in another order than TensorFlow's kernels, which moves results by a few ulps per
    /// accumulation. Activation-only fixtures (`compare: bitwise`) must match bit for bit.
    @Test("outputs match Keras", arguments: ParityCase.all())
    func matchesKeras(_ c: ParityCase) throws {
        let file = try KerasFile.open(c.url(c.file).path, architecture: c.config.map { c.url($0).path })
        let model = try CompiledModel(try file.loadGraph())
        let inputs = try c.inputs.map { try readNPY(contentsOf: c.url($0)) }
        let expected = try c.outputs.map { try readNPY(contentsOf: c.url($0)) }
        let outputs = try model.predict(inputs)
        try #require(outputs.count == expected.count)
        for (i, (ours, keras)) in zip(outputs, expected).enumerated() {
            if c.bitwise {
                #expect(bitwiseEqual(ours, keras), "output \(i): not bit-identical to Keras: \(firstBitwiseDifference(ours, keras))")
            } else {
                let r = closeness(ours, keras, rtol: c.rtol, atol: c.atol)
                #expect(r.ok, "output \(i): \(r)")
            }
        }
    }
}
