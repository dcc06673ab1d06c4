import Foundation
import KerasPort
import KerasPortTooling
import Testing
import _TestSupport

/// The crafted files of Fixtures/hostile (tools/fixtures_hostile.py), each run through every command.
enum Hostile {
    static let folder = TestFixtures.url("hostile")
    static let marker = Data("KERASPORT-SECRET".utf8)
    static var present: Bool {
        FileManager.default.fileExists(atPath: folder.appendingPathComponent("secrets/marker.bin").path)
            && FileManager.default.fileExists(atPath: folder.appendingPathComponent("lambda_k3.keras").path)
    }
    static let missing: Comment = "Fixtures/hostile is missing: run tools/.venv/bin/python tools/fixtures_hostile.py (tools/test.sh does)"

    /// A refused file, the strings its one-line error must contain, and the fixture it was made from.
    struct Case: Sendable, CustomTestStringConvertible {
        var file: String
        var expected: [String]
        var testDescription: String { file }
        var base: String { file.hasSuffix(".keras") ? "prelu_k3" : "example" }
    }

    static let refused: [Case] = [
        Case(file: "external_storage.h5", expected: ["'/model_weights/logits/logits/kernel:0'", "external files", "'../secrets/marker.bin'", "refused"]),
        Case(file: "external_storage_unread.h5", expected: ["'/optimizer_weights/training/dense/kernel'", "external files", "refused"]),
        Case(file: "external_storage.keras", expected: ["'/layers/dense/vars/0'", "model.weights.h5", "'../secrets/marker.bin'", "refused"]),
        Case(file: "virtual_dataset.h5", expected: ["'/model_weights/logits/logits/kernel:0'", "virtual dataset", "'secret' in file '../secrets/source.h5'", "refused"]),
        Case(file: "external_link.h5", expected: ["'/model_weights/logits/logits/kernel:0'", "external link to '/secret' in file '../secrets/source.h5'", "refused"]),
        Case(file: "external_link_group.h5", expected: ["'/optimizer_weights'", "external link to '/' in file '../secrets/source.h5'", "refused"]),
        Case(file: "unknown_filter.h5", expected: ["'/model_weights/logits/logits/kernel:0'", "filter 32123", "never loaded"]),
        Case(file: "symlink.keras", expected: ["`config.json`", "symbolic link"]),
        Case(file: "traversal.keras", expected: ["`../../keras-port-escape.json`", "path traversal"]),
        Case(file: "absolute.keras", expected: ["`/tmp/keras-port-absolute.json`", "absolute path"]),
        Case(file: "bomb.keras", expected: ["model.weights.h5", "zip bomb"]),
        Case(file: "many_members.keras", expected: ["more than 4096 members", "before reading any"]),
    ]

    /// A scratch layout like an attacker's target: <tmp>/secrets (the files the crafted ones point at) and
    /// <tmp>/work (the crafted file, the inputs, and out/ for what the commands write; the working directory).
    struct Layout {
        var root: URL
        var work: URL { root.appendingPathComponent("work") }
        var out: URL { work.appendingPathComponent("out") }
        var secrets: URL { root.appendingPathComponent("secrets") }

        init(_ label: String, files: [String], base: String) throws {
            root = try TestFixtures.temporaryDirectory(label)
            let fm = FileManager.default
            try fm.copyItem(at: folder.appendingPathComponent("secrets"), to: secrets)
            try fm.createDirectory(at: out, withIntermediateDirectories: true)
            for f in files { try fm.copyItem(at: folder.appendingPathComponent(f), to: work.appendingPathComponent(f)) }
            let baseFolder = TestFixtures.url("models/\(base)")
            for f in try fm.contentsOfDirectory(atPath: baseFolder.path) where f.hasPrefix("input_") {
                try fm.copyItem(at: baseFolder.appendingPathComponent(f), to: work.appendingPathComponent(f))
            }
        }

        var inputs: [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: work.path)) ?? []).filter { $0.hasPrefix("input_") }.sorted()
        }

        /// Runs keras-port in `work` (relative names in the crafted files resolve from here), with `environment`
        /// added to this process's.
        func run(_ args: [String], environment: [String: String] = [:]) throws -> CLI.Result {
            try Programs.run(CLI.binary, args, environment: environment, in: work)
        }

        /// Files under `work` (outputs included) that hold the marker bytes.
        func filesWithMarker() -> [String] {
            guard let walker = FileManager.default.enumerator(at: work, includingPropertiesForKeys: nil) else { return ["<unreadable>"] }
            var found: [String] = []
            for case let url as URL in walker {
                if let data = try? Data(contentsOf: url), data.range(of: marker) != nil { found.append(url.lastPathComponent) }
            }
            return found
        }

        var outputs: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: out.path)) ?? []).sorted() }
    }

    /// Every command, on `file`: inspect (text and JSON), predict, convert to each format, edit.
    static func commands(_ file: String, layout: Layout, base: String) -> [[String]] {
        var predict = ["predict", file]
        for i in layout.inputs { predict += ["--input", i] }
        let edit: [String] = base == "example" ? ["--set-slope", "lrelu2=0.1"] : ["--set-alpha", "prelu_1=0.25"]
        return [
            ["inspect", file], ["inspect", file, "--json", "--alphas"],
            predict + (base == "example" ? ["--output", "out/y.npy"] : []),
            ["convert", file, "out/m.keras"], ["convert", file, "out/m.h5", "--format", "keras3-h5"],
            ["convert", file, "out/m.weights.h5", "--architecture-json", "out/m.json"],
            ["edit", file, "out/e.keras"] + edit, ["edit", file, "out/e.h5", "--format", "keras3-h5"] + edit,
            ["export", file, "--format", "onnx", "out/m.onnx"], ["export", file, "--format", "pytorch", "out/pt"],
        ]
    }
}

