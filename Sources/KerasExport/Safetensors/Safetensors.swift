import Foundation

/// A safetensors element type (the `dtype` strings of the format).
public enum SafetensorsDType: String, Sendable, Equatable, CaseIterable {
    case f64 = "F64", f32 = "F32", f16 = "F16", bf16 = "BF16"
    case i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8", u8 = "U8", bool = "BOOL"

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .f64, .i64: return 8
        case .f32, .i32: return 4
        case .f16, .bf16, .i16: return 2
        case .i8, .u8, .bool: return 1
        }
    }
}

/// One tensor of a safetensors file: its name, type, shape and raw little-endian bytes (row-major).
public struct SafetensorsTensor: Sendable, Equatable {
    public var name: String
    public var dtype: SafetensorsDType
    public var shape: [Int]
    public var data: [UInt8]

    public init(name: String, dtype: SafetensorsDType, shape: [Int], data: [UInt8]) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.data = data
    }

    /// A float32 tensor.
    public init(name: String, shape: [Int], floats: [Float]) {
        var bytes = [UInt8]()
        bytes.reserveCapacity(floats.count * 4)
        for f in floats { withUnsafeBytes(of: f.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        self.init(name: name, dtype: .f32, shape: shape, data: bytes)
    }

    /// An int64 tensor.
    public init(name: String, shape: [Int], int64s: [Int64]) {
        var bytes = [UInt8]()
        bytes.reserveCapacity(int64s.count * 8)
        for v in int64s { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
        self.init(name: name, dtype: .i64, shape: shape, data: bytes)
    }

    /// The number of elements the shape holds (1 for a scalar, shape `[]`).
    public var elementCount: Int { shape.reduce(1, *) }
}

/// What `inspect` shows of one stored tensor: no data, only where it lies.
public struct SafetensorsEntry: Sendable, Equatable {
    public var name: String
    public var dtype: SafetensorsDType
    public var shape: [Int]
    /// `[begin, end)` relative to the first byte after the header.
    public var dataOffsets: (Int, Int)

    public static func == (a: Self, b: Self) -> Bool {
        a.name == b.name && a.dtype == b.dtype && a.shape == b.shape && a.dataOffsets == b.dataOffsets
    }
}

/// An error reading or writing a safetensors file; the message names the file or tensor.
public struct SafetensorsError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The safetensors format (huggingface/safetensors): an 8-byte little-endian header length N, N bytes of UTF-8
/// JSON (`{"name": {"dtype", "shape", "data_offsets"}, …, "__metadata__": {string: string}}`, padded with spaces so
/// that the data begins at a multiple of 8), then the tensors' bytes, contiguous and in header order.
public enum Safetensors {
    /// The largest header the reference implementation accepts (100 MB).
    public static let maxHeaderLength = 100_000_000

    /// The file's bytes. Tensors are laid out in order of decreasing element size (8-byte types first, as the
    /// reference writer does), keeping their given order otherwise, so every tensor starts at an offset aligned to
    /// its element size; the header lists them in that same order, `__metadata__` first.
    /// - Throws: ``SafetensorsError`` for a duplicate or empty name, or data whose size does not match its shape.
    public static func serialize(_ tensors: [SafetensorsTensor], metadata: [(String, String)] = []) throws -> [UInt8] {
        var seen = Set<String>()
        for t in tensors {
            guard !t.name.isEmpty, t.name != "__metadata__" else { throw SafetensorsError("invalid tensor name `\(t.name)`") }
            guard seen.insert(t.name).inserted else { throw SafetensorsError("tensor `\(t.name)` is given twice") }
            guard t.shape.allSatisfy({ $0 >= 0 }), t.elementCount * t.dtype.size == t.data.count else {
                throw SafetensorsError("tensor `\(t.name)`: \(t.data.count) bytes do not hold shape \(t.shape) of \(t.dtype.rawValue)")
            }
        }
        let ordered = tensors.enumerated().sorted {
            $0.element.dtype.size != $1.element.dtype.size ? $0.element.dtype.size > $1.element.dtype.size : $0.offset < $1.offset
        }.map(\.element)
        var entries: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.map { "\(jsonString($0.0)):\(jsonString($0.1))" }
            entries.append("\"__metadata__\":{" + pairs.joined(separator: ",") + "}")
        }
        var offset = 0
        for t in ordered {
            let end = offset + t.data.count
            entries.append("\(jsonString(t.name)):{\"dtype\":\"\(t.dtype.rawValue)\",\"shape\":[\(t.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        var header = Array(("{" + entries.joined(separator: ",") + "}").utf8)
        while (8 + header.count) % 8 != 0 { header.append(0x20) }
        var out = [UInt8]()
        out.reserveCapacity(8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: header)
        for t in ordered { out.append(contentsOf: t.data) }
        return out
    }

    /// Reads and checks the header of a safetensors file as the reference implementation does: the header length
    /// fits the file and the 100 MB limit, the JSON is an object of tensors (plus an optional string-to-string
    /// `__metadata__`), each with a known dtype, a non-negative shape and offsets whose length matches the shape,
    /// and the tensors, sorted by offset, cover the data buffer exactly, without gaps or overlaps.
    /// - Returns: the metadata and the tensors in offset order.
    public static func readHeader(_ bytes: [UInt8], file: String = "safetensors file") throws
        -> (metadata: [String: String], tensors: [SafetensorsEntry]) {
        guard bytes.count >= 8 else { throw SafetensorsError("\(file): \(bytes.count) bytes, too short for the 8-byte header length") }
        var n: UInt64 = 0
        for i in 0..<8 { n |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard n <= UInt64(maxHeaderLength) else { throw SafetensorsError("\(file): header length \(n) exceeds the 100 MB limit") }
        let headerLength = Int(n)
        guard 8 + headerLength <= bytes.count else {
            throw SafetensorsError("\(file): header length \(headerLength) runs past the end of the file (\(bytes.count) bytes)")
        }
        guard bytes[8] == UInt8(ascii: "{") else { throw SafetensorsError("\(file): the header does not begin with `{`") }
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + headerLength)]))
        } catch {
            throw SafetensorsError("\(file): the header is not valid JSON")
        }
        guard let object = json as? [String: Any] else { throw SafetensorsError("\(file): the header is not a JSON object") }
        var metadata: [String: String] = [:]
        var entries: [SafetensorsEntry] = []
        for (name, value) in object {
            if name == "__metadata__" {
                guard let m = value as? [String: Any] else { throw SafetensorsError("\(file): `__metadata__` is not an object") }
                for (k, v) in m {
                    guard let s = v as? String else { throw SafetensorsError("\(file): `__metadata__.\(k)` is not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard let info = value as? [String: Any], let dtypeName = info["dtype"] as? String,
                  let shapeValues = info["shape"] as? [Any], let offsetValues = info["data_offsets"] as? [Any] else {
                throw SafetensorsError("\(file): tensor `\(name)` lacks dtype, shape or data_offsets")
            }
            guard let dtype = SafetensorsDType(rawValue: dtypeName) else {
                throw SafetensorsError("\(file): tensor `\(name)` has unknown dtype `\(dtypeName)`")
            }
            let shape = try shapeValues.map { v -> Int in
                guard let i = integer(v), i >= 0 else { throw SafetensorsError("\(file): tensor `\(name)` has a bad shape") }
                return i
            }
            let offsets = try offsetValues.map { v -> Int in
                guard let i = integer(v), i >= 0 else { throw SafetensorsError("\(file): tensor `\(name)` has bad data_offsets") }
                return i
            }
            guard offsets.count == 2, offsets[0] <= offsets[1] else {
                throw SafetensorsError("\(file): tensor `\(name)` data_offsets \(offsets) are not [begin, end]")
            }
            var count = 1
            for d in shape {
                let (p, overflow) = count.multipliedReportingOverflow(by: d)
                guard !overflow else { throw SafetensorsError("\(file): tensor `\(name)` shape \(shape) overflows") }
                count = p
            }
            let (size, overflow) = count.multipliedReportingOverflow(by: dtype.size)
            guard !overflow, size == offsets[1] - offsets[0] else {
                throw SafetensorsError("\(file): tensor `\(name)` has \(offsets[1] - offsets[0]) bytes, shape \(shape) of \(dtypeName) needs \(count * dtype.size)")
            }
            entries.append(SafetensorsEntry(name: name, dtype: dtype, shape: shape, dataOffsets: (offsets[0], offsets[1])))
        }
        entries.sort { $0.dataOffsets.0 != $1.dataOffsets.0 ? $0.dataOffsets.0 < $1.dataOffsets.0 : $0.dataOffsets.1 < $1.dataOffsets.1 }
        var expected = 0
        for e in entries {
            guard e.dataOffsets.0 == expected else {
                throw SafetensorsError("\(file): tensor `\(e.name)` starts at \(e.dataOffsets.0), expected \(expected) (gap or overlap)")
            }
            expected = e.dataOffsets.1
        }
        let buffer = bytes.count - 8 - headerLength
        guard expected == buffer else {
            throw SafetensorsError("\(file): the tensors cover \(expected) bytes of a \(buffer)-byte data buffer")
        }
        return (metadata, entries)
    }

    /// Reads a whole file and its header (``readHeader(_:file:)``).
    public static func read(path: String) throws -> (metadata: [String: String], tensors: [SafetensorsEntry]) {
        guard let data = FileManager.default.contents(atPath: path) else { throw SafetensorsError("\(path): cannot read the file") }
        return try readHeader([UInt8](data), file: path)
    }

    private static func integer(_ v: Any) -> Int? {
        if let i = v as? Int { return i }
        if let d = v as? Double, d.rounded() == d, abs(d) < 9e15 { return Int(d) }
        return nil
    }

    /// A JSON string literal.
    static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    out += String(format: "\\u%04x", u.value)
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}
