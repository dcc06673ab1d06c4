/// How a convolution or pooling window treats the borders of its input (Keras' `padding` string).
public enum Padding: String, Sendable, Equatable, CaseIterable {
    /// No padding: windows must fit inside the input.
    case valid
    /// Zero padding so that the output length is `ceil(input / stride)`.
    case same
    /// Zero padding on the left only, so that output step `t` sees inputs up to `t` (Conv1D only).
    case causal
}

/// Where the channel axis is (Keras' `data_format`; Keras 1's `dim_ordering` `tf` / `th`).
///
/// KerasPort computes channels-last; channels-first is kept so that shapes and writers are right.
public enum DataFormat: String, Sendable, Equatable, CaseIterable {
    /// `(batch, ..., channels)`: Keras' default, Keras 1 `dim_ordering = "tf"`.
    case channelsLast = "channels_last"
    /// `(batch, channels, ...)`: Keras 1 `dim_ordering = "th"`.
    case channelsFirst = "channels_first"
}

/// How `UpSampling2D` fills new pixels (Keras' `interpolation` string).
///
/// Every name Keras 2 or Keras 3 accepts is kept; KerasPort's inference computes `nearest` and `bilinear`.
public enum Interpolation: String, Sendable, Equatable, CaseIterable {
    case nearest, bilinear, bicubic, area, lanczos3, lanczos5, gaussian
    case mitchellCubic = "mitchellcubic"
}

/// A layer that is the identity at inference (dropout and noise layers): it has no weights and its output
/// is its input. Inference can treat all of them alike through this protocol.
public protocol InferenceIdentityLayer: WeightlessLayer {}

extension InferenceIdentityLayer {
    /// The input shape, unchanged.
    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        [try singleInput(inputShapes)]
    }
}

/// A merging layer (`Add`, `Concatenate`, `Dot`, …): no weights, several inputs.
public protocol MergingLayer: WeightlessLayer {}

/// Keras 1's `dim_ordering` of a convolution, kept so that weight readers can transpose Theano-ordered kernels.
public enum DimOrdering: String, Sendable, Equatable, CaseIterable {
    /// TensorFlow ordering: channels last, kernels `(kh, kw, in, out)`.
    case tf
    /// Theano ordering: channels first, kernels stored `(out, in, kh, kw)`.
    case th

    /// The data format this ordering implies.
    public var dataFormat: DataFormat { self == .th ? .channelsFirst : .channelsLast }
}

extension KerasObject {
    /// Keras' default kernel initializer, `GlorotUniform(seed=None)`.
    public static let glorotUniform = KerasObject(className: "GlorotUniform", config: .object([("seed", .null)]))
    /// `Zeros()`.
    public static let zeros = KerasObject(className: "Zeros")
    /// `Ones()`.
    public static let ones = KerasObject(className: "Ones")
}
