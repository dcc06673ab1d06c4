import Foundation
import HDF5
import Testing

/// Reading attributes in every form h5py writes (Fixtures/hdf5/strings.h5, see tools/fixtures_hdf5.py).
/// Expected values come from expected.json, i.e. from h5py reading the same file back.
@Suite struct AttributeReadTests {
    static let stringAttributes = [
        "vlen_ascii_scalar", "vlen_utf8_scalar", "vlen_ascii_array", "vlen_utf8_array", "vlen_utf8_one_element",
        "fixed_nullpad_array", "fixed_nullpad_scalar", "fixed_nullterm_array", "fixed_spacepad_array",
        "fixed_spacepad_scalar", "fixed_utf8_nullpad_array", "empty_vlen_strings",
    ]
    static let numericAttributes = [
        "empty_list", "empty_int32", "float64_scalar", "int64_scalar", "float32_array", "int32_array", "uint8_array",
        "float64_matrix",
    ]

    @Test func namesListsEveryAttribute() throws {
        let root = try HDF5File.open(at: Fixture.strings).rootGroup()
        let expected = try #require(try Fixture.expected("strings", "attributes") as? [String: Any])
        let names = try root.attributes.names()
        #expect(names == expected.keys.sorted())
        #expect(Set(names) == Set(Self.stringAttributes + Self.numericAttributes))
    }

    @Test(arguments: stringAttributes)
    func stringForm(name: String) throws {
        let root = try HDF5File.open(at: Fixture.strings).rootGroup()
        let expected = try #require(try Fixture.expected("strings", "attributes", name) as? [String: Any])
        let type = try #require(expected["type"] as? [String: Any])
        let attribute = try root.attributes.attribute(named: name)

        #expect(attribute.shape == (try jsonShape(expected["shape"] as Any)))
        let padding: StringType.Padding = switch type["padding"] as? String {
        case "nullPadded": .nullPadded
        case "spacePadded": .spacePadded
        default: .nullTerminated
        }
        let length: StringType.Length = (type["variable"] as? Bool == true) ? .variable : .fixed(type["size"] as? Int ?? -1)
        let encoding: StringType.Encoding = type["encoding"] as? String == "utf8" ? .utf8 : .ascii
        #expect(attribute.elementType == .string(StringType(length: length, encoding: encoding, padding: padding)))
        #expect(try attribute.readStrings() == (try jsonStrings(expected["values"] as Any)))
    }

    @Test func fixedLengthElementThatFillsEveryByteIsReadWhole() throws {
        let attributes = try HDF5File.open(at: Fixture.strings).rootGroup().attributes
        let array = try attributes.attribute(named: "fixed_nullpad_array")
        #expect(array.elementType.byteCount == 11)
        #expect(try array.readStrings() == ["short", "eleven_char", "x"])
        #expect(try attributes.string(named: "fixed_nullpad_scalar") == "fixed scalar")  // 12 bytes, no NUL
        #expect(try attributes.strings(named: "fixed_spacepad_array") == ["ab", "cde", "full_len"])
    }

    @Test(arguments: ["vlen_ascii_scalar", "vlen_utf8_scalar", "fixed_nullpad_scalar", "fixed_spacepad_scalar", "vlen_utf8_one_element"])
    func singleString(name: String) throws {
        let attributes = try HDF5File.open(at: Fixture.strings).rootGroup().attributes
        let expected = try jsonStrings(try Fixture.expected("strings", "attributes", name, "values"))
        #expect(try attributes.string(named: name) == expected.first)
    }

    @Test func singleStringOfAnArrayThrows() throws {
        let attributes = try HDF5File.open(at: Fixture.strings).rootGroup().attributes
        let error = try hdf5Error { _ = try attributes.string(named: "vlen_utf8_array") }
        #expect(error.code == .invalidShape)
        #expect(error.description.contains("'vlen_utf8_array'"))
    }

