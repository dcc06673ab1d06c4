import ArgumentParser
import Foundation
import KerasPort
import KerasPortTooling
import Testing
import _TestSupport
@testable import keras_port

/// Runs the built `keras-port` binary (it sits next to the test bundle) and captures its output.
struct CLI {
    typealias Result = ProgramOutput

    static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("keras-port")
    }

    static func run(_ args: [String]) throws -> Result { try Programs.run(binary, args) }
}

@Suite("keras-port command line")
struct CLITests {
    let example = TestFixtures.path("models/example/model.h5")

    @Test("the binary exists next to the tests")
    func binaryExists() {
        #expect(FileManager.default.isExecutableFile(atPath: CLI.binary.path), "\(CLI.binary.path)")
    }

    @Test("--help lists every subcommand and --version prints the version")
    func helpAndVersion() throws {
        let help = try CLI.run(["--help"])
        #expect(help.status == 0)
        for cmd in ["inspect", "predict", "convert", "edit", "bench"] { #expect(help.stdout.contains(cmd), "\(cmd) missing from --help") }
        let version = try CLI.run(["--version"])
        #expect(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == KerasPortVersion.string)
    }

    @Test("arguments parse in-process")
    func parsesInProcess() throws {
        let cmd = try KerasPortCommand.parseAsRoot(["inspect", "m.h5", "--json", "--alphas"])
        let inspect = try #require(cmd as? KerasPortCommand.Inspect)
        #expect(inspect.json && inspect.alphas && inspect.model.model == "m.h5")
        let edit = try #require(try KerasPortCommand.parseAsRoot(["edit", "a.h5", "b.h5", "--set-slope", "l=0.1", "--to-prelu", "x"]) as? KerasPortCommand.Edit)
        #expect(edit.setSlope == ["l=0.1"] && edit.toPrelu == ["x"])
    }

    @Test("inspect shows layers, shapes and the PReLU alphas Keras saved")
    func inspectText() throws {
        let r = try CLI.run(["inspect", example])
        #expect(r.status == 0, "\(r.stderr)")
        // Values from Fixtures/models/example/manifest.json (what tf_keras reported).
        #expect(r.stdout.contains("prelu1 PReLU alpha [1, 1, 4] shared_axes=[1, 2] channel-wise"))
        #expect(r.stdout.contains("lrelu2 LeakyReLU negative_slope=0.2"))
        #expect(r.stdout.contains("Keras 2.21.0"))
        #expect(r.stdout.contains("Total params: 375"))
    }

    @Test("inspect --json follows the documented schema")
    func inspectJSON() throws {
        let r = try CLI.run(["inspect", TestFixtures.path("models/prelu_k3/model.keras"), "--json", "--alphas"])
        #expect(r.status == 0, "\(r.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(obj["format"] as? String == "keras")
        #expect(obj["keras_version"] as? String == "3.15.1")
        let layers = try #require(obj["layers"] as? [[String: Any]])
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: TestFixtures.url("models/prelu_k3/manifest.json"))) as? [String: Any])
        for entry in manifest["layers"] as? [[String: Any]] ?? [] where entry["class_name"] as? String == "PReLU" {
            let name = entry["name"] as! String
            let ours = try #require(layers.first { $0["name"] as? String == name })
            let alpha = try #require(ours["alpha"] as? [String: Any])
            #expect(alpha["shape"] as? [Int] == entry["alpha_shape"] as? [Int], "\(name)")
            #expect((alpha["values"] as? [Double])?.map(Float.init) == (entry["alpha_values"] as? [Double])?.map(Float.init), "\(name)")
            #expect((ours["shared_axes"] as? [Int]) == (entry["shared_axes"] as? [Int]), "\(name)")
            for key in ["name", "model", "class_name", "output_shape", "inbound", "weights", "param_count"] {
                #expect(ours[key] != nil, "\(name): \(key) missing")
            }
        }
    }

    @Test("inspect flags slopes above 1 and alphas outside [0, 1] (above 1: where max(x, αx) differs)")
    func inspectWarnings() throws {
        let r = try CLI.run(["inspect", TestFixtures.path("models/leaky_relu_k3/model.keras")])
        #expect(r.status == 0)
        #expect(r.stdout.contains("layer `lrelu_1_7` (LeakyReLU): slope 1.7 > 1"))
        let p = try CLI.run(["inspect", TestFixtures.path("models/prelu_k3/model.keras")])
        #expect(p.stdout.contains("alphas < 0: the response is not monotonic"))
        #expect(p.stdout.contains("alphas > 1: max(x, alpha·x) differs"))
    }

    @Test("predict writes what Keras computed, within the parity bound")
    func predictMatchesKeras() throws {
        let dir = try TestFixtures.temporaryDirectory("cli-predict")
        let out = dir.appendingPathComponent("y.npy").path
        let r = try CLI.run(["predict", example, "--input", TestFixtures.path("models/example/input.npy"), "--output", out])
        #expect(r.status == 0, "\(r.stderr)")
        let ours = try readNPY(contentsOf: URL(fileURLWithPath: out))
        let keras = try readNPY(contentsOf: TestFixtures.url("models/example/expected.npy"))
        #expect(closeness(ours, keras, rtol: 1e-4, atol: 1e-5).ok)
    }

    @Test("predict --compare-layers finds no divergence against Keras' layer outputs")
    func compareLayers() throws {
        let r = try CLI.run(["predict", TestFixtures.path("models/core_k3/model.keras"),
                             "--input", TestFixtures.path("models/core_k3/input_0.npy"),
                             "--compare-layers", TestFixtures.path("models/core_k3/layer_outputs")])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("compared layers match"), "\(r.stdout)")
    }

    @Test("errors are one line naming the file, with exit status 1; usage errors exit 64")
    func errorsAndExitCodes() throws {
        let missing = try CLI.run(["inspect", "/nonexistent/model.h5"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("/nonexistent/model.h5"))
        #expect(missing.stderr.split(separator: "\n").count == 1, "\(missing.stderr)")
        let weightsOnly = try CLI.run(["inspect", TestFixtures.path("models/formats_k2/model_weights.h5")])
        #expect(weightsOnly.status == 1)
        #expect(weightsOnly.stderr.contains("--config"))
        let badShape = try CLI.run(["predict", example, "--input", TestFixtures.path("models/prelu_k3/input_2.npy")])
        #expect(badShape.status == 1)
        #expect(badShape.stderr.contains("model input `image` expects shape (None, 8, 8, 3)"), "\(badShape.stderr)")
        let usage = try CLI.run(["predict", example])
        #expect(usage.status == 64)
        let outputs = try CLI.run(["predict", example, "--input", TestFixtures.path("models/example/input.npy"),
                                   "--output", "/tmp/a.npy", "--output", "/tmp/b.npy"])
        #expect(outputs.status == 64)
        #expect(outputs.stderr.contains(example) && outputs.stderr.contains("1 outputs"), "\(outputs.stderr)")
    }

    @Test("convert refuses to overwrite, and never writes over its input")
    func convertSafety() throws {
        let dir = try TestFixtures.temporaryDirectory("cli-convert")
        let copy = dir.appendingPathComponent("model.h5")
        try FileManager.default.copyItem(atPath: example, toPath: copy.path)
        let before = try Data(contentsOf: copy)
        let same = try CLI.run(["convert", copy.path, copy.path, "--force"])
        #expect(same.status == 1)
        #expect(try Data(contentsOf: copy) == before)
        let out = dir.appendingPathComponent("m.keras").path
        #expect(try CLI.run(["convert", copy.path, out]).status == 0)
        let again = try CLI.run(["convert", copy.path, out])
        #expect(again.status == 1 && again.stderr.contains("exists"), "\(again.stderr)")
        #expect(try CLI.run(["convert", copy.path, out, "--force"]).status == 0)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { !["model.h5", "m.keras"].contains($0) }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    @Test("bench --json prints the timing fields tools/bench_compare reads")
    func benchJSON() throws {
        let r = try CLI.run(["bench", example, "--batch", "2", "--iterations", "2", "--warmup", "0", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        for key in ["median_s", "min_s", "batch", "iterations", "load_s"] { #expect(obj[key] != nil, "\(key)") }
        #expect(obj["batch"] as? Int == 2)
        // Which kernel family ran (the AVX-512 choice is made by a start-up measurement; forced off, it is AVX2 or
        // the portable path).
        #expect(["avx512", "avx2", "portable"].contains(obj["kernels"] as? String ?? ""), "\(obj["kernels"] ?? "none")")
        let off = try Programs.run(CLI.binary, ["bench", example, "--batch", "1", "--iterations", "1", "--warmup", "0",
                                                "--json"], environment: ["KERASPORT_AVX512": "0"])
        let offObj = try #require(try JSONSerialization.jsonObject(with: Data(off.stdout.utf8)) as? [String: Any])
        #expect(["avx2", "portable"].contains(offObj["kernels"] as? String ?? ""), "\(offObj["kernels"] ?? "none")")
    }

    /// `--shape` gives each input's full shape (batch first; for inputs with None sizes): its batch is the one
    /// timed, and a shape that contradicts the declared one is an error naming the input.
    @Test("bench --shape sets the input shape and batch")
    func benchShape() throws {
        let r = try CLI.run(["bench", example, "--shape", "3,8,8,3", "--iterations", "1", "--warmup", "0", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(obj["batch"] as? Int == 3)
        let wrong = try CLI.run(["bench", example, "--shape", "1,9,8,3", "--iterations", "1", "--warmup", "0"])
        #expect(wrong.status != 0 && wrong.stderr.contains("(None, 8, 8, 3)"), "\(wrong.stderr)")
        let bad = try CLI.run(["bench", example, "--shape", "1,x,8,3"])
        #expect(bad.status != 0 && bad.stderr.contains("--shape"), "\(bad.stderr)")
    }
}
