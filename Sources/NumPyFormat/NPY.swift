public import Foundation
public import TensorModule
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A `.npy` file (or buffer) could not be read or written. The description is one line naming the
/// file and the problem, e.g. `x.npy: fortran_order True is not supported (C order only)`.
public struct NPYError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file path, or the name given for an in-memory buffer.
    public var file: String
    /// What was wrong.
    public var message: String

    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }

    /// `file: message` on one line: control characters (a header's newlines, say, quoted in the message) are written
    /// as `\u{…}` escapes, and a message quoting a long header is cut at 300 characters.
    public var description: String { "\(NPYError.oneLine(file, limit: 4096)): \(NPYError.oneLine(message, limit: 300))" }

    static func oneLine(_ text: String, limit: Int) -> String {
        var out = String.UnicodeScalarView()
        var count = 0
        for scalar in text.unicodeScalars {
            if count >= limit {
                out.append("…")
                break
            }
            let v = scalar.value
            if v < 0x20 || (0x7F...0x9F).contains(v) || v == 0x2028 || v == 0x2029 {
                out.append(contentsOf: "\\u{\(String(v, radix: 16))}".unicodeScalars)
            } else {
                out.append(scalar)
            }
            count += 1
        }
        return String(out)
    }
}

/// Reads a `.npy` file (format versions 1.0, 2.0 and 3.0) into a Float32 tensor.
///
/// Supported dtypes, converted to `Float`: `f2 f4 f8`, `i1 i2 i4 i8`, `u1 u2 u4 u8`, `b1`, little- or
/// big-endian. C order only.
/// - Throws: ``NPYError`` naming the file for I/O errors, a bad magic string or header, an
///   unsupported dtype, Fortran order, or a data size that does not match the shape.
public func readNPY(contentsOf url: URL) throws(NPYError) -> Tensor {
    let data: Data
    do {
        data = try Data(contentsOf: url)
    } catch {
        throw NPYError(file: url.path, message: "cannot read file: \(error.localizedDescription)")
    }
    return try readNPY(data: data, name: url.path)
}

/// Reads `.npy` bytes held in memory; `name` is used in error messages.
/// - Throws: ``NPYError`` as ``readNPY(contentsOf:)``.
public func readNPY(data: Data, name: String = "<npy data>") throws(NPYError) -> Tensor {
    func fail(_ message: String) -> NPYError { NPYError(file: name, message: message) }
    // Only the fixed prefix and the header are copied; the payload is decoded in place.
    let bytes = [UInt8](data.prefix(12))
    let fileSize = data.count
    let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59] // \x93NUMPY
    guard bytes.count >= 10, Array(bytes[0..<6]) == magic else {
        throw fail("not a .npy file (missing \\x93NUMPY magic)")
    }
    let major = bytes[6], minor = bytes[7]
    let headerLength: Int, headerStart: Int
    switch major {
    case 1:
        headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        headerStart = 10
    case 2, 3:
        guard bytes.count >= 12 else { throw fail("truncated header length") }
        headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
        headerStart = 12
    default:
        throw fail("unsupported format version \(major).\(minor) (supported: 1.0, 2.0, 3.0)")
    }
    guard minor == 0 else { throw fail("unsupported format version \(major).\(minor) (supported: 1.0, 2.0, 3.0)") }
    guard headerLength <= fileSize - headerStart else {
        throw fail("header length \(headerLength) runs past the end of the \(fileSize)-byte file")
    }
    let headerBytes = [UInt8](data.dropFirst(headerStart).prefix(headerLength))
    let headerText: String
    if major == 3 {
        guard let text = String(validating: headerBytes, as: UTF8.self) else { throw fail("header is not valid UTF-8") }
        headerText = text
    } else {
        headerText = String(decoding: headerBytes.map { UInt16($0) }, as: UTF16.self) // latin-1
    }
    let header: NPYHeader
    do {
        header = try NPYHeader.parse(headerText)
    } catch {
        throw fail("malformed header: \(error.reason)")
    }
    guard !header.fortranOrder else { throw fail("fortran_order True is not supported (C order only)") }
    guard let dtype = NPYDType(descr: header.descr) else {
        throw fail("unsupported dtype '\(header.descr)' (supported: f2 f4 f8 i1 i2 i4 i8 u1 u2 u4 u8 b1)")
    }
    guard let count = Tensor.elementCount(of: header.shape) else {
        throw fail("shape \(header.shape) has a negative dimension or too many elements")
    }
    let (needed, overflow) = count.multipliedReportingOverflow(by: dtype.size)
    let available = fileSize - headerStart - headerLength
    guard !overflow, needed == available else {
        throw fail("shape \(header.shape) of '\(header.descr)' needs \(overflow ? "too many" : String(needed)) data bytes, the file has \(available)")
    }
    let offset = headerStart + headerLength
    let scalars = data.withUnsafeBytes { raw in
        dtype.decode(UnsafeRawBufferPointer(rebasing: raw[offset...]), count: count)
    }
    return Tensor(validatingShape: header.shape, scalars: scalars)!
}

