/// A minimal SVG writer: elements appended as text, with attribute values and text escaped. No dependencies.
struct SVG {
    let width: Double
    let height: Double
    private var body: [String] = []

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default:
                // Control characters are not allowed in XML 1.0 text.
                if let a = c.asciiValue, a < 0x20, a != 0x09, a != 0x0A, a != 0x0D { out += "?" } else { out.append(c) }
            }
        }
        return out
    }

    /// A number as SVG wants it: at most 2 decimals, no exponent.
    static func n(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        let r = (v * 100).rounded() / 100
        if r == r.rounded() { return String(Int(r)) }
        return String(format2: r)
    }

    mutating func element(_ name: String, _ attributes: [(String, String)], text: String? = nil) {
        var s = "<\(name)"
        for (k, v) in attributes { s += " \(k)=\"\(SVG.escape(v))\"" }
        if let text { s += ">\(SVG.escape(text))</\(name)>" } else { s += "/>" }
        body.append(s)
    }

    mutating func open(_ name: String, _ attributes: [(String, String)]) {
        var s = "<\(name)"
        for (k, v) in attributes { s += " \(k)=\"\(SVG.escape(v))\"" }
        body.append(s + ">")
    }

    mutating func close(_ name: String) { body.append("</\(name)>") }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, width: Double = 1,
                       dash: String? = nil, cls: String? = nil) {
        var a = [("x1", SVG.n(x1)), ("y1", SVG.n(y1)), ("x2", SVG.n(x2)), ("y2", SVG.n(y2)), ("stroke", stroke),
                 ("stroke-width", SVG.n(width))]
        if let dash { a.append(("stroke-dasharray", dash)) }
        if let cls { a.append(("class", cls)) }
        element("line", a)
    }

    mutating func text(_ x: Double, _ y: Double, _ s: String, size: Double = 12, anchor: String = "start",
                       weight: String = "normal", fill: String = "#222", cls: String? = nil) {
        var a = [("x", SVG.n(x)), ("y", SVG.n(y)), ("font-size", SVG.n(size)), ("text-anchor", anchor),
                 ("font-weight", weight), ("fill", fill)]
        if let cls { a.append(("class", cls)) }
        element("text", a, text: s)
    }

    var document: String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="\(SVG.n(width))" height="\(SVG.n(height))" \
        viewBox="0 0 \(SVG.n(width)) \(SVG.n(height))" font-family="Helvetica, Arial, sans-serif">
        <rect x="0" y="0" width="\(SVG.n(width))" height="\(SVG.n(height))" fill="white"/>
        \(body.joined(separator: "\n"))
        </svg>

        """
    }
}

extension String {
    /// `v` with up to two decimals, trailing zeros dropped (no Foundation needed).
    init(format2 v: Double) {
        let negative = v < 0
        let cents = Int((abs(v) * 100).rounded())
        var s = "\(cents / 100)"
        let frac = cents % 100
        if frac != 0 {
            s += frac % 10 == 0 ? ".\(frac / 10)" : (frac < 10 ? ".0\(frac)" : ".\(frac)")
        }
        self = negative ? "-" + s : s
    }
}

/// Ticks for an axis over `lo...hi`: about `count` round values (1, 2 or 5 times a power of ten apart).
func niceTicks(_ lo: Double, _ hi: Double, count: Int = 6) -> [Double] {
    guard hi > lo, lo.isFinite, hi.isFinite else { return [lo] }
    let raw = (hi - lo) / Double(max(count, 1))
    var p = 1.0
    while p * 10 <= raw { p *= 10 }
    while p > raw { p /= 10 }
    let step = [1.0, 2, 5, 10].map { $0 * p }.first { $0 >= raw } ?? raw
    var t = (lo / step).rounded(.up) * step
    var out: [Double] = []
    while t <= hi + step * 1e-9 && out.count < 50 {
        out.append(abs(t) < step * 1e-9 ? 0 : t)
        t += step
    }
    return out
}

/// A short label for a tick value.
func tickLabel(_ v: Double) -> String {
    if v == 0 { return "0" }
    if abs(v) >= 1e4 || abs(v) < 1e-2 {
        var e = 0
        var m = abs(v)
        while m >= 10 { m /= 10; e += 1 }
        while m < 1 { m *= 10; e -= 1 }
        return "\(v < 0 ? "-" : "")\(String(format2: m))e\(e)"
    }
    return String(format2: v)
}
