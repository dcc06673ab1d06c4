import ArgumentParser
import KerasPort

// TEMPORARY (pytorch branch): a minimal Export subcommand so that `--format pytorch` can be run and tested here.
// The ONNX branch owns the real Export.swift; on merge keep that one and call ExportPyTorch.run from its
// `--format pytorch` case (with OUT as the output directory and --channels-first passed through).
extension KerasPortCommand {
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export a model to another framework (pytorch: OUTDIR/model.py + OUTDIR/model.safetensors).")

        @OptionGroup var model: ModelOptions

        @Option(name: .long, help: "Target: pytorch.")
        var format: String

        @Argument(help: "The output (for pytorch: a directory).")
        var output: String

        @Flag(name: .long, help: "pytorch: image inputs and outputs (rank 4 and 5) channels-first (NCHW).")
        var channelsFirst = false

        func run() throws {
            switch format {
            case "pytorch":
                print(try ExportPyTorch.run(model: model.model, config: model.config, outputDirectory: output,
                                            channelsFirst: channelsFirst))
            default:
                throw ValidationError("unknown --format `\(format)`: use pytorch")
            }
        }
    }
}
