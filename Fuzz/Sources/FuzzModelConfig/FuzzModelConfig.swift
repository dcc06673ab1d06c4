import FuzzSupport
import KerasPort

// libFuzzer target: a model config (the `model_config` attribute, `config.json`, or a `to_json()` file) goes through
// the parser, the graph analysis and the config encoder. Every outcome must be a value or a thrown error with a
// one-line message; a trap, a crash, a hang or unbounded memory is a bug. libFuzzer provides `main`.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzModelConfig(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let text = String(decoding: bytes, as: UTF8.self)
    for version in [nil, "2.21.0", "1.2.2"] as [String?] {
        do {
            let graph = try ModelConfigParser.parse(json: text, kerasVersion: version, file: "fuzz.json")
            if let analysis = try? GraphAnalysis.analyze(graph, inputShapes: nil, checkWeights: false) {
                _ = analysis
                for flavor in ModelConfigFlavor.allCases { _ = try? ModelConfigEncoder.encodeJSON(graph, flavor: flavor) }
            }
        } catch let e as FormatError {
            checkOneLine(e.description)
        } catch {
            checkOneLine("\(error)")
        }
    }
    return 0
}

/// An error message must be one non-empty line.
func checkOneLine(_ message: String) {
    if message.isEmpty || message.contains("\n") {
        fatalError("error message is not one line: \(message.debugDescription)")
    }
}

@_silgen_name("LLVMFuzzerMutate")
func LLVMFuzzerMutate(_ data: UnsafeMutablePointer<UInt8>, _ size: Int, _ maxSize: Int) -> Int

/// Structured mutation: when the input parses as JSON, mutate the tree (half of the time); otherwise, or the other
/// half, libFuzzer's own byte mutations.
@_cdecl("LLVMFuzzerCustomMutator")
public func customMutator(_ data: UnsafeMutablePointer<UInt8>, _ size: Int, _ maxSize: Int, _ seed: UInt32) -> Int {
    if seed % 2 == 0, let root = try? JSONValue.parse(bytes: UnsafeBufferPointer(start: data, count: size)) {
        var mutator = StructuredMutator(seed: seed)
        let out = Array(mutator.mutate(root).serialized().utf8)
        if out.count <= maxSize {
            out.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: out.count) }
            return out.count
        }
    }
    return LLVMFuzzerMutate(data, size, maxSize)
}
