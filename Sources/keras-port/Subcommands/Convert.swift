import Foundation
import ArgumentParser
import Foundation
import KerasPort
import KerasPortTooling

extension KerasPortCommand {
    struct Convert: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a model in another Keras format (e.g. a Keras 2 .h5 as a Keras 3 .keras), or every model in a folder.",
            discussion: """
                The format follows OUT's name (.keras, .weights.h5, .h5) unless --format (or --to) says otherwise. \
                The output is written to a temporary file and renamed into place only when complete; \
                the input is never modified. Layer names with `/` (tf_keras' DenseNet: conv1/conv), which Keras 3 \
                refuses, are renamed (`/` → `_`, made unique); the renames are printed on stderr and listed by --json.

                Bulk migration: `convert DIR --to keras OUTDIR [--recursive] [--jobs N] [--force] [--json]` converts \
                every Keras file in DIR (.h5, .hdf5, .keras, .weights.json; a weights-only file takes <stem>.json, \
                model.json or config.json next to it as its architecture) into OUTDIR, mirroring the tree. Each file \
                is converted in a child process, so one failure (even a crash on a damaged file) never stops the \
                others; outputs that exist are skipped unless --force. A per-file report is printed (--json: as \
                JSON); the exit code is 1 when any file failed.
                """)

        @Argument(help: "The input model or weights file, or a folder (bulk migration).")
        var input: String

        @Argument(help: "The output file, or the output folder (bulk migration).")
        var output: String

        @Option(name: .long, help: "Architecture JSON (model.to_json()) for weights-only inputs.")
        var config: String?

        @Option(name: .long, help: "Output format: legacy-h5 (Keras 2 dialect, loads in Keras 2 and 3), keras3-h5, weights-h5, keras.")
        var format: String?

        @Option(name: .long, help: "Same as --format (the bulk form reads `convert DIR --to keras OUTDIR`).")
        var to: String?

        @Option(name: .long, help: "With weights-h5: also write the architecture JSON here.")
        var architectureJSON: String?

        @Flag(name: .long, help: "Replace OUT if it exists (bulk: convert files whose output exists again).")
        var force = false

        @Flag(name: .long, help: "Print a JSON report: output, format, renamed layers (bulk: one entry per file).")
        var json = false

        @Flag(name: .long, help: "Bulk: also convert the files in DIR's subfolders.")
        var recursive = false

        @Option(name: .long, help: "Bulk: files converted at once (default: the number of CPUs).")
        var jobs: Int?

        /// An architecture JSON used only when the input holds no architecture (bulk children).
        @Option(name: .long, help: .hidden)
        var companionConfig: String?

        func validate() throws {
            if let format, let to, format.lowercased() != to.lowercased() {
                throw ValidationError("--format \(format) and --to \(to) disagree")
            }
            if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        }

        func run() throws {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: input, isDirectory: &isDir), isDir.boolValue {
                try runBulk()
                return
            }
            if recursive || jobs != nil {
                throw ValidationError("--recursive and --jobs apply to a folder input; `\(input)` is a file")
            }
            let fmt = try resolveFormat(format ?? to, output: output)
            let file: KerasFile
            if config == nil, let companion = companionConfig {
                do { file = try KerasFile.open(input) } catch {
                    guard let withConfig = try? KerasFile.open(input, architecture: companion) else { throw error }
                    file = withConfig
                }
            } else {
                file = try KerasFile.open(input, architecture: config)
            }
            let graph = try file.loadGraph()
            warnAboutExecutableCode(graph, output: output)
            let protected = [input] + (config.map { [$0] } ?? []) + (companionConfig.map { [$0] } ?? [])
            let renames = try KerasFileWriter.write(graph, to: output, format: fmt, overwrite: force,
                                                    architectureJSONPath: architectureJSON, protecting: protected)
            for r in renames {
                FileHandle.standardError.write(Data("renamed \(r) (Keras 3 refuses `/` in layer names)\n".utf8))
            }
            if json {
                let report = JSONValue.object([
                    ("input", .string(input)), ("output", .string(output)), ("format", .string(fmt.cliName)),
                    ("status", .string("converted")), ("renamed_layers", renamesJSON(renames)),
                ])
                print(report.serialized(pretty: true))
            } else {
                print("wrote \(output) (\(fmt))")
            }
        }

        // MARK: - Bulk migration

        private func runBulk() throws {
            let name = format ?? to ?? ""
            guard !name.isEmpty else {
                throw ValidationError("a folder input needs --to (keras, legacy-h5, keras3-h5 or weights-h5)")
            }
            guard let fmt = KerasWriteFormat(cliName: name) else {
                throw ValidationError("unknown --to `\(name)`: use keras, legacy-h5, keras3-h5 or weights-h5")
            }
            if config != nil || architectureJSON != nil {
                throw ValidationError("--config and --architecture-json apply to one file; in a folder, each weights-only file takes the JSON next to it")
            }
            let ext: String
            switch fmt {
            case .keras: ext = ".keras"
            case .weightsH5: ext = ".weights.h5"
            case .legacyH5Keras2, .legacyH5Keras3: ext = ".h5"
            }
            let plan = try BulkConversionPlan(inputFolder: input, outputFolder: output, recursive: recursive, outputExtension: ext)
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
            let results = BulkRunner(plan: plan, format: fmt, force: force,
                                     jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount).run()
            let converted = results.filter { $0.status == "converted" }.count
            let skipped = results.filter { $0.status == "skipped" }.count
            let failed = results.filter { $0.status == "failed" }.count
            if json {
                let report = JSONValue.object([
                    ("input_folder", .string(input)), ("output_folder", .string(output)),
                    ("format", .string(fmt.cliName)),
                    ("files", .array(results.map { r in
                        var members: [(String, JSONValue)] = [
                            ("input", .string(r.item.input)), ("output", .string(r.item.output)),
                            ("status", .string(r.status)),
                        ]
                        if let reason = r.reason { members.append(("reason", .string(reason))) }
                        members.append(("renamed_layers", renamesJSON(r.renames)))
                        return .object(members)
                    })),
                    ("converted", .number(Double(converted))), ("skipped", .number(Double(skipped))),
                    ("failed", .number(Double(failed))),
                ])
                print(report.serialized(pretty: true))
            } else {
                for r in results {
                    switch r.status {
                    case "converted":
                        let note = r.renames.isEmpty ? "" : " (renamed \(r.renames.count) layer\(r.renames.count == 1 ? "" : "s"))"
                        print("converted \(r.item.input) → \(r.item.output)\(note)")
                    default:
                        print("\(r.status) \(r.item.input): \(r.reason ?? "")")
                    }
                }
                print("\(converted) converted, \(skipped) skipped, \(failed) failed")
            }
            if failed > 0 { throw ExitCode(1) }
        }
    }
}

