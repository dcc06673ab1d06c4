import Foundation
import NumPyFormat
import Testing
import TensorModule
import _TestSupport

/// Fixtures are .npy bytes written by numpy 2.4.6 (the pinned tools/.venv), base64-encoded, made with:
///
/// ```python
/// import numpy as np, io, base64
/// def enc(arr, version=None):
///     b = io.BytesIO()
///     np.lib.format.write_array(b, arr, version=version) if version else np.save(b, arr)
///     return base64.b64encode(b.getvalue()).decode()
/// base = np.array([[1, -2, 3], [4, 5, 0]])
/// # each dtype: base.astype(d) for f/i, np.abs(base).astype(d) for u, base.astype(bool) for b1
/// # versions: enc(base.astype('<f4'), (2, 0)) and (3, 0); fortran: enc(np.asfortranarray(np.arange(6, dtype='<f4').reshape(2, 3)))
/// # half: np.array([1.0, -0.0, np.inf, -np.inf, 6.1e-5, 5.96e-8, 65504, 0.333], dtype='<f2')
/// ```
enum NumPyFixtures {
    static let dtypes: [(String, [Float], String)] = [
        ("<f4", [1.0, -2.0, 3.0, 4.0, 5.0, 0.0], "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAIA/AAAAwAAAQEAAAIBAAACgQAAAAAA="),
        ("<f8", [1.0, -2.0, 3.0, 4.0, 5.0, 0.0], "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAADwPwAAAAAAAADAAAAAAAAACEAAAAAAAAAQQAAAAAAAABRAAAAAAAAAAAA="),
        ("<f2", [1.0, -2.0, 3.0, 4.0, 5.0, 0.0], "k05VTVBZAQB2AHsnZGVzY3InOiAnPGYyJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAPADAAEIARABFAAA="),
        ("|i1", [1.0, -2.0, 3.0, 4.0, 5.0, 0.0], "k05VTVBZAQB2AHsnZGVzY3InOiAnfGkxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoB/gMEBQA="),
        ("<i2", [1.0, -2.0, 3.0, 4.0, 5.0, 0.0], "k05VTVBZAQB2AHsnZGVzY3InOiAnPGkyJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoBAP7/AwAEAAUAAAA="),
        ("<i4", [1.0, -2.0, 3.0, 4.0, 5.0, 0.0], "k05VTVBZAQB2AHsnZGVzY3InOiAnPGk0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoBAAAA/v///wMAAAAEAAAABQAAAAAAAAA="),
        ("<i8", [1.0, -2.0, 3.0, 4.0, 5.0, 0.0], "k05VTVBZAQB2AHsnZGVzY3InOiAnPGk4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoBAAAAAAAAAP7/////////AwAAAAAAAAAEAAAAAAAAAAUAAAAAAAAAAAAAAAAAAAA="),
        (">f4", [1.0, -2.0, 3.0, 4.0, 5.0, 0.0], "k05VTVBZAQB2AHsnZGVzY3InOiAnPmY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAo/gAAAwAAAAEBAAABAgAAAQKAAAAAAAAA="),
        (">f8", [1.0, -2.0, 3.0, 4.0, 5.0, 0.0], "k05VTVBZAQB2AHsnZGVzY3InOiAnPmY4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAo/8AAAAAAAAMAAAAAAAAAAQAgAAAAAAABAEAAAAAAAAEAUAAAAAAAAAAAAAAAAAAA="),
        (">i2", [1.0, -2.0, 3.0, 4.0, 5.0, 0.0], "k05VTVBZAQB2AHsnZGVzY3InOiAnPmkyJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAf/+AAMABAAFAAA="),
        (">i4", [1.0, -2.0, 3.0, 4.0, 5.0, 0.0], "k05VTVBZAQB2AHsnZGVzY3InOiAnPmk0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAB/////gAAAAMAAAAEAAAABQAAAAA="),
        (">u2", [1.0, 2.0, 3.0, 4.0, 5.0, 0.0], "k05VTVBZAQB2AHsnZGVzY3InOiAnPnUyJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAQACAAMABAAFAAA="),
        ("<u8", [1.0, 2.0, 3.0, 4.0, 5.0, 0.0], "k05VTVBZAQB2AHsnZGVzY3InOiAnPHU4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoBAAAAAAAAAAIAAAAAAAAAAwAAAAAAAAAEAAAAAAAAAAUAAAAAAAAAAAAAAAAAAAA="),
        ("|u1", [1.0, 2.0, 3.0, 4.0, 5.0, 0.0], "k05VTVBZAQB2AHsnZGVzY3InOiAnfHUxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoBAgMEBQA="),
        ("|b1", [1.0, 1.0, 1.0, 1.0, 1.0, 0.0], "k05VTVBZAQB2AHsnZGVzY3InOiAnfGIxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoBAQEBAQA="),
    ]
    static let version2 = "k05VTVBZAgB0AAAAeydkZXNjcic6ICc8ZjQnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMiwgMyksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAIA/AAAAwAAAQEAAAIBAAACgQAAAAAA="
    static let version3 = "k05VTVBZAwB0AAAAeydkZXNjcic6ICc8ZjQnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMiwgMyksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAIA/AAAAwAAAQEAAAIBAAACgQAAAAAA="
    static let fortran = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBUcnVlLCAnc2hhcGUnOiAoMiwgMyksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAABAQAAAgD8AAIBAAAAAQAAAoEA="
    static let half = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGYyJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDgsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAPACAAHwA/P8DAQD/e1Q1"
    static let halfValues: [Float] = [1.0, -0.0, Float.infinity, -Float.infinity, 6.097555160522461e-05, 5.960464477539063e-08, 65504.0, 0.3330078125]
    static let scalar = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKCksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAACBA"
    static let empty = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDAsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAo="
    static let complex = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGM4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAAAAAAAAAAAAAA"
    /// np.save of np.arange(6, dtype=np.float32).reshape(2, 3): our writer must produce these exact bytes.
    static let arange6 = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAACAPwAAAEAAAEBAAACAQAAAoEA="
}

