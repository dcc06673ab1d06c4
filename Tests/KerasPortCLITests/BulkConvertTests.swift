import Foundation
import KerasPort
import KerasPortTooling
import Testing
import _TestSupport

/// `keras-port convert DIR --to keras OUTDIR`: bulk migration of a folder of Keras files (issue 15).
@Suite("keras-port convert: folders (bulk migration)")
struct BulkConvertTests {
    /// A folder of fixtures in several formats and depths, plus a broken file and a file that is not a model:
    ///
    ///     a.h5                          tf_keras .h5 (the example model)
    ///     broken.h5                     not an HDF5 file
    ///     notes.txt                     ignored
    ///     sub/prelu.keras               Keras 3 archive
    ///     sub/deeper/w_weights.h5       tf_keras save_weights .h5, architecture in w.json next to it
    ///     sub/deeper/w.json
    ///     shard/model.weights.json      Keras 3 sharded weights (+ shards, + model.json)
    static func makeTree() throws -> URL {
        let root = try TestFixtures.temporaryDirectory("bulk")
        let input = root.appendingPathComponent("in")
        let fm = FileManager.default
        func copy(_ fixture: String, _ to: String) throws {
            let dest = input.appendingPathComponent(to)
            try fm.createDirectory(at: dest.deletingLastPathComponent(), withIntermediateDirectories: true)
            try fm.copyItem(at: TestFixtures.url("models/\(fixture)"), to: dest)
        }
        try copy("example/model.h5", "a.h5")
        try copy("prelu_k3/model.keras", "sub/prelu.keras")
        try copy("formats_k2/model_weights.h5", "sub/deeper/w_weights.h5")
        try copy("formats_k2/model.json", "sub/deeper/w.json")
        let shardFolder = TestFixtures.url("models/formats_k3")
        for name in try fm.contentsOfDirectory(atPath: shardFolder.path)
        where name.hasPrefix("model_0000") || name == "model.weights.json" || name == "model.json" {
            try copy("formats_k3/\(name)", "shard/\(name)")
        }
        try Data("this is not a Keras file".utf8).write(to: input.appendingPathComponent("broken.h5"))
        try Data("notes".utf8).write(to: input.appendingPathComponent("notes.txt"))
        return root
    }

