import Foundation
import KerasPort

// libFuzzer target: .npy bytes → readNPY(data:). A tensor must come back with as many values as its shape holds,
// or an NPYError with a one-line message; never a trap, and never an allocation bigger than the data.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNPY(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    do {
        let t = try readNPY(data: bytes, name: "fuzz.npy")
        let count = t.shape.reduce(1, *)
        if count != t.scalars.count || count * 1 > size {
            fatalError("shape \(t.shape) with \(t.scalars.count) values from \(size) bytes")
        }
    } catch {
        let message = error.description
        if message.isEmpty || message.contains("\n") { fatalError("error message is not one line: \(message.debugDescription)") }
    }
    return 0
}
