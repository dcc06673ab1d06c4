@_exported import KerasFormat
@_exported import KerasGraph
@_exported import KerasInference
@_exported import NumPyFormat
@_exported import TensorModule
