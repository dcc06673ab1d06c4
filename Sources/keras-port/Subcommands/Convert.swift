import Foundation
import ArgumentParser
import KerasPort

extension KerasPortCommand {
    struct Convert: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a model in another Keras format (e.g. a Keras 2 .h5 as a Keras 3 .keras).",
            discussion: """
                The format follows OUT's name (.keras, .weights.h5, .h5) unless --format says otherwise. \
                The output is written to a temporary file and renamed into place only when complete; \
                the input is never modified.
                """)

        @Argument(help: "The input model or weights file.")
        var input: String

        @Argument(help: "The output file.")
        var output: String

        @Option(name: .long, help: "Architecture JSON (model.to_json()) for weights-only inputs.")
        var config: String?

        @Option(name: .long, help: "Output format: legacy-h5 (Keras 2 dialect, loads in Keras 2 and 3), keras3-h5, weights-h5, keras.")
        var format: String?

        @Option(name: .long, help: "With weights-h5: also write the architecture JSON here.")
        var architectureJSON: String?

        @Flag(name: .long, help: "Replace OUT if it exists.")
        var force = false

        func run() throws {
            let fmt = try resolveFormat(format, output: output)
            let graph = try KerasFile.open(input, architecture: config).loadGraph()
            warnAboutExecutableCode(graph, output: output)
            try KerasFileWriter.write(graph, to: output, format: fmt, overwrite: force,
                                      architectureJSONPath: architectureJSON, protecting: [input] + (config.map { [$0] } ?? []))
            print("wrote \(output) (\(fmt))")
        }
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
