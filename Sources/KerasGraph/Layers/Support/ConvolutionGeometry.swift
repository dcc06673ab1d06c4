/// The settings every convolution-like layer shares, read through one seam by the code that handles them alike
/// (the ONNX and PyTorch emitters): the window (`kernelSize`, `strides`, `dilationRate`, one value per spatial axis),
/// `padding`, `dataFormat`, the fused `activation` applied after the layer, and `useBias`.
///
/// Conformances: Conv1D/2D/3D, DepthwiseConv1D/2D, SeparableConv1D/2D, the transposed convolutions (through
/// ``TransposedConvolutionGeometry``) and LocallyConnected1D/2D (whose windows are not dilated: `dilationRate` is
/// ones). ConvLSTM1D/2D/3D does not conform: its `activation` and `use_bias` belong to the LSTM gates, not to an
/// output of the convolution.
package protocol ConvolutionGeometry: Layer {
    /// The number of spatial axes the layer class stands for (1 for Conv1D, …).
    var spatialRank: Int { get }
    var kernelSize: [Int] { get }
    var strides: [Int] { get }
    var dilationRate: [Int] { get }
    var padding: Padding { get }
    var dataFormat: DataFormat { get }
    var activation: Activation { get }
    var useBias: Bool { get }
}

/// A transposed convolution (Conv1DTranspose/2D/3D): the shared settings plus `filters` and Keras' `output_padding`.
package protocol TransposedConvolutionGeometry: ConvolutionGeometry {
    var filters: Int { get }
    /// One value per spatial axis, or `nil` for Keras' inferred default.
    var outputPadding: [Int]? { get }
}

extension Conv1D: ConvolutionGeometry { package var spatialRank: Int { 1 } }
extension Conv2D: ConvolutionGeometry { package var spatialRank: Int { 2 } }
extension Conv3D: ConvolutionGeometry { package var spatialRank: Int { 3 } }
extension DepthwiseConv1D: ConvolutionGeometry { package var spatialRank: Int { 1 } }
extension DepthwiseConv2D: ConvolutionGeometry { package var spatialRank: Int { 2 } }
extension SeparableConv1D: ConvolutionGeometry { package var spatialRank: Int { 1 } }
extension SeparableConv2D: ConvolutionGeometry { package var spatialRank: Int { 2 } }
extension Conv1DTranspose: TransposedConvolutionGeometry { package var spatialRank: Int { 1 } }
extension Conv2DTranspose: TransposedConvolutionGeometry { package var spatialRank: Int { 2 } }
extension Conv3DTranspose: TransposedConvolutionGeometry { package var spatialRank: Int { 3 } }

extension LocallyConnected: ConvolutionGeometry {
    package var spatialRank: Int { rank }
    /// tf_keras' locally connected windows are not dilated.
    package var dilationRate: [Int] { Array(repeating: 1, count: kernelSize.count) }
}
