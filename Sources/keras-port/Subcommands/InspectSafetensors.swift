import Foundation
import KerasPort

/// `keras-port inspect FILE.safetensors`: the tensors of a safetensors file (name, dtype, shape), as the
/// PyTorch export writes them. The header is checked as the safetensors library checks it.
enum InspectSafetensors {
    static func isSafetensors(_ path: String) -> Bool { path.lowercased().hasSuffix(".safetensors") }

    static func text(path: String) throws -> String {
        let (metadata, tensors) = try Safetensors.read(path: path)
        var out = "\(path): safetensors, \(tensors.count) tensor\(tensors.count == 1 ? "" : "s")\n"
        for key in metadata.keys.sorted() { out += "  metadata \(key): \(metadata[key]!)\n" }
        let width = tensors.map(\.name.count).max() ?? 0
        var total = 0
        for t in tensors {
            let count = t.shape.reduce(1, *)
            total += count
            let shape = "(" + t.shape.map(String.init).joined(separator: ", ") + (t.shape.count == 1 ? ",)" : ")")
            out += "  " + t.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  \(t.dtype.rawValue)  \(shape)\n"
        }
        out += "  \(total) elements\n"
        return out
    }

    static func json(path: String) throws -> String {
        let (metadata, tensors) = try Safetensors.read(path: path)
        let meta = metadata.keys.sorted().map { "\(quote($0)): \(quote(metadata[$0]!))" }.joined(separator: ", ")
        let items = tensors.map { t in
            "    {\"name\": \(quote(t.name)), \"dtype\": \"\(t.dtype.rawValue)\", \"shape\": [\(t.shape.map(String.init).joined(separator: ", "))], \"data_offsets\": [\(t.dataOffsets.0), \(t.dataOffsets.1)]}"
        }
        return "{\n  \"format\": \"safetensors\",\n  \"metadata\": {\(meta)},\n  \"tensors\": [\n" + items.joined(separator: ",\n") + "\n  ]\n}"
    }

    private static func quote(_ s: String) -> String {
        let data = try? JSONSerialization.data(withJSONObject: [s], options: [.fragmentsAllowed])
        let array = data.flatMap { String(data: $0, encoding: .utf8) } ?? "[\"\"]"
        return String(array.dropFirst().dropLast())
    }
}