@Suite("crafted model files (issue 17)", .enabled(if: Hostile.present, Hostile.missing))
struct SecurityTests {
    @Test("every command refuses each crafted file: one line naming the object, exit 1, nothing written, no secret copied",
          arguments: Hostile.refused)
    func refused(_ c: Hostile.Case) throws {
        let layout = try Hostile.Layout("hostile-\(c.file)", files: [c.file], base: c.base)
        for args in Hostile.commands(c.file, layout: layout, base: c.base) {
            let r = try layout.run(args)
            let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: true)
            #expect(r.status == 1, "\(args): exit \(r.status), stderr \(r.stderr)")
            #expect(lines.count == 1 && lines.first?.hasPrefix("Error: ") == true, "\(args): \(r.stderr)")
            #expect(r.stderr.contains(c.file), "\(args): the error does not name the file: \(r.stderr)")
            for s in c.expected { #expect(r.stderr.contains(s), "\(args): `\(s)` missing from: \(r.stderr)") }
            #expect(layout.outputs.isEmpty, "\(args) left \(layout.outputs) behind")
            #expect(!r.stdout.contains("KERASPORT-SECRET"), "\(args) printed the secret")
        }
        #expect(layout.filesWithMarker().isEmpty, "secret bytes in \(layout.filesWithMarker())")
    }

    @Test("HDF5_EXT_PREFIX, HDF5_EXTFILE_PREFIX, HDF5_VDS_PREFIX and HDF5_PLUGIN_PATH change nothing")
    func environmentChangesNothing() throws {
        let files = ["external_storage.h5", "virtual_dataset.h5", "external_link.h5", "unknown_filter.h5"]
        let layout = try Hostile.Layout("hostile-env", files: files, base: "example")
        // Prefixes that make every relative target resolve inside the secrets folder, and a plugin folder.
        let plugins = layout.root.appendingPathComponent("plugins")
        try FileManager.default.createDirectory(at: plugins, withIntermediateDirectories: true)
        let env = ["HDF5_EXT_PREFIX": layout.secrets.path + "/x", "HDF5_EXTFILE_PREFIX": layout.secrets.path + "/x",
                   "HDF5_VDS_PREFIX": layout.secrets.path + "/x", "HDF5_PLUGIN_PATH": plugins.path]
        for f in files {
            let plain = try layout.run(["inspect", f])
            let redirected = try layout.run(["convert", f, "out/m.keras"], environment: env)
            let again = try layout.run(["inspect", f], environment: env)
            #expect(plain.status == 1 && redirected.status == 1 && again.status == 1, "\(f): \(redirected.stderr)")
            #expect(again.stderr == plain.stderr, "\(f): with the variables: \(again.stderr) without: \(plain.stderr)")
            #expect(redirected.stderr.contains("refused") || redirected.stderr.contains("never loaded"), "\(redirected.stderr)")
        }
        #expect(layout.outputs.isEmpty)
        #expect(layout.filesWithMarker().isEmpty, "secret bytes in \(layout.filesWithMarker())")
    }

