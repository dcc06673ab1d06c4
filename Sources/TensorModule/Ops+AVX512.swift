internal import CKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Ops {
    /// Whether the processor has AVX-512F, which the 16-lane swish / sigmoid / GELU kernels need.
    static let avx512Available: Bool = kp_avx512_available() != 0

    /// Whether swish, sigmoid and GELU (erf) (their own passes, and the fused output passes with swish or sigmoid)
    /// may run on 16 lanes where the processor has AVX-512F: true unless the environment sets `KERASPORT_AVX512=0`.
    /// The 16-lane kernels compute the same values bit for bit; tests bind this to `false` to compare the two.
    @TaskLocal package static var avx512: Bool = {
        guard let v = getenv("KERASPORT_AVX512") else { return true }
        return String(cString: v) != "0"
    }()

    /// Whether the 16-lane kernels run for the current task. Only the exponential-and-division activations use them:
    /// they are bound by the length of their dependency chains, which 16 lanes per instruction halve per value
    /// (EfficientNetB0's fused swish passes 2× faster on Zen 4); ReLU-only passes are bound by memory, not
    /// instructions, and stay on 8 lanes unless ``wideArithmetic`` holds (then the 512-bit units are in use anyway).
    static var wideTranscendentals: Bool { avx512Available && avx512 && avx2Activations }

    /// How many times the floats per second of 256-bit FMAs this core's 512-bit FMAs process, measured once per
    /// process (`kp_fma512_speedup`, about 0.25 ms): about 2 on Intel cores with two 512-bit FMA units (first calls
    /// in fresh processes 1.69–2.44 on an Intel Xeon), 1.00 on Zen 4 (a 512-bit FMA as two 256-bit halves; 20 fresh
    /// processes all 1.001–1.002); 0 without AVX-512F.
    static let fma512Speedup: Double = avx512Available ? kp_fma512_speedup() : 0

    /// Whether the kernels that have an AVX-512 form beside their AVX2 one use it — the GEMM's 12-row tiles
    /// (convolutions, Dense), the 16-lane depthwise rows and the 16-lane output passes: wherever 512-bit FMAs process
    /// at least 0.9× the floats per second of 256-bit ones (``fma512Speedup``). With two 512-bit FMA units (Intel)
    /// the GEMM runs 1.7–1.95× and the depthwise rows 1.2–1.7× faster; on Zen 4, with the same arithmetic rate, the
    /// 12-row tiles (half the loads and broadcasts per FMA, passes in registers) and the 16-lane depthwise rows (half
    /// the instructions) still measured faster in whole models (round 22, paired rounds against the 8-lane kernels:
    /// MobileNetV2 b1 0.83, EfficientNetB0 b1 0.84 and b8 0.85, Xception b1 0.91, ConvNeXtTiny b8 0.92, the others
    /// 0.95–1.0). `KERASPORT_AVX512=0` turns them off, `KERASPORT_AVX512=1` on wherever the processor has AVX-512F.
    /// Both forms compute the same values bit for bit, so this changes speed only.
    package static let wideArithmetic: Bool = kernelChoice.kernels

    /// Whether Winograd's products (many small products whose rows of A and C lie a tile's 36 elements apart) run
    /// the 12-row tiles: with ``wideArithmetic`` where 512-bit FMAs are at least 1.3× as fast per float as 256-bit
    /// ones (two 512-bit FMA units), or where `KERASPORT_AVX512=1` forces them. On Zen 4 they made the SRGAN
    /// generator (16 residual blocks of Winograd 3×3 convolutions) slower in whole-model paired rounds, two threads:
    /// 1.055 (q1 1.03) and 1.11 against the 6 × 16 tiles, where the other kernels on 16 lanes gave 0.95.
    package static let wideWinograd: Bool = kernelChoice.fastWide

    /// Whether, on the 12-row tiles, a product's last panel of 8 columns or fewer (n = 24, 40: MobileNetV2's and
    /// EfficientNetB0's narrow projections) runs on the 12 × 8 AVX2 tile (`kp_gemm_desc.narrow_apart`) rather than
    /// beside the panel before it in a 12 × 32 tile whose last quarter is padding: unless 512-bit FMAs are at least
    /// 1.3× as fast per float as 256-bit ones (as for ``wideWinograd``). The padded tile measured 0.79–0.83× the
    /// time on an Intel Xeon (n = 24); on Zen 4 the split one 0.85–0.95× (one thread, in cache: 3136×96×24 87.0
    /// against 75.1 GFLOP/s, 3136×144×24 96.3 / 82.2, 784×144×40 94.5 / 86.0, 784×240×40 100.0 / 92.6). The same
    /// values either way; tests bind it.
    @TaskLocal package static var narrowPanelsApart: Bool = !kernelChoice.fastWide

    /// This process's ``kernelWidths(avx512:fma512Speedup:setting:)``, decided once (the environment read once, the FMAs measured only when it
    /// decides: not without AVX-512F nor when `KERASPORT_AVX512` is 0 or 1).
    private static let kernelChoice = kernelWidths(
        avx512: avx512Available && DirectGEMM.available, fma512Speedup: fma512Speedup,
        setting: getenv("KERASPORT_AVX512").map { String(cString: $0) })

    /// The choice behind ``wideArithmetic`` (`kernels`), and ``wideWinograd`` and ``narrowPanelsApart`` (`fastWide`:
    /// the uses of the 12-row tiles that pay only where 512-bit FMAs are faster per float): for a processor with
    /// (`avx512`) or without AVX-512F and the AVX2 kernels, its measured ``fma512Speedup`` (evaluated only when the
    /// setting leaves the choice to it) and the value of `KERASPORT_AVX512` (nil: unset; "0" off, "1" on, anything
    /// else: unset).
    package static func kernelWidths(avx512: Bool, fma512Speedup: @autoclosure () -> Double,
                                     setting: String?) -> (kernels: Bool, fastWide: Bool) {
        guard avx512 else { return (false, false) }
        switch setting {
        case "0": return (false, false)
        case "1": return (true, true)
        default:
            let speedup = fma512Speedup()
            return (speedup >= KP_WIDE_TILES_MIN_SPEEDUP, speedup >= KP_FAST_WIDE_MIN_SPEEDUP)
        }
    }

    /// Which kernels this process runs its products and depthwise rows on: "avx512" (``wideArithmetic``), "avx2",
    /// or "portable" (no AVX2/FMA: the Swift loops and OpenBLAS). `bench` reports it.
    package static var kernelFamily: String {
        wideArithmetic ? "avx512" : DirectGEMM.available ? "avx2" : "portable"
    }

    /// Whether depthwise convolutions run the 16-lane row kernel where the processor has AVX-512F
    /// (``wideArithmetic`` unless a test binds it; read on the calling thread before the rows are split across the
    /// cores).
    @TaskLocal package static var wideDepthwise: Bool = wideArithmetic

    /// `kp_depthwise_row` or its 16-lane twin (the same arguments, the same values), as ``wideDepthwise`` chooses.
    static var depthwiseRowKernel: DepthwiseRowKernel {
        wideDepthwise && avx512Available ? kp_depthwise_row_avx512 : kp_depthwise_row
    }

    /// Whether max pooling runs the 16-lane row kernel (`kp_max_pool_row_avx512`: 64 channels per pass over a window,
    /// a masked last pass, the next windows' input columns prefetched) where the processor has AVX-512F:
    /// ``wideArithmetic`` unless a test binds it. Both row kernels compute the same values bit for bit.
    @TaskLocal package static var widePooling: Bool = wideArithmetic

    /// `kp_max_pool_row` or its 16-lane twin, as ``widePooling`` chooses (read on the calling thread).
    static var maxPoolRowKernel: MaxPoolRowKernel {
        widePooling && avx512Available ? kp_max_pool_row_avx512 : kp_max_pool_row
    }

    typealias MaxPoolRowKernel = @convention(c) (
        UnsafePointer<Float>?, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int,
        UnsafeMutablePointer<Float>?) -> Void

    typealias DepthwiseRowKernel = @convention(c) (
        UnsafePointer<Float>?, Int, Int, Int, UnsafePointer<Float>?, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int,
        UnsafeMutablePointer<Float>?, Int32, UnsafePointer<Float>?, UnsafePointer<Float>?) -> Void
}
