public import TensorModule

/// How a weight was stored in the file it came from. Values are always held as `Float`;
/// this records the on-disk type so that `inspect` can show it and writers can keep it.
public enum StorageType: String, Sendable, Equatable, CaseIterable {
    case float16, float32, float64, bfloat16
}

/// One weight variable of a layer, e.g. a Dense layer's `kernel`.
public struct Weight: Sendable, Equatable {
    /// The variable's short name as Keras calls it inside the layer: `kernel`, `bias`, `alpha`, `gamma`, ….
    public var name: String
    /// The values.
    public var tensor: Tensor
    /// The type it was stored as.
    public var storageType: StorageType

    public init(name: String, tensor: Tensor, storageType: StorageType = .float32) {
        self.name = name
        self.tensor = tensor
        self.storageType = storageType
    }
}

/// What a layer expects of one weight: its Keras name and shape.
public struct WeightSpec: Sendable, Equatable {
    public var name: String
    public var shape: [Int]
    public init(name: String, shape: [Int]) {
        self.name = name
        self.shape = shape
    }
}
