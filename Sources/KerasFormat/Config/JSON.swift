import KerasGraph

// JSON text ↔ `JSONValue`, written to read what Python's `json.dumps` writes and to write it back the same way.
//
// Reading is a small iterative (non-recursive) parser: nesting depth and input size are limited, so hostile input
// gives a one-line error with the byte offset, never a crash or a stack overflow. Object key order is kept.

extension JSONValue {
    /// The deepest nesting of arrays and objects ``parse(_:maxDepth:maxBytes:)`` accepts by default.
    package static let defaultMaxDepth = 512
    /// The largest input ``parse(_:maxDepth:maxBytes:)`` accepts by default (256 MiB).
    package static let defaultMaxBytes = 256 << 20

    /// Parses JSON text.
    ///
    /// Accepts RFC 8259 JSON plus the `NaN`, `Infinity` and `-Infinity` that Python's `json.dumps` writes for
    /// non-finite floats. Numbers too large for a `Double` become infinities, as in Python. Where an object repeats a
    /// key, the last value wins and keeps the first position (Python's `dict` behaviour). An unpaired `\u` surrogate
    /// escape becomes U+FFFD. A leading UTF-8 byte order mark is skipped.
    ///
    /// - Throws: ``FormatError`` with the byte offset of the problem: malformed or truncated text, trailing
    ///   characters, invalid escapes or UTF-8, nesting deeper than `maxDepth`, input longer than `maxBytes`.
    package static func parse(_ text: String, maxDepth: Int = defaultMaxDepth,
                             maxBytes: Int = defaultMaxBytes) throws -> JSONValue {
        var text = text
        return try text.withUTF8 { buffer in
            try parseBuffer(buffer, maxDepth: maxDepth, maxBytes: maxBytes)
        }
    }

    /// Parses JSON from UTF-8 bytes. See ``parse(_:maxDepth:maxBytes:)``.
    package static func parse(bytes: some Collection<UInt8>, maxDepth: Int = defaultMaxDepth,
                             maxBytes: Int = defaultMaxBytes) throws -> JSONValue {
        if let result = try bytes.withContiguousStorageIfAvailable({ buffer in
            try parseBuffer(buffer, maxDepth: maxDepth, maxBytes: maxBytes)
        }) {
            return result
        }
        let copy = Array(bytes)
        return try copy.withUnsafeBufferPointer { try parseBuffer($0, maxDepth: maxDepth, maxBytes: maxBytes) }
    }

    private static func parseBuffer(_ bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int, maxBytes: Int) throws -> JSONValue {
        guard bytes.count <= maxBytes else {
            throw FormatError("invalid JSON: input is \(bytes.count) bytes, more than the limit of \(maxBytes)")
        }
        var parser = JSONParser(bytes: bytes, maxDepth: maxDepth)
        return try parser.parseDocument()
    }

    /// The value as JSON text, written the way Python's `json.dumps` writes it.
    ///
    /// - `", "` and `": "` separators (or, with `pretty`, two-space indentation like `json.dumps(v, indent=2)`).
    /// - Non-ASCII characters as `\uXXXX` escapes (`ensure_ascii=True`), surrogate pairs above U+FFFF.
    /// - Non-finite numbers as `NaN`, `Infinity`, `-Infinity`.
    /// - Integral numbers below 2^53 in magnitude without a fraction (`3`, not `3.0`); other numbers as the shortest
    ///   text that reads back as the same `Double` (Python's float `repr`, e.g. `0.20000000298023224`, `1e-05`).
    package func serialized(pretty: Bool = false) -> String {
        var out = ""
        JSONWriter(pretty: pretty).write(self, into: &out, indent: 0)
        return out
    }

    /// A number that ``serialized(pretty:)`` writes as a Python float: with a fraction even when integral (`1.0`,
    /// not `1`), where Keras reads the type from the text (a TF op's constant first argument). Only for writing:
    /// it is a one-member object with a reserved key until serialized.
    package static func pythonFloat(_ d: Double) -> JSONValue { .object([(pythonFloatKey, .number(d))]) }

    static let pythonFloatKey = "\u{0}keras-port-python-float"

