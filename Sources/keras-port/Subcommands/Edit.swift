import ArgumentParser
import Foundation
import KerasPort

extension KerasPortCommand {
    struct Edit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change activation parameters and write the model to a new file.",
            discussion: """
                LAYER is a layer name, or model/layer inside a nested model. Edits apply in the order \
                the options are listed below. The output format follows OUT's name unless --format is given.
                """)

        @Argument(help: "The input model or weights file.")
        var input: String

        @Argument(help: "The output file.")
        var output: String

        @Option(name: .long, help: "Architecture JSON (model.to_json()) for weights-only inputs.")
        var config: String?

        @Option(name: .long, help: "LAYER=SLOPE: set a LeakyReLU's (or ReLU's) negative slope.")
        var setSlope: [String] = []

        @Option(name: .long, help: "LAYER=VALUE: set every alpha of a PReLU to VALUE.")
        var setAlpha: [String] = []

        @Option(name: .long, help: "LAYER=FILE.npy: set a PReLU's alphas from a .npy (its alpha shape, one value per channel, or one value).")
        var setAlphaNpy: [String] = []

        @Option(name: .long, help: "LAYER=AXES: set a PReLU's shared_axes (e.g. 1,2 or none); collapsing needs equal alphas.")
        var sharedAxes: [String] = []

        @Option(name: .long, help: "LAYER or LAYER=AXES: replace a LeakyReLU by an equal PReLU (default: one alpha per channel).")
        var toPrelu: [String] = []

        @Option(name: .long, help: "LAYER: replace a PReLU whose alphas are all equal by a LeakyReLU.")
        var toLeakyRelu: [String] = []

        @Option(name: .long, help: "Output format: legacy-h5, keras3-h5, weights-h5, keras.")
        var format: String?

        @Flag(name: .long, help: "Replace OUT if it exists.")
        var force = false

        func validate() throws {
            if setSlope.isEmpty && setAlpha.isEmpty && setAlphaNpy.isEmpty && sharedAxes.isEmpty && toPrelu.isEmpty && toLeakyRelu.isEmpty {
                throw ValidationError("nothing to edit: give --set-slope, --set-alpha, --set-alpha-npy, --shared-axes, --to-prelu or --to-leaky-relu")
            }
        }

        func run() throws {
            let fmt = try resolveFormat(format, output: output)
            var graph = try KerasFile.open(input, architecture: config).loadGraph()
            warnAboutExecutableCode(graph, output: output)
            for spec in setSlope {
                let (layer, value) = try split(spec, option: "--set-slope")
                guard let v = Float(value) else { throw ValidationError("--set-slope \(spec): `\(value)` is not a number") }
                try graph.setSlope(ofLayer: layer, to: v)
            }
            for spec in setAlpha {
                let (layer, value) = try split(spec, option: "--set-alpha")
                guard let v = Float(value) else { throw ValidationError("--set-alpha \(spec): `\(value)` is not a number") }
                try graph.setAlphas(ofLayer: layer, to: v)
            }
            for spec in setAlphaNpy {
                let (layer, file) = try split(spec, option: "--set-alpha-npy")
                try graph.setAlphas(ofLayer: layer, to: try readNPY(contentsOf: URL(fileURLWithPath: file)))
            }
            for spec in sharedAxes {
                let (layer, value) = try split(spec, option: "--shared-axes")
                try graph.setSharedAxes(ofLayer: layer, to: try axes(value, option: "--shared-axes \(spec)"))
            }
            for spec in toPrelu {
                let parts = spec.split(separator: "=", maxSplits: 1).map(String.init)
                let axesValue = parts.count == 2 ? try axes(parts[1], option: "--to-prelu \(spec)") : nil
                try graph.convertLeakyReLUToPReLU(parts[0], sharedAxes: axesValue)
            }
            for layer in toLeakyRelu { try graph.convertPReLUToLeakyReLU(layer) }
            let renames = try KerasFileWriter.write(graph, to: output, format: fmt, overwrite: force,
                                                    protecting: [input] + (config.map { [$0] } ?? []))
            for r in renames {
                FileHandle.standardError.write(Data("renamed \(r) (Keras 3 refuses `/` in layer names)\n".utf8))
            }
            print("wrote \(output) (\(fmt))")
        }

        private func split(_ spec: String, option: String) throws -> (String, String) {
            let parts = spec.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw ValidationError("\(option) expects LAYER=VALUE, got `\(spec)`")
            }
            return (parts[0], parts[1])
        }

        private func axes(_ value: String, option: String) throws -> [Int]? {
            if value.lowercased() == "none" || value.isEmpty { return nil }
            var out: [Int] = []
            for p in value.split(separator: ",") {
                guard let a = Int(p.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("\(option): `\(value)` is not a comma-separated list of axes")
                }
                out.append(a)
            }
            return out
        }
    }
}
