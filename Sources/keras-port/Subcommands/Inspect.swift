import ArgumentParser
import KerasPort

extension KerasPortCommand {
    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a model's format, layers, shapes, parameters and activation alphas.",
            discussion: "Reads only the weights' shapes, and the PReLU alphas; big files open in a fraction of a second.")

        @OptionGroup var model: ModelOptions

        @Flag(name: .long, help: "Print JSON (schema in the README) instead of text.")
        var json = false

        @Flag(name: .long, help: "List every alpha value (per channel) of each PReLU.")
        var alphas = false

        func run() throws {
            let file = try KerasFile.open(model.model, architecture: model.config)
            let report = try ModelReport(file: file, includeAlphaValues: alphas)
            if json {
                print(report.json(alphas: alphas).serialized(pretty: true))
            } else {
                print(report.text(alphas: alphas), terminator: "")
            }
        }
    }
}
