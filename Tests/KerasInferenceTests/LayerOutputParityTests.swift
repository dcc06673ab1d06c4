import Foundation
import KerasPort
import Testing
import _TestSupport

/// A fixture that also has Keras' output for individual layers (`layer_outputs` in its manifest).
struct LayerOutputCase: CustomStringConvertible, Sendable {
    var fixture: String
    var file: String
    var config: String?
    var inputs: [String]
    /// Layer name → `.npy` file, relative to the fixture folder.
    var layerOutputs: [String: String]
    var rtol: Float
    var atol: Float
    var description: String { fixture }

    static func all() -> [LayerOutputCase] {
        var out: [LayerOutputCase] = []
        for c in ParityCase.all() where !c.bitwise {
            // One model file per fixture is enough: the per-layer check is about computation, not file formats.
            guard !out.contains(where: { $0.fixture == c.fixture }),
                  let data = FileManager.default.contents(atPath: c.url("manifest.json").path),
                  let m = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let outputs = m["layer_outputs"] as? [String: String], !outputs.isEmpty else { continue }
            out.append(LayerOutputCase(fixture: c.fixture, file: c.file, config: c.config, inputs: c.inputs,
                                       layerOutputs: outputs, rtol: c.rtol, atol: c.atol))
        }
        return out
    }

    func url(_ name: String) -> URL { TestFixtures.url("models/\(fixture)/\(name)") }
}

@Suite("Per-layer parity with real Keras")
struct LayerOutputParityTests {
    /// Every layer Keras recorded an output for matches it within the fixture's bound (rtol 1e-4, atol 1e-5 — the
    /// project's float32 parity bound, see ParityTests). Checking each layer, not only the model output, catches
    /// an error that a later layer would hide (a ReLU clipping a wrong negative, a pooling dropping it).
    @Test("every recorded layer output matches Keras", arguments: LayerOutputCase.all())
    func layerOutputsMatch(_ c: LayerOutputCase) throws {
        let file = try KerasFile.open(c.url(c.file).path, architecture: c.config.map { c.url($0).path })
        let model = try CompiledModel(try file.loadGraph())
        let inputs = try c.inputs.map { try readNPY(contentsOf: c.url($0)) }
        var seen: [String: Tensor] = [:]
        _ = try model.predict(inputs) { layer, call, outputs in
            if call == 0, outputs.count == 1 { seen[layer] = outputs[0] }
        }
        for (layer, path) in c.layerOutputs.sorted(by: { $0.key < $1.key }) {
            let keras = try readNPY(contentsOf: c.url(path))
            guard let ours = seen[layer] else {
                Issue.record("layer `\(layer)`: not run by the compiled model")
                continue
            }
            let r = closeness(ours, keras, rtol: c.rtol, atol: c.atol)
            #expect(r.ok, "layer `\(layer)`: \(r)")
        }
    }
}
