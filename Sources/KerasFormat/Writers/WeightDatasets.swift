import HDF5
import TensorModule
import KerasGraph

/// How a writer stores bfloat16 weights.
enum BFloat16Storage {
    /// 2-byte OPAQUE elements with a dataset attribute `dtype = "bfloat16"`, as Keras 3's `H5IOStore` writes them
    /// (`.weights.h5`, `.keras`); Keras converts them back through `ml_dtypes`.
    case opaqueWithAttribute
    /// float32: the exact widening. Legacy `.h5` readers (tf_keras, and Keras 3's legacy loader) have no way to read
    /// OPAQUE data, and assign float32 values to a bfloat16 variable without loss.
    case float32
}

extension HDF5Group {
    /// Writes one weight as a contiguous dataset in its stored type (float16, float32, float64; bfloat16 as `bfloat16`
    /// says). The values are the weight's own `Float`s, so float16 and bfloat16 weights read from a file are
    /// written back bit for bit; float64 weights were narrowed to `Float` when read and are written widened.
    func writeWeight(_ weight: Weight, at path: String, bfloat16: BFloat16Storage) throws {
        let shape = weight.tensor.shape
        let values = weight.tensor.scalars
        switch weight.storageType {
        case .float32:
            try createDataset(at: path, shape: shape, values: values, storedAs: .float32)
        case .float16:
            try createDataset(at: path, shape: shape, values: values, storedAs: .float16)
        case .float64:
            try createDataset(at: path, shape: shape, values: values.map(Double.init), storedAs: .float64)
        case .bfloat16:
            switch bfloat16 {
            case .float32:
                try createDataset(at: path, shape: shape, values: values, storedAs: .float32)
            case .opaqueWithAttribute:
                let dataset = try createOpaqueDataset(at: path, shape: shape, elementSize: 2,
                                                      bytes: BFloat16.littleEndianBytes(from: values))
                try dataset.attributes.write(string: "bfloat16", named: "dtype")
            }
        }
    }
}

/// Keras' `save_attributes_to_hdf5_group`: a list of names as one attribute, or, when the fixed-length form would be
/// over 64512 bytes (what fits in an HDF5 object header), as `name0`, `name1`, … chunks of fixed-length strings.
/// An empty list is a float64 array of shape (0,), as h5py stores `[]`.
enum NameListAttribute {
    /// Keras' `HDF5_OBJECT_HEADER_LIMIT`.
    static let headerLimit = 64512

    static func write(_ names: [String], named name: String, on attributes: HDF5Attributes, file: String,
                      object: String) throws {
        if names.isEmpty {
            try attributes.writeEmptyList(named: name)
            return
        }
        if let long = names.first(where: { $0.utf8.count > headerLimit }) {
            throw FormatError(file: file, object: object,
                              "the name `\(long.prefix(40))…` is longer than \(headerLimit) bytes, which HDF5 cannot store in an attribute")
        }
        // A variable-length element takes 16 bytes in the header (its heap reference), a fixed-length one `width`.
        let width = max(16, names.map(\.utf8.count).max() ?? 1)
        var chunks = 1
        while chunkSizes(names.count, chunks).max().map({ $0 * width }) ?? 0 > headerLimit { chunks += 1 }
        if chunks == 1 {
            try attributes.write(strings: names, named: name, as: .variableLength(.ascii))
            return
        }
        // numpy.array_split: the first `count % chunks` pieces get one more element.
        var start = 0
        for (k, size) in chunkSizes(names.count, chunks).enumerated() {
            try attributes.write(strings: Array(names[start..<(start + size)]), named: "\(name)\(k)", as: .fixedLength)
            start += size
        }
    }

    static func chunkSizes(_ count: Int, _ chunks: Int) -> [Int] {
        (0..<chunks).map { count / chunks + ($0 < count % chunks ? 1 : 0) }
    }
}