func renamesJSON(_ renames: [ModelGraph.LayerRename]) -> JSONValue {
    .array(renames.map { .object([("model", .string($0.model)), ("from", .string($0.from)), ("to", .string($0.to))]) })
}

/// Converts the files of a ``BulkConversionPlan``, each in a child process (`keras-port convert IN OUT --json`), at
/// most `jobs` at a time.
struct BulkRunner {
    struct Result {
        var item: BulkConversionPlan.Item
        var status: String  // converted | skipped | failed
        var reason: String?
        var renames: [ModelGraph.LayerRename] = []
    }

    let plan: BulkConversionPlan
    let format: KerasWriteFormat
    let force: Bool
    let jobs: Int

    func run() -> [Result] {
        let items = plan.items
        let results = ResultBox(count: items.count)
        let tty = isatty(STDERR_FILENO) == 1
        let group = DispatchGroup()
        for _ in 0..<max(1, min(jobs, items.count)) {
            DispatchQueue.global().async(group: group) {
                while let k = results.next() {
                    let r = convert(items[k])
                    let done = results.store(r, at: k)
                    if tty {
                        FileHandle.standardError.write(Data("\r\u{1B}[K[\(done)/\(items.count)] \(r.status) \(r.item.input)".utf8))
                    }
                }
            }
        }
        group.wait()
        if tty && !items.isEmpty { FileHandle.standardError.write(Data("\n".utf8)) }
        return results.all()
    }

