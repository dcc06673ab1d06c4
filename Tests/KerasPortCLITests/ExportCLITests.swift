import Foundation
import Testing
import _TestSupport

@Suite("keras-port export")
struct ExportCLITests {
    let example = TestFixtures.path("models/example/model.h5")

    @Test("--format onnx writes an ONNX file; an existing OUT needs --force")
    func writesONNX() throws {
        let dir = try TestFixtures.temporaryDirectory("export")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("m.onnx").path
        let r = try CLI.run(["export", example, "--format", "onnx", out])
        #expect(r.status == 0, "\(r.stderr)")
        let data = try Data(contentsOf: URL(fileURLWithPath: out))
        #expect(data.count > 1000)
        #expect(String(decoding: data.prefix(64), as: UTF8.self).contains("keras-port"))   // producer_name, near the start
        let again = try CLI.run(["export", example, "--format", "onnx", out])
        #expect(again.status == 1 && again.stderr.contains("exists"), "\(again.stderr)")
        #expect(try CLI.run(["export", example, "--format", "onnx", out, "--force", "--opset", "21", "--layout", "nhwc"]).status == 0)
    }

    @Test("--triton writes config.pbtxt and 1/model.onnx")
    func writesTriton() throws {
        let dir = try TestFixtures.temporaryDirectory("export-triton")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLI.run(["export", example, "--format", "onnx", "--triton", dir.path, "--triton-name", "example",
                             "--max-batch-size", "4"])
        #expect(r.status == 0, "\(r.stderr)")
        let config = try String(contentsOf: dir.appendingPathComponent("example/config.pbtxt"), encoding: .utf8)
        #expect(config.contains("platform: \"onnxruntime_onnx\"") && config.contains("max_batch_size: 4"))
        #expect(config.contains("dims: [ 8, 8, 3 ]"), "\(config)")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("example/1/model.onnx").path))
    }

    @Test("bad options are usage errors; --format pytorch needs a folder and takes no --triton")
    func refusals() throws {
        let dir = try TestFixtures.temporaryDirectory("export-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("m.onnx").path
        for args in [["--opset", "12"], ["--layout", "nchwc"], ["--prelu-form", "max"]] {
            #expect(try CLI.run(["export", example, "--format", "onnx", out] + args).status == 64, "\(args)")
        }
        #expect(try CLI.run(["export", example, "--format", "tflite", out]).status == 64)
        #expect(try CLI.run(["export", example, "--format", "onnx"]).status == 64)
        #expect(try CLI.run(["export", example, "--format", "pytorch"]).status == 64)
        #expect(try CLI.run(["export", example, "--format", "pytorch", dir.appendingPathComponent("pt").path,
                             "--triton", dir.path]).status == 64)
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}
