#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Ops {
    /// What Keras 3's `STFTSpectrogram` returns from the real and imaginary parts of the short-time Fourier transform.
    package enum SpectrogramMode: String, Sendable, Equatable, CaseIterable {
        case log, magnitude, psd, real, imag, angle, stft
    }

    /// Keras 3's `STFTSpectrogram` on `[batch, time, channels]` (or `[batch, channels, time]` when `channelsFirst`):
    /// each channel convolved (stride `frameStep`, TensorFlow `valid`/`same` padding) with the stored DFT kernels
    /// `[frameLength, 1, bins]` (window and scaling folded in by Keras' `STFT` initializer), then per `mode`:
    /// `real`, `imag`, `angle` = atan2(imag, real), `stft` = real bins then imaginary bins, `psd` = power with the
    /// interior bins doubled, `magnitude` = √max(power, 1e-7), `log` = log(max(magnitude, 1e-7)).
    /// - Returns: channels last `[batch, frames, channels·bins]` (`[batch, frames, bins, channels]` with
    ///   `expandDims`); channels first `[batch, channels·bins, frames]` (`[batch, channels, frames, bins]`); `bins`
    ///   doubled for `stft`.
    /// - Throws: ``TensorError`` for a wrong rank or kernel.
    package static func stftSpectrogram(input: Tensor, realKernel: Tensor?, imagKernel: Tensor?, mode: SpectrogramMode,
                                        frameStep: Int, padding: Padding, channelsFirst: Bool,
                                        expandDims: Bool) throws(TensorError) -> Tensor {
        let op = "stftSpectrogram"
        guard input.rank == 3 else { throw .shape(op, "input \(input.shape) must be [batch, time, channels]") }
        let (b, c, t) = channelsFirst ? (input.shape[0], input.shape[1], input.shape[2])
            : (input.shape[0], input.shape[2], input.shape[1])
        // One signal per (batch, channel): [b·c, t, 1].
        let signals = channelsFirst ? input : try transpose(input: input, permutation: [0, 2, 1])
        let x = Tensor(unchecked: [b * c, t, 1], scalars: signals.scalars)
        let real = try realKernel.map { k throws(TensorError) in try conv1d(input: x, kernel: k, stride: frameStep, padding: padding) }
        let imag = try imagKernel.map { k throws(TensorError) in try conv1d(input: x, kernel: k, stride: frameStep, padding: padding) }
        guard let first = real ?? imag else { throw .argument(op, "no DFT kernel") }
        let (frames, bins) = (first.shape[1], first.shape[2])
        if let real, let imag, real.shape != imag.shape { throw .shape(op, "kernels give \(real.shape) and \(imag.shape)") }
        let eps: Float = 1e-7
        let outBins = mode == .stft ? 2 * bins : bins
        // value(n, frame, bin) for n = batch·c + channel.
        func value(_ n: Int, _ f: Int, _ k: Int) -> Float {
            if mode == .stft {
                return k < bins ? real!.scalars[(n * frames + f) * bins + k] : imag!.scalars[(n * frames + f) * bins + k - bins]
            }
            let i = (n * frames + f) * bins + k
            switch mode {
            case .real: return real!.scalars[i]
            case .imag: return imag!.scalars[i]
            case .angle: return atan2(imag!.scalars[i], real!.scalars[i])
            default: break
            }
            let (re, im) = (real!.scalars[i], imag!.scalars[i])
            let power = re * re + im * im
            switch mode {
            case .psd: return k >= 1 && k <= bins - 2 ? power + power : power
            case .magnitude: return Swift.max(power, eps).squareRoot()
            default: return log(Swift.max(Swift.max(power, eps).squareRoot(), eps))
            }
        }
        var out = [Float](repeating: 0, count: b * c * frames * outBins)
        for n in 0..<b {
            for ch in 0..<c {
                let s = n * c + ch
                for f in 0..<frames {
                    for k in 0..<outBins {
                        let index: Int
                        switch (channelsFirst, expandDims) {
                        case (false, false): index = (n * frames + f) * c * outBins + ch * outBins + k
                        case (false, true): index = ((n * frames + f) * outBins + k) * c + ch
                        case (true, false): index = (n * c * outBins + ch * outBins + k) * frames + f
                        case (true, true): index = ((n * c + ch) * frames + f) * outBins + k
                        }
                        out[index] = value(s, f, k)
                    }
                }
            }
        }
        let shape: [Int]
        switch (channelsFirst, expandDims) {
        case (false, false): shape = [b, frames, c * outBins]
        case (false, true): shape = [b, frames, outBins, c]
        case (true, false): shape = [b, c * outBins, frames]
        case (true, true): shape = [b, c, frames, outBins]
        }
        return Tensor(unchecked: shape, scalars: out)
    }
}