/// The `.npy` bytes (format 1.0, or 2.0 for very long headers) of a tensor as little-endian float32, C order.
public func npyData(_ tensor: Tensor) -> Data {
    let shapeText: String
    switch tensor.shape.count {
    case 0: shapeText = "()"
    case 1: shapeText = "(\(tensor.shape[0]),)"
    default: shapeText = "(" + tensor.shape.map(String.init).joined(separator: ", ") + ")"
    }
    var dict = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shapeText), }"
    var prefix = 10
    var total = (prefix + dict.utf8.count + 1 + 63) / 64 * 64
    if total - prefix > 65_535 {  // a 1.0 header length is a UInt16; 2.0 uses a UInt32
        prefix = 12
        total = (prefix + dict.utf8.count + 1 + 63) / 64 * 64
    }
    dict += String(repeating: " ", count: total - prefix - dict.utf8.count - 1) + "\n"
    var out = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, prefix == 10 ? 1 : 2, 0])
    let length = dict.utf8.count
    out.append(UInt8(length & 0xFF))
    out.append(UInt8((length >> 8) & 0xFF))
    if prefix == 12 {
        out.append(UInt8((length >> 16) & 0xFF))
        out.append(UInt8((length >> 24) & 0xFF))
    }
    out.append(contentsOf: Array(dict.utf8))
    tensor.scalars.withUnsafeBufferPointer { buffer in
        var littleEndian = [UInt32](repeating: 0, count: buffer.count)
        for i in 0..<buffer.count { littleEndian[i] = buffer[i].bitPattern.littleEndian }
        littleEndian.withUnsafeBytes { out.append(contentsOf: $0) }
    }
    return out
}

/// Writes `tensor` as a float32 `.npy` file atomically: the bytes go to a temporary file in the
/// destination folder, which is then renamed over `url`.
/// - Throws: ``NPYError`` naming the file when it cannot be written.
public func writeNPY(_ tensor: Tensor, to url: URL) throws(NPYError) {
    let data = npyData(tensor)
    let folder = url.deletingLastPathComponent()
    let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
    do {
        try data.write(to: temporary)
    } catch {
        throw NPYError(file: url.path, message: "cannot write temporary file in \(folder.path): \(error.localizedDescription)")
    }
    guard rename(temporary.path, url.path) == 0 else {
        let reason = String(cString: strerror(errno))
        try? FileManager.default.removeItem(at: temporary)
        throw NPYError(file: url.path, message: "cannot move the temporary file into place: \(reason)")
    }
}

// MARK: - Header

/// The three keys of a `.npy` header dictionary.
struct NPYHeader: Equatable {
    var descr: String
    var fortranOrder: Bool
    var shape: [Int]

    struct ParseError: Error {
        var reason: String
    }

    /// Parses the Python literal `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`.
    static func parse(_ text: String) throws(ParseError) -> NPYHeader {
        var p = Parser(Array(text.unicodeScalars))
        try p.expect("{")
        var descr: String?, fortran: Bool?, shape: [Int]?
        while true {
            p.skipSpace()
            if p.peek == "}" { p.index += 1; break }
            let key = try p.string()
            try p.expect(":")
            switch key {
            case "descr":
                guard descr == nil else { throw ParseError(reason: "duplicate key 'descr'") }
                descr = try p.string()
            case "fortran_order":
                guard fortran == nil else { throw ParseError(reason: "duplicate key 'fortran_order'") }
                fortran = try p.boolean()
            case "shape":
                guard shape == nil else { throw ParseError(reason: "duplicate key 'shape'") }
                shape = try p.tuple()
            default:
                throw ParseError(reason: "unexpected key '\(key)'")
            }
            p.skipSpace()
            if p.peek == "," { p.index += 1; continue }
            try p.expect("}")
            break
        }
        p.skipSpace()
        guard p.atEnd else { throw ParseError(reason: "unexpected text after the dictionary") }
        guard let descr else { throw ParseError(reason: "missing key 'descr'") }
        guard let fortran else { throw ParseError(reason: "missing key 'fortran_order'") }
        guard let shape else { throw ParseError(reason: "missing key 'shape'") }
        return NPYHeader(descr: descr, fortranOrder: fortran, shape: shape)
    }

    struct Parser {
        var scalars: [Unicode.Scalar]
        var index = 0
        init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

        var atEnd: Bool { index >= scalars.count }
        var peek: Unicode.Scalar? { atEnd ? nil : scalars[index] }

        mutating func skipSpace() {
            while let c = peek, c == " " || c == "\t" || c == "\n" || c == "\r" { index += 1 }
        }

        mutating func expect(_ c: Unicode.Scalar) throws(ParseError) {
            skipSpace()
            guard peek == c else {
                throw ParseError(reason: "expected '\(c)' at character \(index), found \(peek.map { "'\($0)'" } ?? "end of header")")
            }
            index += 1
        }