    /// A number written as `json.dumps` would write it (see ``serialized(pretty:)``).
    package static func numberText(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        if d == 0 { return d.sign == .minus ? "-0.0" : "0" }
        if d.rounded(.towardZero) == d, abs(d) < 9_007_199_254_740_992 {
            return String(Int64(d))
        }
        return d.description
    }
}

// MARK: - Parser

private struct JSONParser {
    let bytes: UnsafeBufferPointer<UInt8>
    let maxDepth: Int
    var i = 0

    init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    /// An open container while its members are read. The members live in `arrays` / `objects` (one entry per open
    /// container of that kind) and are appended to in place, so that building a container of n members is O(n)
    /// (holding them in the enum's payload copied the array on every append: quadratic on long lists).
    enum Frame {
        case array
        case object
    }

    /// An open object: its members so far, the key whose value is being read, and (once the object is large) the
    /// position of each key. Keras configs have objects of a few to a few dozen members: below
    /// `OpenObject.indexFrom` members a repeated key is found by comparing with each earlier key, which costs less
    /// than hashing every key into a dictionary.
    struct OpenObject {
        static let indexFrom = 16
        var members: [(String, JSONValue)] = []
        var index: [String: Int]? = nil
        var key: String

        /// Adds `value` under `key`; a repeated key replaces the earlier value in its first position.
        mutating func add(_ value: JSONValue) {
            if let index {
                if let existing = index[key] {
                    members[existing].1 = value
                    return
                }
            } else if let existing = members.firstIndex(where: { $0.0 == key }) {
                members[existing].1 = value
                return
            }
            if index == nil && members.count + 1 >= Self.indexFrom {
                var built: [String: Int] = [:]
                built.reserveCapacity(2 * Self.indexFrom)
                for (k, m) in members.enumerated() { built[m.0] = k }
                index = built
            }
            index?[key] = members.count
            members.append((key, value))
        }
    }

    func fail(_ what: String, at offset: Int? = nil) -> FormatError {
        FormatError("invalid JSON at byte \(offset ?? i): \(what)")
    }

    /// The byte at `i` described for messages.
    var found: String {
        guard i < bytes.count else { return "end of input" }
        let b = bytes[i]
        if b >= 0x21 && b < 0x7F { return "`\(Character(Unicode.Scalar(b)))`" }
        return "byte 0x" + String(b, radix: 16)
    }

