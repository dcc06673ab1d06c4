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

    /// Whether the kernels that have an AVX-512 form beside their AVX2 one use it — the GEMM's 12-row tiles
    /// (convolutions, Dense, Winograd's products) and the 16-lane depthwise rows: where 512-bit FMAs process at
    /// least 1.3× the floats per second of 256-bit ones, measured once per process (`kp_fma512_speedup`, about
    /// 0.25 ms; first calls in fresh processes 1.69–2.44 on an Intel Xeon): about 2 on Intel cores with two 512-bit
    /// FMA units, where the GEMM runs 1.7–1.95× and the depthwise rows 1.2–1.7× faster; about 1 expected on Zen 4 (a
    /// 512-bit FMA as two 256-bit halves), where a 512-bit GEMM tile measured no faster in round 7.
    /// `KERASPORT_AVX512=0` turns them off, `KERASPORT_AVX512=1` on wherever the processor has AVX-512F. Both forms
    /// compute the same values bit for bit, so this changes speed only.
    package static let wideArithmetic: Bool = {
        guard avx512Available, DirectGEMM.available else { return false }
        if let v = getenv("KERASPORT_AVX512") {
            switch String(cString: v) {
            case "0": return false
            case "1": return true
            default: break
            }
        }
        return kp_fma512_speedup() >= 1.3
    }()

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

    typealias DepthwiseRowKernel = @convention(c) (
        UnsafePointer<Float>?, Int, Int, Int, UnsafePointer<Float>?, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int,
        UnsafeMutablePointer<Float>?, Int32, UnsafePointer<Float>?, UnsafePointer<Float>?) -> Void
}
