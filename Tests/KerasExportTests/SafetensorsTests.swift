import Foundation
import KerasExport
import Testing

/// The safetensors writer and reader against the format's specification (huggingface/safetensors, docs and
/// `safetensors/src/tensor.rs`): 8-byte little-endian header length, JSON header, data offsets relative to the end
/// of the header, contiguous tensors covering the buffer. The real library's acceptance of our files is checked by
/// tools/check_pytorch.py (run by PyTorchExportCLITests).
@Suite("safetensors")
struct SafetensorsTests {
    func u64(_ b: [UInt8], _ at: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(b[at + $1]) << (8 * UInt64($1)) } }

    @Test("the file is the header length, a padded JSON header, then the data; 8-byte types first")
    func layout() throws {
        let a = SafetensorsTensor(name: "a.weight", shape: [2, 1], floats: [1.5, -2])
        let n = SafetensorsTensor(name: "bn.num_batches_tracked", shape: [], int64s: [7])
        let bytes = try Safetensors.serialize([a, n], metadata: [("format", "pt")])
        let headerLength = Int(u64(bytes, 0))
        #expect((8 + headerLength) % 8 == 0)
        let header = String(decoding: bytes[8..<(8 + headerLength)], as: UTF8.self)
        #expect(header.hasPrefix("{\"__metadata__\":{\"format\":\"pt\"},\"bn.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]},\"a.weight\":{\"dtype\":\"F32\",\"shape\":[2,1],\"data_offsets\":[8,16]}}"))
        #expect(header.trimmingCharacters(in: .whitespaces).hasSuffix("}"))
        let data = Array(bytes[(8 + headerLength)...])
        #expect(data.count == 16)
        #expect(u64(data, 0) == 7)
        let f0 = Float(bitPattern: UInt32(data[8]) | UInt32(data[9]) << 8 | UInt32(data[10]) << 16 | UInt32(data[11]) << 24)
        #expect(f0 == 1.5)
    }

    @Test("what the writer writes, the reader reads back, in offset order with the metadata")
    func roundTrip() throws {
        let tensors = [SafetensorsTensor(name: "x\"y", shape: [3], floats: [1, 2, 3]),
                       SafetensorsTensor(name: "z", shape: [0, 4], floats: [])]
        let bytes = try Safetensors.serialize(tensors, metadata: [("source", "m.h5")])
        let (metadata, entries) = try Safetensors.readHeader(bytes)
        #expect(metadata == ["source": "m.h5"])
        #expect(entries.map(\.name) == ["x\"y", "z"])
        #expect(entries.map(\.shape) == [[3], [0, 4]])
        #expect(entries[0].dataOffsets == (0, 12))
    }

    @Test("the writer refuses duplicate names and data that does not fit the shape")
    func writerRefuses() {
        let t = SafetensorsTensor(name: "a", shape: [2], floats: [1, 2])
        #expect(throws: SafetensorsError.self) { try Safetensors.serialize([t, t]) }
        #expect(throws: SafetensorsError.self) {
            try Safetensors.serialize([SafetensorsTensor(name: "b", dtype: .f32, shape: [3], data: [0, 0, 0, 0])])
        }
    }

    /// A file with `header` (padded to 8) and `dataCount` data bytes.
    func file(_ header: String, dataCount: Int) -> [UInt8] {
        var h = Array(header.utf8)
        while (8 + h.count) % 8 != 0 { h.append(0x20) }
        var out: [UInt8] = []
        withUnsafeBytes(of: UInt64(h.count).littleEndian) { out.append(contentsOf: $0) }
        return out + h + [UInt8](repeating: 0, count: dataCount)
    }

    @Test("the reader rejects what the reference implementation rejects", arguments: [
        ("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, "gap or overlap"),
        ("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, "gap or overlap"),
        ("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 8, "cover 4 bytes of a 8-byte"),
        ("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8, "needs 12"),
        ("{\"a\":{\"dtype\":\"Q8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1, "unknown dtype"),
        ("[1, 2]", 0, "does not begin with `{`"),
        ("{\"a\": ", 0, "not valid JSON"),
        ("{\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,0]}}", 0, "overflows"),
        ("{\"a\":" + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}", 0,
         "not valid JSON"),
    ])
    func readerRejects(header: String, dataCount: Int, message: String) {
        do {
            _ = try Safetensors.readHeader(file(header, dataCount: dataCount), file: "t.safetensors")
            Issue.record("accepted \(header)")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
            #expect("\(error)".hasPrefix("t.safetensors: "))
        }
    }

    @Test("a header length past the end of the file or over 100 MB is refused before parsing")
    func headerLength() {
        var bytes: [UInt8] = []
        withUnsafeBytes(of: UInt64(1_000).littleEndian) { bytes.append(contentsOf: $0) }
        #expect(throws: SafetensorsError.self) { try Safetensors.readHeader(bytes + Array("{}".utf8)) }
        bytes = []
        withUnsafeBytes(of: UInt64(200_000_000).littleEndian) { bytes.append(contentsOf: $0) }
        #expect(throws: SafetensorsError.self) { try Safetensors.readHeader(bytes) }
    }
}
