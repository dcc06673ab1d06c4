import KerasGraph
import TensorModule

/// A weight as a file holds it: its path, shape and type are known at once, its values are read on demand.
///
/// Opening a file reads only this catalog, so `inspect` on a 400 MB file reads no weight data
/// (apart from the small alpha tensors it shows).
package struct StoredWeight {
    /// The path of the dataset inside the file (e.g. `model_weights/conv/conv/kernel:0`, `layers/dense/vars/0`).
    package var path: String
    /// The variable name as the file spells it (e.g. `conv/kernel:0`, `dense_1_W`, `0`).
    package var fileName: String
    package var shape: [Int]
    package var storageType: StorageType
    /// Reads the values.
    package var read: () throws -> Tensor

    package init(path: String, fileName: String, shape: [Int], storageType: StorageType, read: @escaping () throws -> Tensor) {
        self.path = path
        self.fileName = fileName
        self.shape = shape
        self.storageType = storageType
        self.read = read
    }

    /// The number of scalars.
    package var count: Int { shape.reduce(1, *) }

    /// The last path component of ``fileName`` without a TensorFlow `:0` suffix: `kernel`, `alpha`.
    package var shortName: String {
        var n = Substring(fileName.split(separator: "/").last ?? Substring(fileName))
        if let colon = n.lastIndex(of: ":"), n[n.index(after: colon)...].allSatisfy(\.isNumber) { n = n[..<colon] }
        return String(n)
    }
}
