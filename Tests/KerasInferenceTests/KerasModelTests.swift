import Foundation
import KerasPort
import Testing
import _TestSupport

/// The front door: `KerasModel(contentsOf:)`, `predict`, `activations`, `write`, and `KerasPortError`.
@Suite("KerasModel: the front door")
struct KerasModelTests {
    static let example = TestFixtures.url("models/example/model.h5")

    static var exampleExists: Bool { FileManager.default.fileExists(atPath: example.path) }

    @Test("opens the example, predicts what Keras predicted, lists its alphas",
          .enabled(if: exampleExists, "Fixtures/models/example/model.h5 is missing"))
    func example() throws {
        let model = try KerasModel(contentsOf: Self.example)
        #expect(model.isRunnable)
        #expect(model.inputs.map(\.name) == ["image"])
        #expect(model.inputs.first?.shape == [nil, 8, 8, 3])
        let x = try readNPY(contentsOf: TestFixtures.url("models/example/input_0.npy"))
        let expected = try readNPY(contentsOf: TestFixtures.url("models/example/expected_0.npy"))
        let y = try model.predict([x])[0]
        // The fixtures' bound (README "Parity with Keras"): float32 reassociation in Conv2D/Dense sums.
        let c = closeness(y, expected, rtol: 1e-4, atol: 1e-5)
        #expect(c.ok, "\(c)")
        // The [Float] + shape form gives the same numbers.
        let flat = try model.predict(x.scalars, shape: x.shape)
        #expect(flat.shape == y.shape && flat.values == y.scalars)

        let kinds = model.activations.map(\.kind)
        #expect(kinds == [.pReLU, .leakyReLU])
        #expect(model.activations[0].sharedAxes == [1, 2])
        #expect(model.activations[0].alphaShape.count == 3 && model.activations[0].alphaShape.prefix(2) == [1, 1])
        #expect(model.activations[1].slope == 0.2)
    }

    @Test("predicting from 8 tasks at once gives the serial results, bit for bit",
          .enabled(if: exampleExists, "Fixtures/models/example/model.h5 is missing"))
    func concurrent() async throws {
        let model = try KerasModel(contentsOf: Self.example)
        let inputs = (0..<8).map { k in
            Tensor(shape: [1 + k % 3, 8, 8, 3], scalars: (0..<((1 + k % 3) * 192)).map { Float(($0 * 7 + k) % 23) / 11 - 1 })
        }
        let serial = try inputs.map { try model.predict([$0])[0] }
        let parallel = try await withThrowingTaskGroup(of: (Int, Tensor).self) { group in
            for (k, x) in inputs.enumerated() {
                group.addTask { (k, try model.predict([x])[0]) }
            }
            var out = [Tensor?](repeating: nil, count: inputs.count)
            for try await (k, y) in group { out[k] = y }
            return out
        }
        for k in inputs.indices {
            #expect(parallel[k].map { bitwiseEqual($0, serial[k]) } == true, "task \(k)")
        }
    }

    @Test("errors are KerasPortError with a kind, the file and one line")
    func errors() throws {
        let missing = URL(fileURLWithPath: "/nonexistent/model.h5")
        do {
            _ = try KerasModel(contentsOf: missing)
            Issue.record("opening a missing file succeeded")
        } catch {
            #expect(error.kind == .fileNotFound, "\(error)")
            #expect(error.message.contains("/nonexistent/model.h5"))
            #expect(!error.message.contains("\n"))
        }
    }

    @Test("a wrong input is an invalidInput error naming the input",
          .enabled(if: exampleExists, "Fixtures/models/example/model.h5 is missing"))
    func inputErrors() throws {
        let model = try KerasModel(contentsOf: Self.example)
        do {
            _ = try model.predict([Tensor(shape: [1, 4, 4, 3], repeating: 0)])
            Issue.record("a wrong input shape was accepted")
        } catch {
            #expect(error.kind == .invalidInput, "\(error)")
            #expect(error.message.contains("image"), "\(error)")
        }
        do {
            _ = try model.predict([1, 2, 3], shape: [1, 8, 8, 3])
            Issue.record("too few values were accepted")
        } catch {
            #expect(error.kind == .invalidInput)
        }
    }

    @Test("write(to:format:) writes a file that opens and predicts the same",
          .enabled(if: exampleExists, "Fixtures/models/example/model.h5 is missing"))
    func write() throws {
        let model = try KerasModel(contentsOf: Self.example)
        let dir = try TestFixtures.temporaryDirectory("kerasmodel")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("model.keras")
        try model.write(to: out, format: .keras)
        let again = try KerasModel(contentsOf: out)
        #expect(again.format == .kerasArchive)
        let x = try readNPY(contentsOf: TestFixtures.url("models/example/input_0.npy"))
        #expect(bitwiseEqual(try again.predict([x])[0], try model.predict([x])[0]))
        // An existing file is refused without `overwrite`.
        #expect(throws: KerasPortError.self) { try model.write(to: out, format: .keras) }
    }
}