    @Test("a filter plugin in HDF5_PLUGIN_PATH is never loaded",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/cc"), "needs a C compiler (/usr/bin/cc) to build the plugin"))
    func pluginNeverLoaded() throws {
        let layout = try Hostile.Layout("hostile-plugin", files: ["unknown_filter.h5"], base: "example")
        let plugins = layout.root.appendingPathComponent("plugins")
        try FileManager.default.createDirectory(at: plugins, withIntermediateDirectories: true)
        let sentinel = layout.root.appendingPathComponent("plugin-was-loaded")
        // A library whose constructor runs on dlopen: libhdf5 would dlopen every library in HDF5_PLUGIN_PATH while
        // looking for filter 32123 (it also exports the two plugin entry points, claiming that filter).
        let source = plugins.appendingPathComponent("plugin.c")
        try """
        #include <stdio.h>
        __attribute__((constructor)) static void loaded(void) { FILE *f = fopen("\(sentinel.path)", "w"); if (f) fclose(f); }
        int H5PLget_plugin_type(void) { return 0; }
        const void *H5PLget_plugin_info(void) { return 0; }
        """.write(to: source, atomically: true, encoding: .utf8)
        let cc = try Programs.runCombined("/usr/bin/cc", ["-shared", "-fPIC", "-o", plugins.appendingPathComponent("libkpprobe.so").path,
                                                          source.path])
        try #require(cc.status == 0, "cc failed")
        // The probe works: loading it by hand creates the sentinel.
        let r = try layout.run(["convert", "unknown_filter.h5", "out/m.keras"], environment: ["HDF5_PLUGIN_PATH": plugins.path])
        #expect(r.status == 1 && r.stderr.contains("filter 32123"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: sentinel.path), "libhdf5 loaded the plugin")
        #expect(layout.outputs.isEmpty)
        if let python = Programs.venvPython {
            _ = try Programs.runCombined(python, ["-c", "import ctypes, sys; ctypes.CDLL(sys.argv[1])",
                                                  plugins.appendingPathComponent("libkpprobe.so").path])
            #expect(FileManager.default.fileExists(atPath: sentinel.path), "the probe library does not mark its loading")
        }
    }

    @Test("Lambda layers: inspect marks them, convert and edit warn naming each, predict refuses")
    func lambdaLayers() throws {
        let layout = try Hostile.Layout("hostile-lambda", files: ["lambda_k2.h5", "lambda_k3.keras"], base: "seq_k3")
        for f in ["lambda_k2.h5", "lambda_k3.keras"] {
            let text = try layout.run(["inspect", f])
            #expect(text.status == 0, "\(text.stderr)")
            #expect(text.stdout.contains("Lambda (carries Python code, not runnable)"), "\(text.stdout)")
            #expect(text.stdout.contains("layer `doubler` (Lambda): carries executable code: marshalled Python bytecode"), "\(text.stdout)")
            let json = try layout.run(["inspect", f, "--json"])
            let obj = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            let layers = try #require(obj["layers"] as? [[String: Any]])
            let doubler = try #require(layers.first { $0["name"] as? String == "doubler" })
            #expect((doubler["executable_code"] as? String)?.contains("marshalled Python bytecode") == true)
            #expect(layers.filter { $0["executable_code"] != nil }.count == 1)
            let stem = f.replacingOccurrences(of: ".", with: "_")
            for args in [["convert", f, "out/\(stem).keras"], ["convert", f, "out/\(stem)_k3.h5", "--format", "keras3-h5"],
                         ["edit", f, "out/\(stem)_e.keras", "--set-slope", "lrelu=0.1"]] {
                let r = try layout.run(args)
                #expect(r.status == 0, "\(args): \(r.stderr)")
                let warnings = r.stderr.split(separator: "\n").filter { $0.hasPrefix("warning: ") }
                #expect(warnings.count == 1, "\(args): \(r.stderr)")
                #expect(warnings.first?.contains("layer `doubler` (Lambda) carries marshalled Python bytecode") == true, "\(r.stderr)")
                #expect(warnings.first?.contains(args[2]) == true, "\(r.stderr)")
            }
            let predict = try layout.run(["predict", f, "--input", "input_0.npy"])
            #expect(predict.status == 1 && predict.stderr.contains("doubler"), "\(predict.stderr)")
            // export refuses it: neither ONNX nor PyTorch can hold Python code; nothing is written.
            for format in ["onnx", "pytorch"] {
                let out = "out/\(stem).\(format)"
                let export = try layout.run(["export", f, "--format", format, out])
                #expect(export.status == 1, "\(format): \(export.stderr)")
                #expect(export.stderr.contains("layer `doubler` (Lambda) carries") && export.stderr.contains("cannot export"),
                        "\(format): \(export.stderr)")
                #expect(!FileManager.default.fileExists(atPath: layout.out.deletingLastPathComponent().appendingPathComponent(out).path))
            }
        }
        // A model without code: no warning.
        let plain = try layout.run(["convert", TestFixtures.path("models/example/model.h5"), "out/plain.keras"])
        #expect(plain.status == 0 && !plain.stderr.contains("warning"), "\(plain.stderr)")
    }
}

@Suite("layer names from the model are not paths")
struct LayerNamePathTests {
    @Test("predict --compare-layers never reads outside its folder for a layer named like a path")
    func compareLayersStaysInFolder() throws {
        let root = try TestFixtures.temporaryDirectory("compare-names")
        let folder = root.appendingPathComponent("refs")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let t = Tensor(shape: [1, 2], scalars: [1, 2])
        // A reference outside the folder, reachable as `../outside.npy`, and one inside for a plain name.
        try writeNPY(t, to: root.appendingPathComponent("outside.npy"))
        try writeNPY(t, to: folder.appendingPathComponent("inside.npy"))
        var comparison = LayerComparison(folder: folder.path)
        for name in ["../outside", "/\(root.path)/outside", ".hidden", "a/b"] {
            comparison.check(layer: name, call: 0, outputs: [t])
        }
        #expect(comparison.results.isEmpty && comparison.unreadable.isEmpty, "\(comparison.results)")
        comparison.check(layer: "inside", call: 0, outputs: [t])
        #expect(comparison.results.count == 1 && comparison.results[0].ok)
    }
}
