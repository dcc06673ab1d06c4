import HDF5
import KerasGraph
import TensorModule

extension StoredWeight {
    /// A catalog entry for a dataset: shape and type now, values on demand.
    ///
    /// Float16/32/64 and integer datasets are converted to `Float`; a 2-byte OPAQUE dataset is bfloat16
    /// (Keras writes it so, with or without a `dtype="bfloat16"` attribute).
    init(dataset: HDF5Dataset, fileName: String) throws {
        let storage: StorageType
        switch dataset.elementType {
        case .float16: storage = .float16
        case .float32: storage = .float32
        case .float64: storage = .float64
        case .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64: storage = .float32
        case .opaque(size: 2, _): storage = .bfloat16
        default:
            throw FormatError(file: dataset.filePath, object: "weight `\(dataset.path)`",
                              "element type \(dataset.elementType) is not a number type")
        }
        let shape = dataset.shape
        self.init(path: dataset.path, fileName: fileName, shape: shape, storageType: storage) {
            let values = storage == .bfloat16 ? try dataset.readBFloat16() : try dataset.readFloats()
            guard let t = Tensor(validatingShape: shape, scalars: values) else {
                throw FormatError(file: dataset.filePath, object: "weight `\(dataset.path)`",
                                  "read \(values.count) values for shape \(shape)")
            }
            return t
        }
    }
}
