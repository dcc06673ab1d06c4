import Dispatch
import Foundation
import KerasPort
import Testing
import _TestSupport

@Suite("One compiled model, several threads")
struct ConcurrentPredictTests {
    @Test("predict from several threads at once gives the single-threaded result")
    func concurrentPredict() throws {
        let dir = TestFixtures.url("models/srresnet_k3")
        let model = try CompiledModel(try KerasFile.open(dir.appendingPathComponent("model.keras").path).loadGraph())
        let x = try readNPY(contentsOf: dir.appendingPathComponent("input_0.npy"))
        let reference = try model.predict([x])[0]
        let results = Mutex<[Tensor?]>([Tensor?](repeating: nil, count: 8))
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            let y = try? model.predict([x])[0]
            results.withLock { $0[i] = y }
        }
        for (i, y) in results.withLock({ $0 }).enumerated() {
            let y = try #require(y, "thread \(i) failed")
            #expect(bitwiseEqual(y, reference), "thread \(i)")
        }
    }
}

/// A minimal lock-protected box (Synchronization.Mutex needs macOS 15/Linux Swift 6; this keeps the test portable).
final class Mutex<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()
    init(_ value: Value) { self.value = value }
    func withLock<R>(_ body: (inout Value) -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}
