/// SVG plots of LeakyReLU and PReLU layers: response curves and histograms of the alphas.
///
/// Both layers compute f(x) = x for x > 0 and α·x otherwise. That equals max(x, α·x) only when α ≤ 1 (for a
/// negative α too: then α·x > x for x < 0 and α·x < x for x > 0); for every α above 1 the response plot overlays
/// the max form (dashed) so the difference is visible.
package enum ActivationPlots {
    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                          "#bcbd22", "#17becf", "#393b79", "#ad494a"]

    /// The alphas a response plot draws when a layer has more than `limit` distinct ones: the smallest, the largest
    /// and evenly spaced ones between, in increasing order.
    package static func representativeAlphas(_ alphas: [Float], limit: Int) -> [Float] {
        let distinct = Array(Set(alphas.filter { !$0.isNaN })).sorted()
        guard distinct.count > limit, limit >= 2 else { return distinct }
        return (0..<limit).map { k in distinct[(k * (distinct.count - 1)) / (limit - 1)] }
    }

    /// The response curve(s) of a LeakyReLU (one alpha) or PReLU (its alphas) over `range`.
    ///
    /// Each drawn alpha is one `<polyline class="series piecewise" data-alpha="…">`; where α > 1 a
    /// `<polyline class="series max-form" data-alpha="…">` follows it. The title says how many alphas the layer has
    /// and how many are drawn.
    package static func responseSVG(layer: String, className: String, alphas: [Float], range: ClosedRange<Double> = -3...3,
                                   maxCurves: Int = 12) -> String {
        let shown = representativeAlphas(alphas, limit: maxCurves)
        let x0 = range.lowerBound, x1 = range.upperBound
        func pw(_ x: Double, _ a: Double) -> Double { x > 0 ? x : a * x }
        func mx(_ x: Double, _ a: Double) -> Double { max(x, a * x) }
        var ys = [x0, x1, 0]
        for a in shown.map(Double.init) { ys += [pw(x0, a), pw(x1, a), mx(x0, a), mx(x1, a)] }
        var y0 = ys.min() ?? -1, y1 = ys.max() ?? 1
        if y1 - y0 < 1e-9 { y0 -= 1; y1 += 1 }
        let pad = (y1 - y0) * 0.05
        y0 -= pad; y1 += pad

        let w = 680.0, h = 460.0, left = 64.0, right = 180.0, top = 56.0, bottom = 48.0
        let pw_ = w - left - right, ph = h - top - bottom
        func px(_ x: Double) -> Double { left + (x - x0) / (x1 - x0) * pw_ }
        func py(_ y: Double) -> Double { top + (y1 - y) / (y1 - y0) * ph }

        var svg = SVG(width: w, height: h)
        let distinct = Set(alphas.filter { !$0.isNaN }).count
        svg.text(w / 2 - right / 2 + left / 2, 24, "\(layer) (\(className))", size: 16, anchor: "middle", weight: "bold",
                 cls: "title")
        let subtitle = className == "LeakyReLU"
            ? "f(x) = x for x > 0, α·x otherwise; α = \(shown.first.map { tickLabel(Double($0)) } ?? "?")"
            : "f(x) = x for x > 0, α·x otherwise; \(alphas.count) alphas, \(distinct) distinct, \(shown.count) drawn"
        svg.text(w / 2 - right / 2 + left / 2, 42, subtitle, size: 12, anchor: "middle", fill: "#555", cls: "subtitle")
        axes(&svg, x0: x0, x1: x1, y0: y0, y1: y1, px: px, py: py, left: left, top: top, pw: pw_, ph: ph,
             xLabel: "x", yLabel: "f(x)")

        var legendY = top + 8
        for (k, a) in shown.enumerated() {
            let color = palette[k % palette.count]
            let ad = Double(a)
            let points = [x0, 0, x1].map { "\(SVG.n(px($0))),\(SVG.n(py(pw($0, ad))))" }.joined(separator: " ")
            svg.element("polyline", [("points", points), ("fill", "none"), ("stroke", color), ("stroke-width", "2"),
                                     ("class", "series piecewise"), ("data-alpha", "\(a)")])
            let differs = a > 1
            if differs {
                let points = [x0, 0, x1].map { "\(SVG.n(px($0))),\(SVG.n(py(mx($0, ad))))" }.joined(separator: " ")
                svg.element("polyline", [("points", points), ("fill", "none"), ("stroke", color), ("stroke-width", "1.5"),
                                         ("stroke-dasharray", "6 4"), ("opacity", "0.8"),
                                         ("class", "series max-form"), ("data-alpha", "\(a)")])
            }
            if k < 14 {
                svg.line(w - right + 16, legendY, w - right + 40, legendY, stroke: color, width: 2)
                svg.text(w - right + 46, legendY + 4, "α = \(tickLabel(ad))\(differs ? "  *" : "")",
                         size: 11, cls: "legend")
                legendY += 18
            }
        }
        if shown.contains(where: { $0 > 1 }) {
            svg.text(w - right + 16, legendY + 10, "* dashed: max(x, α·x), which", size: 10, fill: "#555")
            svg.text(w - right + 16, legendY + 24, "differs from this layer", size: 10, fill: "#555")
            svg.text(w - right + 16, legendY + 38, "when α > 1", size: 10, fill: "#555")
        }
        return svg.document
    }

    /// A histogram of a PReLU's alphas (one bar per bin, `<rect class="bar" data-count="…">`), with lines at 0 and 1
    /// (between them the max form agrees with the layer).
    package static func alphaHistogramSVG(layer: String, alphas: [Float], shape: [Int], bins requested: Int = 24) -> String {
        let finite = alphas.filter(\.isFinite).map(Double.init)
        var lo = finite.min() ?? 0, hi = finite.max() ?? 1
        if hi - lo < 1e-9 { lo -= 0.5; hi += 0.5 }
        let bins = max(1, min(requested, max(finite.count, 1)))
        var counts = [Int](repeating: 0, count: bins)
        for v in finite {
            let b = min(bins - 1, max(0, Int((v - lo) / (hi - lo) * Double(bins))))
            counts[b] += 1
        }
        let w = 680.0, h = 420.0, left = 64.0, right = 24.0, top = 56.0, bottom = 48.0
        let pw = w - left - right, ph = h - top - bottom
        let cmax = Double(max(counts.max() ?? 1, 1))
        func px(_ x: Double) -> Double { left + (x - lo) / (hi - lo) * pw }
        func py(_ y: Double) -> Double { top + (cmax * 1.05 - y) / (cmax * 1.05) * ph }

        var svg = SVG(width: w, height: h)
        svg.text(w / 2, 24, "\(layer): PReLU alphas", size: 16, anchor: "middle", weight: "bold", cls: "title")
        let nonFinite = alphas.count - finite.count
        svg.text(w / 2, 42, "\(alphas.count) alphas, shape \(shape)\(nonFinite > 0 ? ", \(nonFinite) not finite (not shown)" : "")",
                 size: 12, anchor: "middle", fill: "#555", cls: "subtitle")
        axes(&svg, x0: lo, x1: hi, y0: 0, y1: cmax * 1.05, px: px, py: py, left: left, top: top, pw: pw, ph: ph,
             xLabel: "alpha", yLabel: "count", integerY: true)
        let bw = pw / Double(bins)
        for (b, c) in counts.enumerated() {
            let x = left + Double(b) * bw
            let from = lo + Double(b) * (hi - lo) / Double(bins), to = lo + Double(b + 1) * (hi - lo) / Double(bins)
            svg.element("rect", [("x", SVG.n(x + 0.5)), ("y", SVG.n(py(Double(c)))), ("width", SVG.n(max(bw - 1, 0.5))),
                                 ("height", SVG.n(py(0) - py(Double(c)))), ("fill", "#4c78a8"), ("class", "bar"),
                                 ("data-count", "\(c)"), ("data-from", "\(from)"), ("data-to", "\(to)")])
        }
        for mark in [0.0, 1.0] where mark >= lo && mark <= hi {
            svg.line(px(mark), top, px(mark), top + ph, stroke: "#d62728", width: 1, dash: "4 3", cls: "marker")
            svg.text(px(mark) + 3, top + 12, "α = \(Int(mark))", size: 10, fill: "#d62728")
        }
        return svg.document
    }

    /// Axes with ticks, grid lines and labels.
    static func axes(_ svg: inout SVG, x0: Double, x1: Double, y0: Double, y1: Double, px: (Double) -> Double,
                     py: (Double) -> Double, left: Double, top: Double, pw: Double, ph: Double, xLabel: String,
                     yLabel: String, integerY: Bool = false) {
        for t in niceTicks(x0, x1) {
            svg.line(px(t), top, px(t), top + ph, stroke: "#eee")
            svg.text(px(t), top + ph + 16, tickLabel(t), size: 11, anchor: "middle", fill: "#444")
        }
        for t in niceTicks(y0, y1) where !integerY || t == t.rounded() {
            svg.line(left, py(t), left + pw, py(t), stroke: "#eee")
            svg.text(left - 6, py(t) + 4, tickLabel(t), size: 11, anchor: "end", fill: "#444")
        }
        if x0 < 0 && x1 > 0 { svg.line(px(0), top, px(0), top + ph, stroke: "#999") }
        if y0 < 0 && y1 > 0 { svg.line(left, py(0), left + pw, py(0), stroke: "#999") }
        svg.element("rect", [("x", SVG.n(left)), ("y", SVG.n(top)), ("width", SVG.n(pw)), ("height", SVG.n(ph)),
                             ("fill", "none"), ("stroke", "#333")])
        svg.text(left + pw / 2, top + ph + 36, xLabel, size: 12, anchor: "middle")
        svg.text(left - 44, top + ph / 2, yLabel, size: 12, anchor: "middle")
    }
}
