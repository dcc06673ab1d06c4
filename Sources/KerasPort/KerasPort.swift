@_exported import KerasExport
@_exported import KerasFormat
@_exported import KerasGraph
@_exported import KerasInference
@_exported import NumPyFormat
@_exported import TensorModule

/// The KerasPort version.
public enum KerasPortVersion {
    public static let string = "0.1.0"
}