        mutating func string() throws(ParseError) -> String {
            skipSpace()
            guard let quote = peek, quote == "'" || quote == "\"" else {
                throw ParseError(reason: "expected a quoted string at character \(index)")
            }
            index += 1
            var s = String.UnicodeScalarView()
            while let c = peek, c != quote {
                s.append(c)
                index += 1
            }
            guard peek == quote else { throw ParseError(reason: "unterminated string") }
            index += 1
            return String(s)
        }

        mutating func boolean() throws(ParseError) -> Bool {
            skipSpace()
            for (word, value) in [("True", true), ("False", false)] {
                let w = Array(word.unicodeScalars)
                if index + w.count <= scalars.count, Array(scalars[index..<(index + w.count)]) == w {
                    index += w.count
                    return value
                }
            }
            throw ParseError(reason: "expected True or False at character \(index)")
        }

        mutating func tuple() throws(ParseError) -> [Int] {
            try expect("(")
            var values: [Int] = []
            while true {
                skipSpace()
                if peek == ")" { index += 1; return values }
                var digits = ""
                while let c = peek, ("0"..."9").contains(c) {
                    digits.unicodeScalars.append(c)
                    index += 1
                }
                // Python 2 era headers may write long integers as `3L`.
                if peek == "L" { index += 1 }
                guard !digits.isEmpty else { throw ParseError(reason: "expected a non-negative integer in the shape at character \(index)") }
                guard let v = Int(digits) else { throw ParseError(reason: "shape dimension \(digits) is too large") }
                values.append(v)
                skipSpace()
                if peek == "," { index += 1; continue }
                try expect(")")
                if values.count == 1 {
                    // `(3)` is an int in Python, not a tuple; numpy always writes `(3,)`.
                    throw ParseError(reason: "shape (\(values[0])) is not a tuple")
                }
                return values
            }
        }
    }
}

// MARK: - Element types

/// A supported `descr`: byte order, kind and size.
struct NPYDType {
    enum Kind { case float, signed, unsigned, bool }
    var kind: Kind
    var size: Int
    var bigEndian: Bool

    init?(descr: String) {
        let chars = Array(descr)
        guard chars.count >= 3, let size = Int(String(chars[2...])) else { return nil }
        switch chars[0] {
        case "<", "|", "=": bigEndian = false   // '=' is native; every supported platform is little-endian
        case ">": bigEndian = true
        default: return nil
        }
        switch (chars[1], size) {
        case ("f", 2), ("f", 4), ("f", 8): kind = .float
        case ("i", 1), ("i", 2), ("i", 4), ("i", 8): kind = .signed
        case ("u", 1), ("u", 2), ("u", 4), ("u", 8): kind = .unsigned
        case ("b", 1): kind = .bool
        default: return nil
        }
        self.size = size
    }

    /// Converts `count` elements at the start of `raw` to `Float`.
    func decode(_ raw: UnsafeRawBufferPointer, count: Int) -> [Float] {
        var out = [Float](repeating: 0, count: count)
        func word<T: FixedWidthInteger>(_ i: Int, _: T.Type) -> T {
            let v = raw.loadUnaligned(fromByteOffset: i * size, as: T.self)
            return bigEndian ? T(bigEndian: v) : T(littleEndian: v)
        }
        switch (kind, size) {
        case (.float, 2): for i in 0..<count { out[i] = halfToFloat(word(i, UInt16.self)) }
        case (.float, 4): for i in 0..<count { out[i] = Float(bitPattern: word(i, UInt32.self)) }
        case (.float, 8): for i in 0..<count { out[i] = Float(Double(bitPattern: word(i, UInt64.self))) }
        case (.signed, 1): for i in 0..<count { out[i] = Float(word(i, Int8.self)) }
        case (.signed, 2): for i in 0..<count { out[i] = Float(word(i, Int16.self)) }
        case (.signed, 4): for i in 0..<count { out[i] = Float(word(i, Int32.self)) }
        case (.signed, 8): for i in 0..<count { out[i] = Float(word(i, Int64.self)) }
        case (.unsigned, 1): for i in 0..<count { out[i] = Float(word(i, UInt8.self)) }
        case (.unsigned, 2): for i in 0..<count { out[i] = Float(word(i, UInt16.self)) }
        case (.unsigned, 4): for i in 0..<count { out[i] = Float(word(i, UInt32.self)) }
        case (.unsigned, 8): for i in 0..<count { out[i] = Float(word(i, UInt64.self)) }
        case (.bool, _): for i in 0..<count { out[i] = word(i, UInt8.self) == 0 ? 0 : 1 }
        default: break
        }
        return out
    }
}

/// IEEE half → single, exact (subnormals, infinities and NaN payloads kept).
func halfToFloat(_ h: UInt16) -> Float {
    let sign = UInt32(h >> 15) << 31
    let exponent = UInt32((h >> 10) & 0x1F)
    let mantissa = UInt32(h & 0x3FF)
    switch exponent {
    case 0:
        let magnitude = Float(mantissa) * 0x1p-24
        return sign == 0 ? magnitude : -magnitude
    case 31:
        return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13)
    default:
        return Float(bitPattern: sign | (exponent + 112) << 23 | mantissa << 13)
    }
}
