import Foundation
import KerasFormat
import KerasGraph

extension ModelReport {
    /// The human-readable report: a header, one line per layer, totals, then the activation parameters and warnings.
    /// - Parameter alphas: also list every alpha value per channel (`--alphas`).
    package func text(alphas: Bool = false) -> String {
        var out = ""
        out += "\(file)\n"
        out += "  format: \(format) · Keras \(kerasVersion ?? "unknown (Keras 1?)")" + (backend.map { " · backend \($0)" } ?? "") + "\n"
        out += "  model: \(modelName) (\(modelClass))\n"
        out += "  inputs:  " + inputs.map { "\($0.name) \($0.shape?.kerasDescription ?? "?")" }.joined(separator: ", ") + "\n"
        out += "  outputs: " + outputs.map { "\($0.name) \($0.shape?.kerasDescription ?? "?")" }.joined(separator: ", ") + "\n\n"
        var rows: [[String]] = [["Layer", "Class", "Output shape", "Params", "Inbound"]]
        for l in layers {
            let shape = l.outputShapes.map { $0?.kerasDescription ?? "?" }.joined(separator: ", ")
            var cls = l.className
            if l.executableCode != nil { cls += " (carries Python code, not runnable)" } else if !l.isSupported { cls += " (not runnable)" }
            rows.append([l.path, cls, shape, String(l.parameterCount), l.inbound.joined(separator: ", ")])
        }
        let widths = (0..<5).map { c in rows.map { $0[c].count }.max() ?? 0 }
        for (i, r) in rows.enumerated() {
            out += "  " + r.enumerated().map { c, v in
                c == 3 ? String(repeating: " ", count: widths[c] - v.count) + v : v + String(repeating: " ", count: widths[c] - v.count)
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces) + "\n"
            if i == 0 { out += "  " + String(repeating: "─", count: widths.reduce(0, +) + 8) + "\n" }
        }
        out += "\n  Total params: \(totalParameters) (trainable \(trainableParameters), non-trainable \(totalParameters - trainableParameters))\n"
        let act = layers.filter { $0.negativeSlope != nil || $0.alpha != nil }
        if !act.isEmpty {
            out += "\n  Activation parameters:\n"
            for l in act {
                if let a = l.alpha {
                    let axes = l.sharedAxes.map { "\($0)" } ?? "None"
                    out += "    \(l.path) PReLU alpha \(a.shape) shared_axes=\(axes) \(l.sharing ?? ""): "
                    out += "min \(fmt(a.min)) mean \(fmt(a.mean)) max \(fmt(a.max))\n"
                    if alphas, !a.values.isEmpty { out += alphaTable(a) }
                } else if let s = l.negativeSlope {
                    var line = "    \(l.path) \(l.className) negative_slope=\(fmt(s))"
                    if let m = l.maxValue { line += " max_value=\(fmt(m))" }
                    if let t = l.threshold, t != 0 { line += " threshold=\(fmt(t))" }
                    if let a = l.activation, l.className != "LeakyReLU" && l.className != "ReLU" { line += " (activation \(a))" }
                    out += line + "\n"
                }
            }
        }
        if !warnings.isEmpty {
            out += "\n  Warnings:\n"
            for w in warnings { out += "    ! \(w)\n" }
        }
        return out
    }

    private func fmt(_ x: Float) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x < 0 ? "-inf" : "inf" }
        return String(format: "%.6g", Double(x))
    }

    /// Alphas per channel (last axis): one row per position of the other axes, one column per channel.
    private func alphaTable(_ a: AlphaInfo) -> String {
        let channels = a.shape.last ?? 1
        guard channels > 0 else { return "" }
        var out = ""
        let rows = a.values.count / channels
        for r in 0..<rows {
            let vals = a.values[(r * channels)..<((r + 1) * channels)].map(fmt).joined(separator: " ")
            let label = rows == 1 ? "per channel" : "position \(r)"
            out += "      \(label): \(vals)\n"
        }
        return out
    }
}