    private func convert(_ item: BulkConversionPlan.Item) -> Result {
        if let reason = item.skipReason { return Result(item: item, status: "skipped", reason: reason) }
        let inPath = (plan.inputFolder as NSString).appendingPathComponent(item.input)
        let outPath = (plan.outputFolder as NSString).appendingPathComponent(item.output)
        if !force, FileManager.default.fileExists(atPath: outPath) {
            return Result(item: item, status: "skipped", reason: "\(item.output) exists (use --force to convert again)")
        }
        do {
            try FileManager.default.createDirectory(atPath: (outPath as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
        } catch {
            return Result(item: item, status: "failed", reason: "cannot create the output folder: \(error.localizedDescription)")
        }
        var arguments = ["convert", inPath, outPath, "--format", format.cliName, "--json"]
        if force { arguments.append("--force") }
        if let companion = item.companionConfig {
            arguments += ["--companion-config", (plan.inputFolder as NSString).appendingPathComponent(companion)]
        }
        let child = Process()
        #if os(Linux)
        child.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        #else
        child.executableURL = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        #endif
        child.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"
        child.environment = environment
        let out = Pipe(), err = Pipe()
        child.standardOutput = out
        child.standardError = err
        child.standardInput = FileHandle.nullDevice
        do { try child.run() } catch {
            return Result(item: item, status: "failed", reason: "cannot start a child process: \(error)")
        }
        let stdoutBox = IsolatedRun.Box()
        let reading = DispatchGroup()
        DispatchQueue.global().async(group: reading) { stdoutBox.set(out.fileHandleForReading.readDataToEndOfFile()) }
        let stderrData = err.fileHandleForReading.readDataToEndOfFile()
        reading.wait()
        child.waitUntilExit()
        let stderrText = String(decoding: stderrData, as: UTF8.self)
        if child.terminationReason == .uncaughtSignal {
            return Result(item: item, status: "failed",
                          reason: "converting crashed (signal \(child.terminationStatus)); the file is damaged or hostile")
        }
        guard child.terminationStatus == 0 else {
            let line = stderrText.split(separator: "\n").last { !$0.hasPrefix("renamed ") && !$0.isEmpty }
            var reason = line.map(String.init) ?? "exit status \(child.terminationStatus)"
            if reason.hasPrefix("Error: ") { reason.removeFirst("Error: ".count) }
            return Result(item: item, status: "failed", reason: reason)
        }
        var result = Result(item: item, status: "converted")
        if let report = try? JSONValue.parse(String(decoding: stdoutBox.get(), as: UTF8.self)),
           case let .array(list)? = report["renamed_layers"] {
            for case let .object(members) in list {
                func field(_ k: String) -> String {
                    if case let .string(s)? = members.first(where: { $0.0 == k })?.1 { return s }
                    return ""
                }
                result.renames.append(ModelGraph.LayerRename(model: field("model"), from: field("from"), to: field("to")))
            }
        }
        return result
    }

    /// The work queue and the results, shared by the worker threads.
    final class ResultBox: @unchecked Sendable {
        private let lock = NSLock()
        private var nextIndex = 0
        private var finished = 0
        private var results: [Result?]
        init(count: Int) { results = Array(repeating: nil, count: count) }
        func next() -> Int? {
            lock.withLock {
                guard nextIndex < results.count else { return nil }
                defer { nextIndex += 1 }
                return nextIndex
            }
        }
        func store(_ r: Result, at k: Int) -> Int {
            lock.withLock {
                results[k] = r
                finished += 1
                return finished
            }
        }
        func all() -> [Result] { lock.withLock { results.compactMap { $0 } } }
    }
}

/// One warning line on standard error per layer carrying Python code (Lambda bytecode), which the written file keeps.
func warnAboutExecutableCode(_ graph: ModelGraph, output: String) {
    for line in graph.executableCodeWarnings(action: "copies it unchanged into \(output)") {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// The output format from `--format` or from the output's name.
func resolveFormat(_ name: String?, output: String) throws -> KerasWriteFormat {
    if let name {
        guard let f = KerasWriteFormat(cliName: name) else {
            throw ValidationError("unknown --format `\(name)`: use legacy-h5, keras3-h5, weights-h5 or keras")
        }
        return f
    }
    guard let f = KerasWriteFormat(fileName: output) else {
        throw ValidationError("cannot tell the format from `\(output)`: name it .keras, .weights.h5 or .h5, or pass --format")
    }
    return f
}