    mutating func skipWhitespace() {
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x09, 0x0A, 0x0D: i += 1
            default: return
            }
        }
    }

    mutating func parseDocument() throws -> JSONValue {
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { i = 3 }
        var stack: [Frame] = []
        var arrays: [[JSONValue]] = []
        var objects: [OpenObject] = []
        while true {
            // Read one value, or open a container.
            skipWhitespace()
            guard i < bytes.count else { throw fail(stack.isEmpty ? "empty input" : "unexpected end of input") }
            var value: JSONValue
            switch bytes[i] {
            case UInt8(ascii: "{"):
                guard stack.count < maxDepth else { throw fail("nesting deeper than \(maxDepth) levels") }
                i += 1
                skipWhitespace()
                if i < bytes.count && bytes[i] == UInt8(ascii: "}") {
                    i += 1
                    value = .object([])
                } else {
                    objects.append(OpenObject(key: try parseKey()))
                    stack.append(.object)
                    continue
                }
            case UInt8(ascii: "["):
                guard stack.count < maxDepth else { throw fail("nesting deeper than \(maxDepth) levels") }
                i += 1
                skipWhitespace()
                if i < bytes.count && bytes[i] == UInt8(ascii: "]") {
                    i += 1
                    value = .array([])
                } else {
                    arrays.append([])
                    stack.append(.array)
                    continue
                }
            default:
                value = try parseScalar()
            }

            // Put the value into its container; close containers that end here.
            while true {
                guard let frame = stack.last else {
                    skipWhitespace()
                    guard i == bytes.count else { throw fail("unexpected \(found) after the JSON value") }
                    return value
                }
                skipWhitespace()
                let c: UInt8? = i < bytes.count ? bytes[i] : nil
                switch frame {
                case .array:
                    arrays[arrays.count - 1].append(value)
                    if c == UInt8(ascii: ",") {
                        i += 1
                    } else if c == UInt8(ascii: "]") {
                        i += 1
                        stack.removeLast()
                        value = .array(arrays.removeLast())
                        continue
                    } else {
                        throw fail("expected `,` or `]` in list, found \(found)")
                    }
                case .object:
                    let top = objects.count - 1
                    objects[top].add(value)
                    if c == UInt8(ascii: ",") {
                        i += 1
                        skipWhitespace()
                        objects[top].key = try parseKey()
                    } else if c == UInt8(ascii: "}") {
                        i += 1
                        stack.removeLast()
                        value = .object(objects.removeLast().members)
                        continue
                    } else {
                        throw fail("expected `,` or `}` in object, found \(found)")
                    }
                }
                break
            }
        }
    }

    /// `"key"` then `:`; leaves `i` at the value.
    mutating func parseKey() throws -> String {
        guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else {
            throw fail("expected a string key in object, found \(found)")
        }
        let key = try parseString()
        skipWhitespace()
        guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else {
            throw fail("expected `:` after object key, found \(found)")
        }
        i += 1
        return key
    }

    mutating func parseScalar() throws -> JSONValue {
        switch bytes[i] {
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectWord("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectWord("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectWord("null"); return .null
        case UInt8(ascii: "N"): try expectWord("NaN"); return .number(.nan)
        case UInt8(ascii: "I"): try expectWord("Infinity"); return .number(.infinity)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw fail("expected a value, found \(found)")
        }
    }

    mutating func expectWord(_ word: StaticString) throws {
        let start = i
        let n = word.utf8CodeUnitCount
        guard bytes.count - i >= n else { throw fail("expected `\(word)`, found end of input", at: start) }
        let ok = word.withUTF8Buffer { w in (0..<n).allSatisfy { bytes[start + $0] == w[$0] } }
        guard ok else { throw fail("expected `\(word)`", at: start) }
        i += n
    }

    mutating func parseNumber() throws -> Double {
        let start = i
        if bytes[i] == UInt8(ascii: "-") {
            i += 1
            if i < bytes.count && bytes[i] == UInt8(ascii: "I") {
                try expectWord("Infinity")
                return -.infinity
            }
        }
        func isDigit(_ j: Int) -> Bool { j < bytes.count && bytes[j] >= 0x30 && bytes[j] <= 0x39 }
        guard isDigit(i) else { throw fail("expected a digit in number", at: i) }
        let digitsStart = i
        if bytes[i] == UInt8(ascii: "0") {
            i += 1
            if isDigit(i) { throw fail("leading zero in number", at: start) }
        } else {
            while isDigit(i) { i += 1 }
        }
        let digitsEnd = i
        if i < bytes.count && bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard isDigit(i) else { throw fail("expected a digit after `.` in number", at: i) }
            while isDigit(i) { i += 1 }
        }
        if i < bytes.count && (bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E")) {
            i += 1
            if i < bytes.count && (bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-")) { i += 1 }
            guard isDigit(i) else { throw fail("expected a digit in number exponent", at: i) }
            while isDigit(i) { i += 1 }
        }
        // A whole number (no fraction, no exponent) of up to 15 digits is exact in a Double: read it directly.
        if i == digitsEnd, digitsEnd - digitsStart <= 15 {
            var v: Int64 = 0
            for j in digitsStart..<digitsEnd { v = v * 10 + Int64(bytes[j] - 0x30) }
            return digitsStart > start ? -Double(v) : Double(v)
        }
        // The grammar above admits only ASCII digits, signs, `.` and `e`, which `Double` reads correctly rounded
        // (overflow gives ±infinity, underflow ±0).
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
        guard let d = Double(text) else { throw fail("unreadable number", at: start) }
        return d
    }

    /// A string starting at the `"` at `i`; leaves `i` after the closing quote.
    mutating func parseString() throws -> String {
        let start = i
        i += 1
        // The usual string has no escape: it is made straight from the input bytes (no intermediate buffer).
        var j = i
        var ascii = true
        while j < bytes.count {
            let b = bytes[j]
            if b == UInt8(ascii: "\"") {
                let run = UnsafeBufferPointer(rebasing: bytes[i..<j])
                // ASCII is valid UTF-8 as it stands (`decoding` then repairs nothing); other text is validated.
                guard let s = ascii ? String(decoding: run, as: UTF8.self) : String(validating: run, as: UTF8.self) else {
                    throw fail("invalid UTF-8 in string", at: start)
                }
                i = j + 1
                return s
            }
            if b == UInt8(ascii: "\\") || b < 0x20 { break }
            if b >= 0x80 { ascii = false }
            j += 1
        }
        // An escape, a control character or the end of the input at `j`: the bytes before it are a plain run (validated
        // with the rest).
        var out: [UInt8] = []
        var runStart = i
        i = j
        while true {
            guard i < bytes.count else { throw fail("unterminated string", at: start) }
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i]))
                i += 1
                break
            }
            if b < 0x20 { throw fail("control character 0x\(String(b, radix: 16)) in string") }
            if b != UInt8(ascii: "\\") {
                i += 1
                continue
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i]))
            let escapeStart = i
            i += 1
            guard i < bytes.count else { throw fail("unterminated string", at: start) }
            let e = bytes[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var code = try parseHex4(escapeStart)
                if (0xD800..<0xDC00).contains(code) {
                    // A high surrogate: a low one must follow as another \u escape to make one scalar.
                    if bytes.count - i >= 6, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
                        let save = i
                        i += 2
                        let low = try parseHex4(save)
                        if (0xDC00..<0xE000).contains(low) {
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            i = save
                            code = 0xFFFD
                        }
                    } else {
                        code = 0xFFFD
                    }
                } else if (0xDC00..<0xE000).contains(code) {
                    code = 0xFFFD
                }
                // `code` is now a valid scalar value.
                let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            default:
                throw fail("invalid escape `\\\(Character(Unicode.Scalar(e)))` in string", at: escapeStart)
            }
            runStart = i
        }
        guard let s = String(validating: out, as: UTF8.self) else {
            throw fail("invalid UTF-8 in string", at: start)
        }
        return s
    }

    /// Four hex digits after `\u`.
    mutating func parseHex4(_ escapeStart: Int) throws -> UInt32 {
        guard bytes.count - i >= 4 else { throw fail("truncated `\\u` escape", at: escapeStart) }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[i]
            let d: UInt8
            switch b {
            case 0x30...0x39: d = b - 0x30
            case 0x41...0x46: d = b - 0x41 + 10
            case 0x61...0x66: d = b - 0x61 + 10
            default: throw fail("invalid `\\u` escape: expected 4 hex digits", at: escapeStart)
            }
            v = v << 4 | UInt32(d)
            i += 1
        }
        return v
    }
}

