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
    /// instructions, and stay on 8 lanes (no 512-bit frequency penalty on processors that have one).
    static var wideTranscendentals: Bool { avx512Available && avx512 && avx2Activations }
}
