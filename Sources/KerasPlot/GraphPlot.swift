/// One layer as the model graph plot shows it.
package struct GraphPlotNode: Sendable, Equatable {
    package var name: String
    package var className: String
    /// The output shape as text, e.g. `(None, 32, 32, 16)`.
    package var outputShape: String
    package var parameters: Int
    /// The layers feeding it (names of other nodes).
    package var inbound: [String]

    package init(name: String, className: String, outputShape: String, parameters: Int, inbound: [String]) {
        self.name = name
        self.className = className
        self.outputShape = outputShape
        self.parameters = parameters
        self.inbound = inbound
    }
}

/// The model graph in the style of Keras' `plot_model`: one box per layer (name, class, output shape, parameters),
/// arrows from producers to consumers, top to bottom; as SVG and as Graphviz DOT.
package enum GraphPlot {
    /// Each node's row: the longest path from a node without inputs.
    static func depths(_ nodes: [GraphPlotNode]) -> [Int] {
        var index: [String: Int] = [:]
        for (i, n) in nodes.enumerated() where index[n.name] == nil { index[n.name] = i }
        var depth = [Int](repeating: -1, count: nodes.count)
        var visiting = Set<Int>()
        func visit(_ i: Int) -> Int {
            if depth[i] >= 0 { return depth[i] }
            guard visiting.insert(i).inserted else { return 0 }   // a cycle (cannot happen in a Keras model)
            var d = 0
            for p in nodes[i].inbound { if let j = index[p], j != i { d = max(d, visit(j) + 1) } }
            depth[i] = d
            return d
        }
        for i in nodes.indices { _ = visit(i) }
        return depth
    }

    /// The graph as SVG: `<g class="node" data-name="…">` per layer and `<path class="edge" data-from data-to>` per
    /// connection.
    package static func svg(_ nodes: [GraphPlotNode], title: String) -> String {
        let depth = depths(nodes)
        let rows = (depth.max() ?? -1) + 1
        var byRow = [[Int]](repeating: [], count: max(rows, 1))
        for (i, d) in depth.enumerated() { byRow[d].append(i) }
        let boxW = 236.0, boxH = 62.0, gapX = 28.0, gapY = 40.0, margin = 24.0, titleH = 40.0
        let widest = byRow.map(\.count).max() ?? 1
        let width = max(2 * margin + Double(widest) * boxW + Double(max(widest - 1, 0)) * gapX, 320)
        let height = 2 * margin + titleH + Double(rows) * boxH + Double(max(rows - 1, 0)) * gapY
        var position: [Int: (x: Double, y: Double)] = [:]
        for (r, members) in byRow.enumerated() {
            let rowW = Double(members.count) * boxW + Double(max(members.count - 1, 0)) * gapX
            var x = (width - rowW) / 2
            for i in members {
                position[i] = (x, margin + titleH + Double(r) * (boxH + gapY))
                x += boxW + gapX
            }
        }
        var svg = SVG(width: width, height: height)
        svg.open("defs", [])
        svg.open("marker", [("id", "arrow"), ("viewBox", "0 0 10 10"), ("refX", "10"), ("refY", "5"),
                            ("markerWidth", "7"), ("markerHeight", "7"), ("orient", "auto-start-reverse")])
        svg.element("path", [("d", "M 0 0 L 10 5 L 0 10 z"), ("fill", "#555")])
        svg.close("marker")
        svg.close("defs")
        let total = nodes.reduce(0) { $0 + $1.parameters }
        svg.text(width / 2, margin + 14, "\(title): \(nodes.count) layers, \(grouped(total)) parameters", size: 15,
                 anchor: "middle", weight: "bold", cls: "title")

        var index: [String: Int] = [:]
        for (i, n) in nodes.enumerated() where index[n.name] == nil { index[n.name] = i }
        for (i, n) in nodes.enumerated() {
            guard let to = position[i] else { continue }
            for p in n.inbound {
                guard let j = index[p], let from = position[j] else { continue }
                let sx = from.x + boxW / 2, sy = from.y + boxH, ex = to.x + boxW / 2, ey = to.y
                let my = (sy + ey) / 2
                svg.element("path", [("d", "M \(SVG.n(sx)) \(SVG.n(sy)) C \(SVG.n(sx)) \(SVG.n(my)), \(SVG.n(ex)) \(SVG.n(my)), \(SVG.n(ex)) \(SVG.n(ey))"),
                                     ("fill", "none"), ("stroke", "#555"), ("stroke-width", "1.2"),
                                     ("marker-end", "url(#arrow)"), ("class", "edge"),
                                     ("data-from", p), ("data-to", n.name)])
            }
        }
        for (i, n) in nodes.enumerated() {
            guard let at = position[i] else { continue }
            svg.open("g", [("class", "node"), ("data-name", n.name), ("data-class", n.className)])
            svg.element("rect", [("x", SVG.n(at.x)), ("y", SVG.n(at.y)), ("width", SVG.n(boxW)), ("height", SVG.n(boxH)),
                                 ("rx", "6"), ("fill", fill(n.className)), ("stroke", "#333")])
            svg.text(at.x + boxW / 2, at.y + 18, clip(n.name, 30), size: 12, anchor: "middle", weight: "bold")
            svg.text(at.x + boxW / 2, at.y + 34, clip(n.className, 34), size: 11, anchor: "middle", fill: "#333")
            svg.text(at.x + boxW / 2, at.y + 51, clip("\(n.outputShape)  ·  \(grouped(n.parameters)) params", 40),
                     size: 10, anchor: "middle", fill: "#444")
            svg.close("g")
        }
        return svg.document
    }

    /// The graph as Graphviz DOT (record-shaped nodes, top to bottom).
    package static func dot(_ nodes: [GraphPlotNode], title: String) -> String {
        func q(_ s: String) -> String {
            "\"" + s.replacingAll(["\\": "\\\\", "\"": "\\\"", "\n": "\\n"]) + "\""
        }
        func field(_ s: String) -> String {
            s.replacingAll(["\\": "\\\\", "\"": "\\\"", "{": "\\{", "}": "\\}", "|": "\\|", "<": "\\<", ">": "\\>", "\n": " "])
        }
        var out = "digraph \(q(title)) {\n  rankdir=TB;\n  node [shape=record, fontname=\"Helvetica\", fontsize=10];\n"
        for n in nodes {
            out += "  \(q(n.name)) [label=\(q("{\(field(n.name))|\(field(n.className))|\(field(n.outputShape))|\(n.parameters) params}"))];\n"
        }
        for n in nodes {
            for p in n.inbound { out += "  \(q(p)) -> \(q(n.name));\n" }
        }
        return out + "}\n"
    }

    static func fill(_ className: String) -> String {
        switch className {
        case "InputLayer": return "#e8f1fb"
        case "LeakyReLU", "PReLU": return "#fde2c8"
        case let c where c.hasPrefix("Conv") || c.hasSuffix("Conv2D") || c.hasSuffix("Conv1D"): return "#dff0d8"
        case "Dense", "EinsumDense": return "#e6e0f3"
        default: return "#f5f5f5"
        }
    }

    static func clip(_ s: String, _ n: Int) -> String { s.count <= n ? s : String(s.prefix(n - 1)) + "…" }

    static func grouped(_ v: Int) -> String {
        var digits = Array(String(abs(v)))
        var out = ""
        while digits.count > 3 { out = "," + String(digits.suffix(3)) + out; digits.removeLast(3) }
        return (v < 0 ? "-" : "") + String(digits) + out
    }
}

extension String {
    func replacingAll(_ map: [Character: String]) -> String {
        var out = ""
        for c in self { if let r = map[c] { out += r } else { out.append(c) } }
        return out
    }
}
