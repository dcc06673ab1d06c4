import ArgumentParser
import Foundation
import KerasPlot
import KerasPort
import KerasPortTooling

extension KerasPortCommand {
    struct Plot: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Draw a model as SVG: LeakyReLU/PReLU response curves, PReLU alpha histograms, the layer graph.",
            discussion: """
                Writes OUTDIR/model.svg and OUTDIR/model.dot (the layer graph, as Keras' plot_model draws it), \
                OUTDIR/activations/<layer>.svg for every LeakyReLU and PReLU (the response f(x) = x for x > 0, \
                α·x otherwise, with max(x, α·x) dashed where α > 1, the only alphas where the two differ) and \
                OUTDIR/alphas/<layer>.svg for every PReLU (a histogram of its alphas).
                """)

        @OptionGroup var model: ModelOptions

        @Argument(help: "The folder to write the SVG and DOT files into (created if missing).")
        var outdir: String

        @Option(name: .long, help: "The x range of the response curves, as LOW,HIGH.")
        var range: String = "-3,3"

        @Option(name: .long, help: "The most alphas one response plot draws (the smallest, the largest, and evenly spaced ones).")
        var maxCurves: Int = 12

        func validate() throws {
            _ = try parsedRange()
            guard maxCurves >= 2 else { throw ValidationError("--max-curves must be at least 2") }
        }

        func parsedRange() throws -> ClosedRange<Double> {
            let parts = range.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 2, let lo = parts[0], let hi = parts[1], lo.isFinite, hi.isFinite, lo < hi else {
                throw ValidationError("--range must be LOW,HIGH with LOW < HIGH, e.g. -3,3; got \(range)")
            }
            return lo...hi
        }

        func run() throws {
            let file = try KerasFile.open(model.model, architecture: model.config)
            let report = try ModelReport(file: file, includeAlphaValues: true)
            let out = URL(fileURLWithPath: outdir)
            var written: [String] = []
            func write(_ text: String, _ relative: String) throws {
                let url = out.appendingPathComponent(relative)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(text.utf8).write(to: url, options: .atomic)
                written.append(url.path)
            }
            let nodes = report.layers.map { l in
                GraphPlotNode(name: l.path, className: l.className, outputShape: shapeText(l.outputShapes),
                              parameters: l.parameterCount,
                              inbound: l.inbound.map { l.model == report.modelName ? $0 : "\(parentPath(l.path))/\($0)" })
            }
            try write(GraphPlot.svg(nodes, title: report.modelName), "model.svg")
            try write(GraphPlot.dot(nodes, title: report.modelName), "model.dot")
            let range = try parsedRange()
            for l in report.layers {
                let name = safeFileName(l.path)
                if l.className == "LeakyReLU", let slope = l.negativeSlope {
                    try write(ActivationPlots.responseSVG(layer: l.path, className: l.className, alphas: [slope],
                                                          range: range, maxCurves: maxCurves), "activations/\(name).svg")
                } else if l.className == "PReLU", let alpha = l.alpha {
                    try write(ActivationPlots.responseSVG(layer: l.path, className: l.className, alphas: alpha.values,
                                                          range: range, maxCurves: maxCurves), "activations/\(name).svg")
                    try write(ActivationPlots.alphaHistogramSVG(layer: l.path, alphas: alpha.values, shape: alpha.shape),
                              "alphas/\(name).svg")
                }
            }
            for path in written { print(path) }
        }

        func shapeText(_ shapes: [Shape?]) -> String {
            func one(_ s: Shape?) -> String {
                guard let s else { return "?" }
                return "(" + s.map { $0.map(String.init) ?? "None" }.joined(separator: ", ") + (s.count == 1 ? ",)" : ")")
            }
            return shapes.count == 1 ? one(shapes[0]) : "[" + shapes.map(one).joined(separator: ", ") + "]"
        }

        func parentPath(_ path: String) -> String {
            guard let slash = path.lastIndex(of: "/") else { return "" }
            return String(path[..<slash])
        }

        /// A layer path as a file name: letters, digits, `.`, `-` and `_` kept, everything else `_`.
        func safeFileName(_ path: String) -> String {
            let kept = path.map { c -> Character in
                c.isASCII && (c.isLetter || c.isNumber || c == "-" || c == "_" || c == ".") ? c : "_"
            }
            let name = String(kept)
            return name.hasPrefix(".") ? "_" + name : name
        }
    }
}
