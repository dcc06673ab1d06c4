/// Keras 3's `keras.layers.STFTSpectrogram`: the short-time Fourier transform of each channel of `[batch, time,
/// channels]` (channels last) or `[batch, channels, time]`, as a strided convolution with DFT kernels that Keras
/// stores as weights (`real_kernel` unless ``mode`` is `imag`, `imag_kernel` unless it is `real`, each
/// `[frameLength, 1, fftLength/2 + 1]`, window and scaling folded in), then the ``mode``'s function of the two parts.
public struct STFTSpectrogram: Layer {
    public var className: String { "STFTSpectrogram" }
    public var common: LayerCommon
    /// `log`, `magnitude`, `psd`, `real`, `imag`, `angle` or `stft`.
    public var mode: String
    public var frameLength: Int
    /// The config's `frame_step`; `nil` means `frameLength / 2`.
    public var frameStep: Int?
    /// The config's `fft_length`; `nil` means the next power of two ≥ `frameLength`.
    public var fftLength: Int?
    /// The window name (`hann`, `hamming`, …) or `nil`: only the initializer of the stored kernels used it.
    public var window: String?
    public var periodic: Bool
    /// `density`, `spectrum` or `nil`: likewise folded into the stored kernels.
    public var scaling: String?
    public var padding: Padding
    public var expandDims: Bool
    public var dataFormat: DataFormat
    public var weights: [Weight]

    public init(common: LayerCommon, mode: String = "log", frameLength: Int = 256, frameStep: Int? = nil,
                fftLength: Int? = nil, window: String? = "hann", periodic: Bool = false, scaling: String? = "density",
                padding: Padding = .valid, expandDims: Bool = false, dataFormat: DataFormat = .channelsLast,
                weights: [Weight] = []) {
        self.common = common
        self.mode = mode
        self.frameLength = frameLength
        self.frameStep = frameStep
        self.fftLength = fftLength
        self.window = window
        self.periodic = periodic
        self.scaling = scaling
        self.padding = padding
        self.expandDims = expandDims
        self.dataFormat = dataFormat
        self.weights = weights
    }

    /// The stride Keras uses.
    public var step: Int { frameStep ?? frameLength / 2 }
    /// The FFT length Keras uses.
    public var fft: Int {
        if let fftLength { return fftLength }
        var n = 1
        while n < frameLength { n *= 2 }
        return n
    }
    /// The frequency bins of each part.
    public var bins: Int { fft / 2 + 1 }

    public func weightSpecs(inputShapes: [Shape]) throws -> [WeightSpec] {
        _ = try outputShapes(inputShapes: inputShapes)
        let shape = [frameLength, 1, bins]
        return (mode == "imag" ? [] : [WeightSpec(name: "real_kernel", shape: shape)])
            + (mode == "real" ? [] : [WeightSpec(name: "imag_kernel", shape: shape)])
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        let modes = ["log", "magnitude", "psd", "real", "imag", "angle", "stft"]
        guard modes.contains(mode) else { throw configError("`mode` must be one of \(modes.joined(separator: ", ")), got `\(mode)`") }
        guard frameLength > 0, step > 0, step <= frameLength, fft >= frameLength else {
            throw configError("`frame_length` \(frameLength), `frame_step` \(step) and `fft_length` \(fft) are inconsistent")
        }
        guard padding != .causal else { throw configError("`padding` must be `valid` or `same`") }
        let input = try singleInput(inputShapes)
        guard input.count == 3 else { throw inputError("expected [batch, time, channels], got \(input.kerasDescription)") }
        let (time, channels) = dataFormat == .channelsLast ? (input[1], input[2]) : (input[2], input[1])
        let frames = WindowArithmetic.convolution(time, kernel: frameLength, stride: step, dilation: 1, padding: padding)
        if let frames, frames <= 0 { throw inputError("the signal is shorter than `frame_length` \(frameLength)") }
        let outBins = mode == "stft" ? 2 * bins : bins
        switch (dataFormat, expandDims) {
        case (.channelsLast, false): return [[input[0], frames, channels.map { $0 * outBins }]]
        case (.channelsLast, true): return [[input[0], frames, outBins, channels]]
        case (.channelsFirst, false): return [[input[0], channels.map { $0 * outBins }, frames]]
        case (.channelsFirst, true): return [[input[0], channels, frames, outBins]]
        }
    }
}
