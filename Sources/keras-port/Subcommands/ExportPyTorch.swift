import Foundation
import KerasPort

/// `keras-port export MODEL --format pytorch OUTDIR [--channels-first]`: the logic the Export subcommand calls.
enum ExportPyTorch {
    /// Writes `OUTDIR/model.py` and `OUTDIR/model.safetensors` for the model at `model`.
    /// - Returns: a one-line summary for the terminal.
    static func run(model: String, config: String?, outputDirectory: String, channelsFirst: Bool) throws -> String {
        let graph = try KerasFile.open(model, architecture: config).loadGraph()
        let source = URL(fileURLWithPath: model).lastPathComponent
        let export = try PyTorchExport(graph: graph, options: .init(source: source, channelsFirst: channelsFirst))
        try export.write(to: outputDirectory)
        let count = export.tensors.count
        return "wrote \(outputDirectory)/model.py and \(outputDirectory)/model.safetensors (\(count) tensor\(count == 1 ? "" : "s"))"
    }
}
