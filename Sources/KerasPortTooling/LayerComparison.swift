import Foundation
import NumPyFormat
import TensorModule

/// Compares each layer's output, as the model runs, with a folder of Keras' per-layer outputs
/// (`<layer>.npy`, or `<layer>_<call>.npy` for later calls of shared layers), and reports the first layer
/// whose output diverges beyond `|ours − keras| ≤ atol + rtol·|keras|`.
///
/// `tools/dump_layer_outputs.py MODEL INPUT.npy DIR` writes such a folder with real Keras.
package struct LayerComparison {
    package let folder: String
    package let rtol: Float
    package let atol: Float
    /// (layer, call, max |diff|, within bound) for every layer that had a reference file, in run order.
    package private(set) var results: [(layer: String, call: Int, maxAbsDiff: Float, ok: Bool)] = []
    /// Layers whose reference file could not be read.
    package private(set) var unreadable: [String] = []

    package init(folder: String, rtol: Float = 1e-4, atol: Float = 1e-5) {
        self.folder = folder
        self.rtol = rtol
        self.atol = atol
    }

    /// Checks one layer call's first output against its reference, when there is one.
    /// A layer name from the model file that is not a plain file name (`/`, `..`, NUL) has no reference: the
    /// folder is never left because a crafted model names a layer `../../x`.
    package mutating func check(layer: String, call: Int, outputs: [Tensor]) {
        guard !layer.isEmpty, !layer.contains("/"), !layer.contains("\\"), !layer.hasPrefix("."), !layer.utf8.contains(0) else { return }
        let base = URL(fileURLWithPath: folder)
        let candidates = call == 0 ? ["\(layer).npy"] : ["\(layer)_\(call).npy"]
        guard let name = candidates.first(where: { FileManager.default.fileExists(atPath: base.appendingPathComponent($0).path) }),
              let ours = outputs.first else { return }
        guard let keras = try? readNPY(contentsOf: base.appendingPathComponent(name)) else {
            unreadable.append(name)
            return
        }
        guard keras.shape == ours.shape else {
            results.append((layer, call, .infinity, false))
            return
        }
        var worst: Float = 0
        var ok = true
        for (a, e) in zip(ours.scalars, keras.scalars) {
            if a.isNaN || e.isNaN { if a.isNaN != e.isNaN { ok = false; worst = .infinity }; continue }
            if a.isInfinite || e.isInfinite { if a != e { ok = false; worst = .infinity }; continue }
            let d = abs(a - e)
            worst = max(worst, d)
            if d > atol + rtol * abs(e) { ok = false }
        }
        results.append((layer, call, worst, ok))
    }

    /// One line per compared layer, then the verdict.
    package func report() -> String {
        var out = ""
        for r in results {
            out += "\(r.ok ? "ok  " : "DIFF") \(r.layer)\(r.call > 0 ? "[\(r.call)]" : "")  max |diff| \(r.maxAbsDiff)\n"
        }
        for u in unreadable { out += "skip \(u): unreadable\n" }
        if results.isEmpty {
            out += "no layer had a reference file in \(folder)"
        } else if let first = results.first(where: { !$0.ok }) {
            out += "first divergent layer: `\(first.layer)` (max |diff| \(first.maxAbsDiff), bound atol \(atol) + rtol \(rtol)·|keras|)"
        } else {
            out += "all \(results.count) compared layers match within atol \(atol) + rtol \(rtol)·|keras|"
        }
        return out
    }
}
