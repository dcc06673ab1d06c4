import Foundation
import HDF5
import Testing
import _TestSupport

/// Paths and expected values for the fixtures written by tools/fixtures_hdf5.py (h5py 3.14).
enum Fixture {
    static func path(_ name: String) -> String { TestFixtures.path("hdf5/\(name)") }

    static var strings: String { path("strings.h5") }
    static var datasets: String { path("datasets.h5") }

    /// Fixtures/hdf5/expected.json: what h5py wrote and read back.
    static func expectedJSON() throws -> [String: Any] {
        let data = try Data(contentsOf: TestFixtures.url("hdf5/expected.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// The entry `keys` deep in the expected JSON.
    static func expected(_ keys: String...) throws -> Any {
        var value: Any = try expectedJSON()
        for key in keys {
            let dictionary = try #require(value as? [String: Any], "expected.json has no object at \(keys)")
            value = try #require(dictionary[key], "expected.json has no key \(key) in \(keys)")
        }
        return value
    }
}

/// JSON numbers (or "inf"/"-inf"/"nan" strings, as the fixture script writes non-finite values) as Doubles.
func jsonDoubles(_ value: Any) throws -> [Double] {
    let array = try #require(value as? [Any])
    return try array.map { element in
        switch element {
        // Foundation on Linux parses long decimals into NSDecimalNumber, whose doubleValue is
        // not correctly rounded; re-parse its exact decimal text instead.
        case let decimal as NSDecimalNumber: return Double(decimal.stringValue) ?? decimal.doubleValue
        case let number as NSNumber: return number.doubleValue
        case "inf" as String: return .infinity
        case "-inf" as String: return -.infinity
        case "nan" as String: return .nan
        default: throw FixtureError("not a number: \(element)")
        }
    }
}

func jsonInts(_ value: Any) throws -> [Int64] {
    let array = try #require(value as? [NSNumber])
    return array.map { $0.int64Value }
}

func jsonStrings(_ value: Any) throws -> [String] {
    try #require(value as? [String])
}

func jsonShape(_ value: Any) throws -> [Int] {
    try #require(value as? [Int])
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Bitwise equality of float arrays, so that -0.0 and 0.0 differ and NaN equals NaN.
func sameBits(_ a: [Float], _ b: [Float]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }
}

func sameBits(_ a: [Double], _ b: [Double]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }
}

/// Runs `body`, which must throw an `HDF5Error`, and returns that error.
func hdf5Error(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) throws -> HDF5Error {
    do {
        try body()
    } catch let error as HDF5Error {
        return error
    } catch {
        Issue.record("expected HDF5Error, got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
        throw error
    }
    Issue.record("expected an HDF5Error, but nothing was thrown", sourceLocation: sourceLocation)
    throw FixtureError("nothing thrown")
}

/// A fresh temporary folder for one test.
func temporaryFolder(_ label: String) throws -> URL {
    try TestFixtures.temporaryDirectory("hdf5-\(label)")
}

/// Runs an executable and returns its exit status and standard output (stderr is discarded).
func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let r = try Programs.run(URL(fileURLWithPath: executable), arguments)
    return (r.status, r.stdout)
}

/// The pinned venv's python, when it exists.
var venvPython: String? { Programs.venvPython }