func npy(_ base64: String) -> Data { Data(base64Encoded: base64)! }

@Suite("NumPy .npy")
struct NumPyFormatTests {
    @Test func readsEveryDtype() throws {
        for (descr, expected, encoded) in NumPyFixtures.dtypes {
            let t = try readNPY(data: npy(encoded), name: descr)
            #expect(t.shape == [2, 3], "\(descr)")
            #expect(t.scalars == expected, "\(descr)")
        }
    }

    @Test func readsVersions2And3ScalarsAndEmpty() throws {
        #expect(try readNPY(data: npy(NumPyFixtures.version2)).scalars == [1, -2, 3, 4, 5, 0])
        #expect(try readNPY(data: npy(NumPyFixtures.version3)).scalars == [1, -2, 3, 4, 5, 0])
        let s = try readNPY(data: npy(NumPyFixtures.scalar))
        #expect(s.shape == [] && s.scalars == [2.5])
        let e = try readNPY(data: npy(NumPyFixtures.empty))
        #expect(e.shape == [0, 3] && e.scalars.isEmpty)
    }

    @Test func halfPrecisionIsExact() throws {
        let t = try readNPY(data: npy(NumPyFixtures.half))
        #expect(t.scalars.map(\.bitPattern) == NumPyFixtures.halfValues.map(\.bitPattern))
    }

    /// A Data slice whose startIndex is not 0 (e.g. cut out of a larger buffer) reads the same.
    @Test func readsFromDataSlices() throws {
        let whole = Data([1, 2, 3, 4, 5]) + npy(NumPyFixtures.arange6)
        let slice = whole[5...]
        #expect(slice.startIndex == 5)
        #expect(try readNPY(data: slice).scalars == [0, 1, 2, 3, 4, 5])
    }

    @Test func writerMatchesNumpyBytes() {
        let t = Tensor(shape: [2, 3], scalars: [0, 1, 2, 3, 4, 5])
        #expect(npyData(t) == npy(NumPyFixtures.arange6))
    }

