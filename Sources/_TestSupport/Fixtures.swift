import Foundation
public import TensorModule

/// Locating the repository's `Fixtures/` folder and making temporary folders, for tests.
public enum TestFixtures {
    /// The repository root (the folder holding `Package.swift`).
    public static let repositoryRoot: URL = {
        // This file is Sources/_TestSupport/Fixtures.swift.
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }()

    /// `Fixtures/<relative>`.
    public static func url(_ relative: String) -> URL {
        repositoryRoot.appendingPathComponent("Fixtures").appendingPathComponent(relative)
    }

    /// `Fixtures/<relative>` as a path string.
    public static func path(_ relative: String) -> String { url(relative).path }

    /// A new empty temporary folder, unique to the caller, removed with everything in it when the test process
    /// exits (kept when the environment sets `KERASPORT_KEEP_TEST_FILES=1`, for looking at a failure's files).
    public static func temporaryDirectory(_ label: String = "test") throws -> URL {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("keras-port-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        TemporaryDirectories.shared.add(dir)
        return dir
    }
}

/// The folders ``TestFixtures/temporaryDirectory(_:)`` made in this process, removed at exit: a test run leaves
/// nothing behind in the temporary folder, whatever its tests did with them.
private final class TemporaryDirectories: @unchecked Sendable {
    static let shared = TemporaryDirectories()
    private let lock = NSLock()
    private var folders: [URL] = []

    private init() {
        atexit { TemporaryDirectories.shared.removeAll() }
    }

    func add(_ folder: URL) {
        lock.withLock { folders.append(folder) }
    }

    private func removeAll() {
        if let keep = getenv("KERASPORT_KEEP_TEST_FILES"), String(cString: keep) == "1" { return }
        for folder in lock.withLock({ folders }) { try? FileManager.default.removeItem(at: folder) }
    }
}

/// The largest violation of `|actual - expected| <= atol + rtol * |expected|`, for tolerance checks.
public struct Closeness: CustomStringConvertible, Sendable {
    public var worstIndex: Int
    public var actual: Float
    public var expected: Float
    public var excess: Float
    public var maxAbsDiff: Float
    public var ok: Bool
    public var description: String {
        ok ? "max |diff| \(maxAbsDiff)"
           : "element \(worstIndex): got \(actual), expected \(expected) (max |diff| \(maxAbsDiff))"
    }
}

/// Compares two tensors element-wise with `|a - e| <= atol + rtol·|e|`. NaN must match NaN, and
/// infinities must match exactly. Shapes must be equal (a mismatch returns `ok == false`, index -1).
public func closeness(_ actual: Tensor, _ expected: Tensor, rtol: Float, atol: Float) -> Closeness {
    guard actual.shape == expected.shape else {
        return Closeness(worstIndex: -1, actual: .nan, expected: .nan, excess: .infinity, maxAbsDiff: .infinity, ok: false)
    }
    var worst = Closeness(worstIndex: 0, actual: 0, expected: 0, excess: -.infinity, maxAbsDiff: 0, ok: true)
    for i in 0..<actual.count {
        let a = actual.scalars[i], e = expected.scalars[i]
        var excess: Float
        if e.isNaN || a.isNaN {
            excess = (e.isNaN && a.isNaN) ? -1 : .infinity
        } else if e.isInfinite || a.isInfinite {
            excess = a == e ? -1 : .infinity
        } else {
            let d = abs(a - e)
            worst.maxAbsDiff = max(worst.maxAbsDiff, d)
            excess = d - (atol + rtol * abs(e))
        }
        if excess > worst.excess {
            worst.excess = excess
            worst.worstIndex = i
            worst.actual = a
            worst.expected = e
        }
    }
    worst.ok = worst.excess <= 0 || actual.count == 0
    return worst
}

/// True when the two tensors have the same shape and the same bits in every element, so `-0.0` differs
/// from `0.0`. A NaN matches any NaN: TensorFlow itself gives +NaN eagerly and −NaN through
/// `predict_on_batch` for the same PReLU, so the sign of a NaN carries no meaning (the fixtures' `bitwise_rule`).
public func bitwiseEqual(_ a: Tensor, _ b: Tensor) -> Bool {
    a.shape == b.shape && zip(a.scalars, b.scalars).allSatisfy { x, y in
        (x.isNaN && y.isNaN) || x.bitPattern == y.bitPattern
    }
}

/// The first index where ``bitwiseEqual(_:_:)`` fails, with both values, for messages.
public func firstBitwiseDifference(_ a: Tensor, _ b: Tensor) -> String {
    guard a.shape == b.shape else { return "shapes differ: \(a.shape) vs \(b.shape)" }
    for (i, (x, y)) in zip(a.scalars, b.scalars).enumerated() where !((x.isNaN && y.isNaN) || x.bitPattern == y.bitPattern) {
        return "element \(i): got \(x) (0x\(String(x.bitPattern, radix: 16))), expected \(y) (0x\(String(y.bitPattern, radix: 16)))"
    }
    return "equal"
}
