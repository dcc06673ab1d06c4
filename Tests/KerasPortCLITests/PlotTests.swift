import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import KerasPlot
import KerasPort
import Testing
import _TestSupport

/// Reads an SVG document with Foundation's XML parser: every element's name and attributes, in document order.
final class SVGElements: NSObject, XMLParserDelegate {
    var elements: [(name: String, attributes: [String: String])] = []
    var texts: [String] = []
    var current = ""

    static func parse(_ svg: String) throws -> SVGElements {
        let parser = XMLParser(data: Data(svg.utf8))
        let reader = SVGElements()
        parser.delegate = reader
        guard parser.parse() else {
            throw CLI.Failure("SVG does not parse: \(parser.parserError.map { "\($0)" } ?? "?")")
        }
        return reader
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        elements.append((name, attributes))
        current = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { current += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "text" { texts.append(current) }
        current = ""
    }

    func withClass(_ cls: String) -> [[String: String]] {
        elements.filter { ($0.attributes["class"] ?? "").split(separator: " ").contains(Substring(cls)) }.map(\.attributes)
    }
}

extension CLI {
    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }
}

@Suite("plot: SVG drawings of activations and the model graph")
struct PlotTests {
    @Test("a response plot draws one piecewise curve per alpha and the max form only where α > 1 (where the two differ)")
    func response() throws {
        let alphas: [Float] = [-0.5, 0, 0.25, 0.25, 1, 1.5]
        let svg = try SVGElements.parse(ActivationPlots.responseSVG(layer: "p", className: "PReLU", alphas: alphas))
        let piecewise = svg.withClass("piecewise").compactMap { $0["data-alpha"].flatMap(Float.init) }
        #expect(piecewise == [-0.5, 0, 0.25, 1, 1.5])
        let maxForm = svg.withClass("max-form").compactMap { $0["data-alpha"].flatMap(Float.init) }
        #expect(maxForm == [1.5])
        // The piecewise curve of α = 1.5 goes through (-3, -4.5): f(x) = α·x for x ≤ 0, never max(x, α·x) = -3.
        let points = try #require(svg.withClass("piecewise").last?["points"]).split(separator: " ")
        #expect(points.count == 3)
        // The max form of α = 1.5 is x for x < 0 (above the layer's α·x), so its first point lies higher on screen.
        let layerFirstY = Double(points[0].split(separator: ",")[1])!
        let maxFirstY = Double(try #require(svg.withClass("max-form").last?["points"]).split(separator: " ")[0]
            .split(separator: ",")[1])!
        #expect(maxFirstY < layerFirstY)
    }

    @Test("many alphas: the smallest, the largest and evenly spaced ones are drawn")
    func manyAlphas() {
        let alphas = (0..<100).map { Float($0) / 50 - 1 }
        let shown = ActivationPlots.representativeAlphas(alphas, limit: 5)
        #expect(shown.count == 5 && shown.first == -1 && shown.last == alphas.last)
        #expect(shown == shown.sorted())
    }

    @Test("the alpha histogram counts every finite alpha once")
    func histogram() throws {
        let alphas: [Float] = [0.1, 0.2, 0.2, 0.9, 1.7, -0.3, .nan, .infinity]
        let svg = try SVGElements.parse(ActivationPlots.alphaHistogramSVG(layer: "p", alphas: alphas, shape: [1, 1, 8], bins: 4))
        let counts = svg.withClass("bar").compactMap { $0["data-count"].flatMap(Int.init) }
        #expect(counts.count == 4)
        #expect(counts.reduce(0, +) == 6)
        #expect(svg.texts.contains { $0.contains("2 not finite") })
    }

    @Test("the graph plot has a node per layer and an edge per connection; DOT names the same")
    func graph() throws {
        let nodes = [
            GraphPlotNode(name: "in", className: "InputLayer", outputShape: "(None, 4)", parameters: 0, inbound: []),
            GraphPlotNode(name: "a", className: "Dense", outputShape: "(None, 3)", parameters: 15, inbound: ["in"]),
            GraphPlotNode(name: "b<&\"", className: "Dense", outputShape: "(None, 3)", parameters: 15, inbound: ["in"]),
            GraphPlotNode(name: "sum", className: "Add", outputShape: "(None, 3)", parameters: 0, inbound: ["a", "b<&\""]),
        ]
        let svg = try SVGElements.parse(GraphPlot.svg(nodes, title: "m"))
        #expect(svg.withClass("node").compactMap { $0["data-name"] } == ["in", "a", "b<&\"", "sum"])
        let edges = svg.withClass("edge").map { "\($0["data-from"] ?? "?")->\($0["data-to"] ?? "?")" }
        #expect(edges.sorted() == ["a->sum", "b<&\"->sum", "in->a", "in->b<&\""])
        let dot = GraphPlot.dot(nodes, title: "m")
        #expect(dot.hasPrefix("digraph \"m\" {"))
        #expect(dot.contains("\"in\" -> \"a\";") && dot.contains("\"b<&\\\"\" -> \"sum\";"))
    }

    @Test("keras-port plot writes the graph, a response plot per LeakyReLU/PReLU and a histogram per PReLU",
          .enabled(if: FileManager.default.fileExists(atPath: TestFixtures.path("models/example/model.h5")),
                   "Fixtures/models/example/model.h5 is missing"))
    func command() throws {
        let dir = try TestFixtures.temporaryDirectory("plot")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLI.run(["plot", TestFixtures.path("models/example/model.h5"), dir.path])
        #expect(r.status == 0, "\(r.stderr)")
        let fm = FileManager.default
        for file in ["model.svg", "model.dot", "activations/prelu1.svg", "activations/lrelu2.svg", "alphas/prelu1.svg"] {
            #expect(fm.fileExists(atPath: dir.appendingPathComponent(file).path), "\(file)")
        }
        #expect(!fm.fileExists(atPath: dir.appendingPathComponent("alphas/lrelu2.svg").path))
        // The PReLU's curves are its alphas as the file holds them.
        let model = try KerasModel(contentsOf: TestFixtures.url("models/example/model.h5"))
        let prelu = try #require(model.activations.first { $0.kind == .pReLU })
        let svg = try SVGElements.parse(try String(contentsOf: dir.appendingPathComponent("activations/prelu1.svg"), encoding: .utf8))
        let drawn = svg.withClass("piecewise").compactMap { $0["data-alpha"].flatMap(Float.init) }
        #expect(drawn == Array(Set(prelu.alphas)).sorted())
        #expect(svg.withClass("max-form").count == Set(prelu.alphas.filter { $0 > 1 }).count)
        let graph = try SVGElements.parse(try String(contentsOf: dir.appendingPathComponent("model.svg"), encoding: .utf8))
        #expect(graph.withClass("node").compactMap { $0["data-name"] } == model.graph.nodes.map(\.name))
        // A bad range is a usage error.
        let bad = try CLI.run(["plot", TestFixtures.path("models/example/model.h5"), dir.path, "--range", "3,-3"])
        #expect(bad.status == 64)
    }
}