    @Test(arguments: numericAttributes)
    func numbers(name: String) throws {
        let attributes = try HDF5File.open(at: Fixture.strings).rootGroup().attributes
        let expected = try #require(try Fixture.expected("strings", "attributes", name) as? [String: Any])
        let attribute = try attributes.attribute(named: name)
        #expect(attribute.shape == (try jsonShape(expected["shape"] as Any)))
        #expect(attribute.isScalar == attribute.shape.isEmpty)
        // Exact: every stored value is representable as Double, and h5py reports it unrounded.
        if let ints = expected["ints"] {
            #expect(try attribute.readInt64s() == (try jsonInts(ints)))
        } else {
            #expect(sameBits(try attribute.readDoubles(), try jsonDoubles(expected["values"] as Any)))
        }
    }

    @Test func elementTypesOfNumbers() throws {
        let attributes = try HDF5File.open(at: Fixture.strings).rootGroup().attributes
        #expect(try attributes.attribute(named: "empty_list").elementType == .float64)
        #expect(try attributes.attribute(named: "int32_array").elementType == .int32)
        #expect(try attributes.attribute(named: "uint8_array").elementType == .uint8)
        #expect(try attributes.attribute(named: "float32_array").elementType == .float32)
        #expect(try attributes.attribute(named: "int64_scalar").readInt64() == -9_007_199_254_740_993)
        #expect(try attributes.attribute(named: "float64_scalar").readDouble() == 3.141592653589793)
        // float32 0.001 widened exactly, so the Float read equals Float(0.001).
        #expect(try attributes.floats(named: "float32_array") == [0.5, -1.25, 0.001])
    }

    @Test(arguments: ["empty_list", "empty_vlen_strings", "empty_int32"])
    func anyZeroElementAttributeIsAnEmptyList(name: String) throws {
        let attributes = try HDF5File.open(at: Fixture.strings).rootGroup().attributes
        let attribute = try attributes.attribute(named: name)
        #expect(attribute.elementCount == 0)
        #expect(try attribute.readStrings() == [])
        #expect(try attribute.readDoubles() == [])
        #expect(try attribute.readInt64s() == [])
    }

    @Test func chunkedStringLists() throws {
        let chunked = try HDF5File.open(at: Fixture.strings).group(at: "chunked")
        let expected = try #require(try Fixture.expected("strings", "chunked") as? [String: Any])
        #expect(try chunked.attributes.names() == ["layer_names0", "layer_names1", "weight_names"])
        #expect(try chunked.attributes.chunkedStrings(named: "layer_names") == (try jsonStrings(expected["layer_names"] as Any)))
        #expect(try chunked.attributes.chunkedStrings(named: "weight_names") == (try jsonStrings(expected["weight_names"] as Any)))
        #expect(try chunked.attributes.chunkedStrings(named: "missing") == nil)
    }

    @Test func attributeOfADataset() throws {
        let expected = try #require(try Fixture.expected("strings", "dataset_attribute") as? [String: Any])
        let dataset = try HDF5File.open(at: Fixture.strings).dataset(at: try #require(expected["path"] as? String))
        #expect(try dataset.attributes.contains("note"))
        #expect(try !dataset.attributes.contains("nope"))
        #expect(try dataset.attributes.string(named: "note") == expected["value"] as? String)
    }

    @Test func wrongTypeThrowsNamingAttributeObjectAndFile() throws {
        let attributes = try HDF5File.open(at: Fixture.strings).rootGroup().attributes
        let strings = try hdf5Error { _ = try attributes.strings(named: "float32_array") }
        #expect(strings.code == .typeMismatch)
        #expect(strings.description == "cannot read attribute 'float32_array' of '/' in '\(Fixture.strings)': the attribute holds float32, not strings")
        let numbers = try hdf5Error { _ = try attributes.doubles(named: "vlen_utf8_array") }
        #expect(numbers.code == .typeMismatch)
        let integers = try hdf5Error { _ = try attributes.int64s(named: "float64_scalar") }
        #expect(integers.code == .typeMismatch)
    }

    @Test func missingAttributeThrows() throws {
        let group = try HDF5File.open(at: Fixture.strings).group(at: "chunked")
        let error = try hdf5Error { _ = try group.attributes.strings(named: "layer_names") }
        #expect(error.code == .objectNotFound)
        #expect(error.description == "cannot open attribute 'layer_names' of '/chunked' in '\(Fixture.strings)': no such attribute")
    }
}