    @Test("round trips", arguments: [[Int](), [0], [7], [2, 3], [2, 0, 4], [1, 2, 3, 4]])
    func roundTrip(shape: [Int]) throws {
        var rng = SeededRandom(seed: UInt64(shape.count + 1))
        var t = rng.tensor(shape, -100, 100)
        if t.count > 2 { t.scalars[0] = .nan; t.scalars[1] = -0.0; t.scalars[2] = .infinity }
        let back = try readNPY(data: npyData(t))
        #expect(bitwiseEqual(back, t))
        #expect(npyData(t).count % 64 == (t.count * 4) % 64)  // header padded to 64 bytes
    }

    @Test func fileRoundTripIsAtomic() throws {
        let dir = try TestFixtures.temporaryDirectory("npy")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("x.npy")
        let t = Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6])
        try writeNPY(t, to: url)
        try writeNPY(t, to: url)   // replaces an existing file
        #expect(try readNPY(contentsOf: url) == t)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["x.npy"])
        #expect(throws: NPYError.self) { try writeNPY(t, to: dir.appendingPathComponent("missing/x.npy")) }
        do {
            _ = try readNPY(contentsOf: dir.appendingPathComponent("absent.npy"))
        } catch {
            #expect(error.file.hasSuffix("absent.npy"))
        }
    }

    func expectError(_ data: Data, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try readNPY(data: data, name: "bad.npy")
            Issue.record("expected an error containing '\(fragment)'", sourceLocation: sourceLocation)
        } catch {
            #expect(error.description.hasPrefix("bad.npy: "), sourceLocation: sourceLocation)
            #expect(error.description.contains(fragment), "\(error)", sourceLocation: sourceLocation)
            #expect(!error.description.contains("\n"), sourceLocation: sourceLocation)
        }
    }

    /// Builds a file from a header text (padded as numpy does) and raw data bytes.
    func file(_ header: String, data: [UInt8] = [UInt8](repeating: 0, count: 24), version: UInt8 = 1) -> Data {
        var h = header
        let prefix = version == 1 ? 10 : 12
        while (prefix + h.utf8.count + 1) % 64 != 0 { h += " " }
        h += "\n"
        var d = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, version, 0, UInt8(h.utf8.count & 0xFF), UInt8(h.utf8.count >> 8)])
        if version != 1 { d.append(contentsOf: [0, 0]) }
        d.append(contentsOf: Array(h.utf8))
        d.append(contentsOf: data)
        return d
    }

    @Test func malformedFilesFailWithOneLine() {
        let good = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"
        #expect(throws: Never.self) { try readNPY(data: file(good)) }
        expectError(Data("hello world, not numpy".utf8), "magic")
        expectError(Data([0x93, 0x4E, 0x55]), "magic")
        expectError(npy(NumPyFixtures.fortran), "fortran_order True is not supported")
        expectError(npy(NumPyFixtures.complex), "unsupported dtype '<c8'")
        expectError(file(good, data: [UInt8](repeating: 0, count: 20)), "needs 24 data bytes, the file has 20")
        expectError(file(good, data: [UInt8](repeating: 0, count: 28)), "needs 24 data bytes, the file has 28")
        expectError(file(good, version: 4), "unsupported format version 4.0")
        expectError(file("{'descr': '<f4', 'fortran_order': False}"), "missing key 'shape'")
        expectError(file("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'extra': 1}"), "unexpected key 'extra'")
        expectError(file("{'descr': '<f4', 'fortran_order': Nope, 'shape': (2, 3)}"), "expected True or False")
        expectError(file("{'descr': '<f4', 'fortran_order': False, 'shape': (6)}", data: []), "not a tuple")
        expectError(file("{'descr': '<f4', 'fortran_order': False, 'shape': (-1, 3)}"), "non-negative integer")
        expectError(file("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999, 99999999999)}"), "too many elements")
        expectError(file("{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904,)}"), "too many")
        expectError(file("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999,)}"), "too large")
        expectError(file("{'descr': '<f4' 'fortran_order': False, 'shape': (2, 3)}"), "expected '}'")
        expectError(file("{'descr': '<f4, 'fortran_order': False, 'shape': (2, 3)}"), "malformed header")
        expectError(file("['descr']"), "expected '{'")
        var truncated = file(good)
        truncated[8] = 0xFF
        truncated[9] = 0xFF
        expectError(truncated.prefix(100), "runs past the end")
    }
}
