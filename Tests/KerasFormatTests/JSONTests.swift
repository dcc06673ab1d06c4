import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import KerasFormat
import KerasGraph
import Testing
import _TestSupport

/// JSON parsing and Python-compatible serialisation. Expected texts were produced by CPython 3's `json.dumps`
/// (default separators, `ensure_ascii=True`), except where a test says our documented choice differs
/// (integral floats are written without `.0`).
@Suite("JSON")
struct JSONTests {
    // MARK: Parsing

    @Test("objects keep key order; all value kinds")
    func parsesValues() throws {
        let v = try JSONValue.parse(#" {"z": 1, "a": [true, false, null], "m": {"k": "v"}, "n": -12.5e-1} "#)
        guard case let .object(members) = v else {
            Issue.record("expected an object")
            return
        }
        #expect(members.map(\.0) == ["z", "a", "m", "n"])
        #expect(v["z"] == .number(1))
        #expect(v["a"] == .array([.bool(true), .bool(false), .null]))
        #expect(v["m"]?["k"] == .string("v"))
        #expect(v["n"] == .number(-1.25))
    }

    @Test("every escape, including surrogate pairs")
    func escapes() throws {
        let v = try JSONValue.parse(#""\"\\\/\b\f\n\r\t\u00e9\u00E9\ud83d\ude00 plain""#)
        #expect(v == .string("\"\\/\u{08}\u{0C}\n\r\té\u{E9}\u{1F600} plain"))
    }

    @Test("unpaired surrogates become U+FFFD")
    func loneSurrogates() throws {
        #expect(try JSONValue.parse(#""\ud800x""#) == .string("\u{FFFD}x"))
        #expect(try JSONValue.parse(#""\udc00""#) == .string("\u{FFFD}"))
        #expect(try JSONValue.parse(#""\ud800\u0041""#) == .string("\u{FFFD}A"))
    }

    @Test("Python's NaN, Infinity and -Infinity")
    func nonFinite() throws {
        let v = try JSONValue.parse("[NaN, Infinity, -Infinity]")
        guard case let .array(items) = v, items.count == 3,
              case let .number(a) = items[0], case let .number(b) = items[1], case let .number(c) = items[2] else {
            Issue.record("expected three numbers, got \(v)")
            return
        }
        #expect(a.isNaN)
        #expect(b == .infinity)
        #expect(c == -.infinity)
        #expect(v.serialized() == "[NaN, Infinity, -Infinity]")
    }

    @Test("a repeated key keeps its first position and its last value (Python dict)")
    func duplicateKeys() throws {
        let v = try JSONValue.parse(#"{"a": 1, "b": 2, "a": 3}"#)
        #expect(v == .object([("a", .number(3)), ("b", .number(2))]))
    }

    @Test("repeated keys in objects of every size (below, at and above the size where keys are indexed)",
          arguments: [2, 15, 16, 17, 40])
    func duplicateKeysAnySize(count: Int) throws {
        // Keys k0 … k(count−1), then k0 and the last key again, then one more new key: each repeat replaces the value in
        // its first position, as Python's dict does.
        var text = "{" + (0..<count).map { #""k\#($0)": \#($0)"# }.joined(separator: ", ")
        text += #", "k0": "first again", "k\#(count - 1)": "last again", "new": true}"#
        guard case let .object(members) = try JSONValue.parse(text) else { Issue.record("not an object"); return }
        #expect(members.count == count + 1)
        #expect(members.map(\.0) == (0..<count).map { "k\($0)" } + ["new"])
        #expect(members[0].1 == .string("first again"))
        #expect(members[count - 1].1 == .string("last again"))
        if count > 2 { #expect(members[1].1 == .number(1)) }
        #expect(members[count].1 == .bool(true))
    }

    @Test("whole numbers read exactly, on the short path (≤ 15 digits) and the long one")
    func wholeNumbers() throws {
        let texts = ["0", "-0", "7", "-12", "999999999999999", "-999999999999999", "1000000000000000",
                     "9007199254740993", "123456789012345678901234567890", "00"]
        for text in texts.dropLast() {
            let v = try JSONValue.parse(text)
            guard case let .number(d) = v, let expected = Double(text) else { Issue.record("\(text): \(v)"); continue }
            #expect(d.bitPattern == expected.bitPattern, "\(text)")   // -0 keeps its sign
        }
        #expect(throws: FormatError.self) { try JSONValue.parse(texts.last!) }   // leading zero
    }

    @Test("plain strings: ASCII, non-ASCII UTF-8, and text after an escape")
    func plainStrings() throws {
        #expect(try JSONValue.parse(#"["conv2d_1", "héllo ✓", "a\"b", ""]"#)
                == .array([.string("conv2d_1"), .string("héllo ✓"), .string("a\"b"), .string("")]))
        #expect(throws: FormatError.self) { try JSONValue.parse(bytes: [0x22, 0x61, 0x0A, 0x22]) }   // raw newline
    }

    @Test("parse from bytes, with and without a BOM")
    func bytes() throws {
        #expect(try JSONValue.parse(bytes: Array(#"{"é": 1}"#.utf8)) == .object([("é", .number(1))]))
        #expect(try JSONValue.parse(bytes: [0xEF, 0xBB, 0xBF] + Array("[1]".utf8)) == .array([.number(1)]))
        #expect(try JSONValue.parse(bytes: Data("2".utf8)) == .number(2))
    }

    // MARK: Serialising

    @Test("numbers are written as Python's float repr")
    func pythonRepr() throws {
        let values: [Double] = [0.20000000298023224, 1e-05, 1e16, 1e22, .leastNonzeroMagnitude, 0.1, 1.7976931348623157e308,
                                123456789.125, -2.5e-07, 0.30000001192092896, .nan, .infinity, -.infinity,
                                9007199254740993.0]
        // From CPython: json.dumps([...the same literals...]).
        let python = "[0.20000000298023224, 1e-05, 1e+16, 1e+22, 5e-324, 0.1, 1.7976931348623157e+308, "
            + "123456789.125, -2.5e-07, 0.30000001192092896, NaN, Infinity, -Infinity, 9007199254740992.0]"
        #expect(JSONValue.array(values.map { .number($0) }).serialized() == python)
    }

    @Test("integral numbers below 2^53 are written without a fraction; -0.0 keeps its sign")
    func integers() {
        #expect(JSONValue.array([.number(3), .number(-7), .number(0), .number(4503599627370496)]).serialized()
            == "[3, -7, 0, 4503599627370496]")
        #expect(JSONValue.number(-0.0).serialized() == "-0.0")
        #expect(JSONValue.number(9007199254740992).serialized() == "9007199254740992.0")
    }

    @Test("strings are escaped as json.dumps does (ensure_ascii)")
    func stringEscapes() {
        // json.dumps('é\U0001F600\x7f\x01"\\/\n\t\b\f\r')
        let expected = #""\u00e9\ud83d\ude00\u007f\u0001\"\\/\n\t\b\f\r""#
        #expect(JSONValue.string("é\u{1F600}\u{7F}\u{01}\"\\/\n\t\u{08}\u{0C}\r").serialized() == expected)
    }

    @Test("pretty printing matches json.dumps(indent=2)")
    func pretty() {
        let v = JSONValue.object([
            ("a", .array([.number(1), .object([("b", .null), ("c", .array([]))]), .object([])])),
            ("d", .string("x")),
        ])
        let python = """
            {
              "a": [
                1,
                {
                  "b": null,
                  "c": []
                },
                {}
              ],
              "d": "x"
            }
            """
        #expect(v.serialized(pretty: true) == python)
        #expect(v.serialized() == #"{"a": [1, {"b": null, "c": []}, {}], "d": "x"}"#)
    }

    @Test("doubles round-trip bit for bit through text")
    func doubleRoundTrip() throws {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var values: [Double] = [0.1, 1 / 3, .pi, -1e-300, 2.2250738585072014e-308, .leastNonzeroMagnitude, .greatestFiniteMagnitude,
                                1e15 + 0.5, 0.20000000298023224, 16777217, -0.0]
        for _ in 0..<20_000 {
            // SplitMix64: arbitrary bit patterns, so every exponent range is covered.
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            let d = Double(bitPattern: z)
            if !d.isNaN { values.append(d) }
        }
        let text = JSONValue.array(values.map { .number($0) }).serialized()
        guard case let .array(back) = try JSONValue.parse(text), back.count == values.count else {
            Issue.record("round trip lost values")
            return
        }
        var mismatches = 0
        for (v, b) in zip(values, back) {
            guard case let .number(d) = b, d.bitPattern == v.bitPattern else {
                mismatches += 1
                continue
            }
        }
        #expect(mismatches == 0)
    }

    @Test("real Keras JSON re-serialises to the same text, apart from integral floats")
    func realConfigsRoundTrip() throws {
        let files = fixtureJSONFiles()
        #expect(!files.isEmpty, "no fixture JSON files found under Fixtures/models")
        // Python writes the float 1.0 as `1.0`; we write integral values as `1` (see `serialized`).
        let integralFloat = /([\[ ])(-?[0-9]+)\.0([,\]}])/
        for url in files {
            let text = try String(contentsOf: url, encoding: .utf8)
            let value = try JSONValue.parse(text)
            let again = value.serialized()
            let expected = text.replacing(integralFloat) { "\($0.output.1)\($0.output.2)\($0.output.3)" }
            #expect(again == expected, "\(url.lastPathComponent) in \(url.deletingLastPathComponent().lastPathComponent)")
            #expect(try JSONValue.parse(again) == value)
        }
    }

    // MARK: Hostile input

    @Test("deep nesting is refused, not a stack overflow", arguments: ["[", "{\"a\":"])
    func deepNesting(open: String) {
        let text = String(repeating: open, count: 100_000)
        #expect(throws: FormatError.self) { try JSONValue.parse(text) }
        let ok = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect((try? JSONValue.parse(ok)) != nil)
        let tooDeep = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        do {
            _ = try JSONValue.parse(tooDeep)
            Issue.record("513 levels accepted")
        } catch let e as FormatError {
            #expect(e.description == "invalid JSON at byte 512: nesting deeper than 512 levels")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    /// Linear, not quadratic (a crafted config with a long list must not stall us): the CPU time this thread spends
    /// parsing 4n elements is compared with n elements — about 4× when linear, 16× when quadratic; the bound 10×
    /// sits between. Thread CPU time, not wall time, so other work on the machine (CI runs the suites in parallel)
    /// does not count. The time limit only stops a hang.
    @Test("long lists and objects parse in linear time", .timeLimit(.minutes(10)))
    func longContainers() throws {
        func lists(_ n: Int) throws -> Double {
            let list = "[" + (0..<n).map(String.init).joined(separator: ",") + "]"
            let object = "{" + (0..<n).map { "\"k\($0)\": [\($0)]" }.joined(separator: ", ") + "}"
            let t0 = threadCPUSeconds()
            let parsedList = try JSONValue.parse(list)
            let parsedObject = try JSONValue.parse(object)
            let t1 = threadCPUSeconds()
            guard case let .array(items) = parsedList, case let .object(members) = parsedObject else {
                Issue.record("not a list and an object")
                return t1 - t0
            }
            #expect(items.count == n && items.last == .number(Double(n - 1)))
            #expect(members.count == n && members[n / 2].0 == "k\(n / 2)")
            #expect(JSONValue.array(items).serialized().count == list.count + (n - 1))  // ", " separators
            return t1 - t0
        }
        _ = try lists(10_000)  // warm-up
        let small = try lists(75_000), large = try lists(300_000)
        #expect(large / small < 10, "4× the elements took \(large / small)× the CPU time (\(small) s → \(large) s)")
    }

    @Test("huge numbers become infinities or long mantissas, as in Python's float()")
    func hugeNumbers() throws {
        #expect(try JSONValue.parse("1e99999") == .number(.infinity))
        #expect(try JSONValue.parse("-1e99999") == .number(-.infinity))
        #expect(try JSONValue.parse("1e-99999") == .number(0))
        #expect(try JSONValue.parse("1" + String(repeating: "0", count: 400)) == .number(.infinity))
        let long = "0." + String(repeating: "3", count: 100_000)
        #expect(try JSONValue.parse(long) == .number(1.0 / 3.0))
    }

    @Test("malformed input gives one-line errors with the byte offset", arguments: [
        ("", "invalid JSON at byte 0: empty input"),
        ("[1, 2,, 3]", "invalid JSON at byte 6: expected a value, found `,`"),
        ("{} x", "invalid JSON at byte 3: unexpected `x` after the JSON value"),
        ("[1,]", "invalid JSON at byte 3: expected a value, found `]`"),
        ("01", "invalid JSON at byte 0: leading zero in number"),
        ("1.", "invalid JSON at byte 2: expected a digit after `.` in number"),
        ("-", "invalid JSON at byte 1: expected a digit in number"),
        ("\"a\\x\"", "invalid JSON at byte 2: invalid escape `\\x` in string"),
        ("\"\\u12G4\"", "invalid JSON at byte 1: invalid `\\u` escape: expected 4 hex digits"),
        ("\"\\u12", "invalid JSON at byte 1: truncated `\\u` escape"),
        ("\"abc", "invalid JSON at byte 0: unterminated string"),
        ("\"a\u{01}\"", "invalid JSON at byte 2: control character 0x1 in string"),
        ("{\"a\" 1}", "invalid JSON at byte 5: expected `:` after object key, found `1`"),
        ("{1: 2}", "invalid JSON at byte 1: expected a string key in object, found `1`"),
        ("[1 2]", "invalid JSON at byte 3: expected `,` or `]` in list, found `2`"),
        ("{\"a\": 1 \"b\": 2}", "invalid JSON at byte 8: expected `,` or `}` in object, found `\"`"),
        ("tru", "invalid JSON at byte 0: expected `true`, found end of input"),
        ("nul!", "invalid JSON at byte 0: expected `null`"),
        ("Nan", "invalid JSON at byte 0: expected `NaN`"),
        ("-Inf", "invalid JSON at byte 1: expected `Infinity`, found end of input"),
        ("[", "invalid JSON at byte 1: unexpected end of input"),
    ])
    func malformed(text: String, message: String) {
        do {
            let v = try JSONValue.parse(text)
            Issue.record("accepted \(text.debugDescription) as \(v)")
        } catch let e as FormatError {
            #expect(e.description == message)
            #expect(!e.description.contains("\n"))
        } catch {
            Issue.record("unexpected error type \(error)")
        }
    }

    @Test("every truncation of a real config fails cleanly")
    func truncations() throws {
        let text = #"{"class_name": "Dense", "config": {"units": 3, "x": [1.5e-3, null, "\u00e9\ud83d\ude00"]}}"#
        let bytes = Array(text.utf8)
        for n in 0..<bytes.count {
            #expect(throws: FormatError.self) { try JSONValue.parse(bytes: bytes[0..<n]) }
        }
        #expect((try? JSONValue.parse(bytes: bytes)) != nil)
    }

    @Test("invalid UTF-8 and oversize input are refused")
    func invalidBytes() {
        #expect(throws: FormatError.self) { try JSONValue.parse(bytes: [0x22, 0xC3, 0x28, 0x22]) }
        #expect(throws: FormatError.self) { try JSONValue.parse(bytes: [0x22, 0xED, 0xA0, 0x80, 0x22]) }  // UTF-8 surrogate
        #expect(throws: FormatError.self) { try JSONValue.parse(bytes: [0xFF]) }
        #expect(throws: FormatError.self) { try JSONValue.parse("[1, 2, 3]", maxBytes: 8) }
        #expect((try? JSONValue.parse("[1, 2, 3]", maxBytes: 9)) != nil)
    }

    @Test("random byte soup never crashes")
    func fuzz() {
        var state: UInt64 = 42
        let alphabet = Array(#"{}[]",:0123456789.eE+-tfnulraseINy\u"#.utf8) + [0x20, 0x0A, 0xC3, 0xA9, 0x00]
        var accepted = 0
        for _ in 0..<3_000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int(state % 40) {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                bytes.append(alphabet[Int((state >> 33) % UInt64(alphabet.count))])
            }
            state = state &* 6364136223846793005 &+ 1442695040888963407
            if let v = try? JSONValue.parse(bytes: bytes) {
                accepted += 1
                // Whatever parses must serialise and parse back to the same value.
                #expect((try? JSONValue.parse(v.serialized())) == v)
            }
        }
        #expect(accepted < 3_000)
    }
}

/// Every `*.json` file in `Fixtures/models/*/` except manifests (model configs written by Keras).
func fixtureJSONFiles() -> [URL] {
    let root = TestFixtures.url("models")
    let fm = FileManager.default
    guard let dirs = try? fm.contentsOfDirectory(at: root, includingPropertiesForKeys: nil) else { return [] }
    var out: [URL] = []
    for dir in dirs.sorted(by: { $0.path < $1.path }) {
        guard let files = try? fm.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil) else { continue }
        for f in files.sorted(by: { $0.path < $1.path })
        where f.pathExtension == "json" && f.lastPathComponent != "manifest.json"
            && !f.lastPathComponent.hasSuffix(".weights.json") {
            out.append(f)
        }
    }
    return out
}

/// CPU time the calling thread has used, in seconds.
private func threadCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}