    static func report(_ r: CLI.Result) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r.stdout)\n\(r.stderr)")
    }

    static func statuses(_ report: [String: Any]) -> [String: String] {
        var out: [String: String] = [:]
        for f in report["files"] as? [[String: Any]] ?? [] {
            out[f["input"] as? String ?? ""] = f["status"] as? String
        }
        return out
    }

    @Test("converts every file in the tree, mirrors it, reports the broken file and goes on")
    func convertsTree() throws {
        let root = try Self.makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        let input = root.appendingPathComponent("in").path, output = root.appendingPathComponent("out").path
        let r = try CLI.run(["convert", input, "--to", "keras", output, "--recursive", "--jobs", "2", "--json"])
        #expect(r.status == 1, "one file failed, so the exit status is 1: \(r.stderr)")
        let report = try Self.report(r)
        #expect(Self.statuses(report) == [
            "a.h5": "converted", "broken.h5": "failed", "shard/model.weights.json": "converted",
            "sub/deeper/w_weights.h5": "converted", "sub/prelu.keras": "converted",
        ])
        #expect(report["converted"] as? Int == 4 && report["failed"] as? Int == 1 && report["skipped"] as? Int == 0)
        let broken = (report["files"] as? [[String: Any]] ?? []).first { $0["input"] as? String == "broken.h5" }
        let reason = broken?["reason"] as? String ?? ""
        #expect(reason.contains("broken.h5") && reason.contains("not a Keras file"), "\(reason)")
        let fm = FileManager.default
        for out in ["a.keras", "sub/prelu.keras", "sub/deeper/w_weights.keras", "shard/model.keras"] {
            #expect(fm.fileExists(atPath: "\(output)/\(out)"), "\(out) missing")
        }
        #expect(!fm.fileExists(atPath: "\(output)/broken.keras"))
        // Nothing but the outputs: no temporary files, no shard copies.
        let all = try fm.subpathsOfDirectory(atPath: output).filter { !$0.hasSuffix("sub") && !$0.hasSuffix("deeper") && $0 != "shard" }
        #expect(all.sorted() == ["a.keras", "shard/model.keras", "sub/deeper/w_weights.keras", "sub/prelu.keras"])

        // The converted example predicts what tf_keras computed for the original.
        let model = try CompiledModel(try KerasFile.open("\(output)/a.keras").loadGraph())
        let x = try readNPY(contentsOf: TestFixtures.url("models/example/input_0.npy"))
        let expected = try readNPY(contentsOf: TestFixtures.url("models/example/expected_0.npy"))
        let c = closeness(try model.predict([x])[0], expected, rtol: 1e-4, atol: 1e-5)
        #expect(c.ok, "\(c)")
        // The weights-only file took its architecture from w.json.
        let w = try KerasFile.open("\(output)/sub/deeper/w_weights.keras")
        #expect(w.format == .kerasArchive && w.architecture.nodes.count > 1)

        // A rerun skips what exists (the broken file fails again); --force converts again.
        let again = try Self.report(try CLI.run(["convert", input, "--to", "keras", output, "--recursive", "--json"]))
        #expect(again["skipped"] as? Int == 4 && again["failed"] as? Int == 1 && again["converted"] as? Int == 0)
        let forced = try Self.report(try CLI.run(["convert", input, "--to", "keras", output, "--recursive", "--force", "--json"]))
        #expect(forced["converted"] as? Int == 4 && forced["failed"] as? Int == 1)
    }

    @Test("without --recursive only the top folder; the text report has one line per file")
    func topFolderOnly() throws {
        let root = try Self.makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        let input = root.appendingPathComponent("in").path, output = root.appendingPathComponent("out").path
        let r = try CLI.run(["convert", input, "--to", "keras", output])
        #expect(r.status == 1)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("converted a.h5 → a.keras"), "\(r.stdout)")
        #expect(lines.contains { $0.hasPrefix("failed broken.h5: ") })
        #expect(lines.last == "1 converted, 0 skipped, 1 failed")
        #expect(!FileManager.default.fileExists(atPath: "\(output)/sub"))
        #expect(r.stderr.isEmpty, "no progress output when stderr is not a terminal: \(r.stderr)")
    }

    @Test("two inputs with one output name: the second is skipped with the reason")
    func collisions() throws {
        let root = try TestFixtures.temporaryDirectory("bulk-collide")
        defer { try? FileManager.default.removeItem(at: root) }
        let input = root.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: TestFixtures.url("models/formats_k3/model.h5"), to: input.appendingPathComponent("m.h5"))
        try FileManager.default.copyItem(at: TestFixtures.url("models/formats_k3/model.keras"), to: input.appendingPathComponent("m.keras"))
        let report = try Self.report(try CLI.run(["convert", input.path, "--to", "keras", root.appendingPathComponent("out").path, "--json"]))
        #expect(Self.statuses(report) == ["m.h5": "converted", "m.keras": "skipped"])
        let skipped = (report["files"] as? [[String: Any]] ?? []).first { $0["input"] as? String == "m.keras" }
        #expect((skipped?["reason"] as? String ?? "").contains("already the output of m.h5"))
    }

    @Test("convert --json of a tf_keras model with `/` names: renames on stderr and in the JSON; in a folder too")
    func renamesReported() throws {
        let root = try TestFixtures.temporaryDirectory("convert-json")
        defer { try? FileManager.default.removeItem(at: root) }
        let source = TestFixtures.path("models/realworld/slash_names_k2/model.h5")
        let out = root.appendingPathComponent("m.keras").path
        let r = try CLI.run(["convert", source, out, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let report = try Self.report(r)
        #expect(report["status"] as? String == "converted" && report["format"] as? String == "keras")
        let renames = report["renamed_layers"] as? [[String: String]] ?? []
        #expect(renames.count == 7)
        #expect(renames.contains { $0 == ["model": "slash_names", "from": "conv1/conv", "to": "conv1_conv_1"] })
        #expect(r.stderr.contains("renamed `slash_names`: layer `conv1/conv` → `conv1_conv_1`"), "\(r.stderr)")
        let text = try CLI.run(["convert", source, root.appendingPathComponent("t.h5").path])
        #expect(text.status == 0 && text.stdout.hasPrefix("wrote ") && text.stderr.contains("renamed"))

        let input = root.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: source, toPath: input.appendingPathComponent("dense.h5").path)
        let bulk = try CLI.run(["convert", input.path, "--to", "keras", root.appendingPathComponent("out").path])
        #expect(bulk.status == 0 && bulk.stdout.contains("converted dense.h5 → dense.keras (renamed 7 layers)"), "\(bulk.stdout)")
    }

    @Test("usage errors: no --to, output inside the input, --config with a folder")
    func usage() throws {
        let root = try Self.makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        let input = root.appendingPathComponent("in").path
        let noTo = try CLI.run(["convert", input, root.appendingPathComponent("out").path])
        #expect(noTo.status == 64 && noTo.stderr.contains("--to"), "\(noTo.stderr)")
        let inside = try CLI.run(["convert", input, "--to", "keras", input + "/out", "--recursive"])
        #expect(inside.status == 1 && inside.stderr.contains("inside"), "\(inside.stderr)")
        let config = try CLI.run(["convert", input, "--to", "keras", root.appendingPathComponent("o").path, "--config", "x.json"])
        #expect(config.status == 64, "\(config.stderr)")
    }
}