// MARK: - Writer

private struct JSONWriter {
    let pretty: Bool

    func write(_ v: JSONValue, into out: inout String, indent: Int) {
        switch v {
        case .null: out += "null"
        case let .bool(b): out += b ? "true" : "false"
        case let .number(d): out += JSONValue.numberText(d)
        case let .string(s): writeString(s, into: &out)
        case let .array(items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (k, item) in items.enumerated() {
                if k > 0 { out += pretty ? "," : ", " }
                newline(&out, indent + 1)
                write(item, into: &out, indent: indent + 1)
            }
            newline(&out, indent)
            out += "]"
        case let .object(members):
            if members.isEmpty { out += "{}"; return }
            if members.count == 1, members[0].0 == JSONValue.pythonFloatKey, case let .number(d) = members[0].1 {
                let text = JSONValue.numberText(d)
                out += text.contains(where: { ".eEnI".contains($0) }) ? text : text + ".0"
                return
            }
            out += "{"
            for (k, (key, value)) in members.enumerated() {
                if k > 0 { out += pretty ? "," : ", " }
                newline(&out, indent + 1)
                writeString(key, into: &out)
                out += ": "
                write(value, into: &out, indent: indent + 1)
            }
            newline(&out, indent)
            out += "}"
        }
    }

    func newline(_ out: inout String, _ indent: Int) {
        guard pretty else { return }
        out += "\n"
        out += String(repeating: " ", count: 2 * indent)
    }

    /// Python's `json.dumps` string encoding with `ensure_ascii=True`.
    func writeString(_ s: String, into out: inout String) {
        out += "\""
        for unit in s.utf16 {
            switch unit {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x08: out += "\\b"
            case 0x0C: out += "\\f"
            case 0x20..<0x7F: out.unicodeScalars.append(Unicode.Scalar(UInt8(unit)))
            default:
                let hex = String(unit, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
        }
        out += "\""
    }
}
