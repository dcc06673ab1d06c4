// Vector helpers shared by CKernels' AVX2 files (private to the target): each computes exactly what the named
// TensorModule Swift code computes, operation for operation (a fused multiply-add only where the Swift code has
// `addingProduct`), so results are identical bit for bit. Include only from files compiled with
// `#pragma STDC FP_CONTRACT OFF`, inside their x86 section.
#ifndef KERASPORT_CKERNELS_VECTOR_OPS_H
#define KERASPORT_CKERNELS_VECTOR_OPS_H

#include <immintrin.h>

#define KP_AVX2 __attribute__((target("avx2,fma")))
#define KP_INLINE KP_AVX2 static inline __attribute__((always_inline))

// VectorMath.sigmoidDenominator, lane for lane: 1 + e^−x with −x clamped to [−87, 89] (done on x: min(87, x),
// max(−89, ·), which return x when x is NaN, as the Swift `replacing(with:where: x .> 87)` / `.< −89` do); the
// Cephes range reduction by ln 2 in two parts and the degree-5 polynomial (Horner), every multiply-add fused
// (exactly rounded, so the Swift code's `addingProduct` gives the same bits; FP_CONTRACT stays off for the rest);
// then one scaling by 2^n and + 1.
KP_INLINE __m256 kp_sigmoid_denominator(__m256 x) {
    x = _mm256_min_ps(_mm256_set1_ps(87.0f), x);
    x = _mm256_max_ps(_mm256_set1_ps(-89.0f), x);
    // roundToInt(−x · log2 e): t = −x · log2 e + 1.5·2^23 (one rounding), m = t − 1.5·2^23; n + 127 = bits(t) −
    // (0x4B400000 − 127).
    const __m256 magic = _mm256_set1_ps(12582912.0f);
    const __m256 t = _mm256_fmadd_ps(x, _mm256_set1_ps(-1.44269504088896341f), magic);
    const __m256 m = _mm256_sub_ps(t, magic);
    // r = −x − m·C1 − m·C2 (C2 = −2.12194440e-4).
    __m256 r = _mm256_fnmsub_ps(m, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(m, _mm256_set1_ps(-2.12194440e-4f), r);
    const __m256 r2 = _mm256_mul_ps(r, r);
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    p = _mm256_add_ps(_mm256_fmadd_ps(p, r2, r), _mm256_set1_ps(1.0f));
    // pow2(n) = bits((n + 127) << 23); n ∈ [−126, 128] after the clamp (2^128 = +inf).
    const __m256i e = _mm256_slli_epi32(_mm256_sub_epi32(_mm256_castps_si256(t), _mm256_set1_epi32(0x4B400000 - 127)), 23);
    return _mm256_add_ps(_mm256_set1_ps(1.0f), _mm256_mul_ps(p, _mm256_castsi256_ps(e)));
}

// swish: x / (1 + e^−x); sigmoid: 1 / (1 + e^−x).
KP_INLINE __m256 kp_sigmoid_step(__m256 x, const int swish) {
    return _mm256_div_ps(swish ? x : _mm256_set1_ps(1.0f), kp_sigmoid_denominator(x));
}

// The signed-zero flush of kp_flush_denormals (zero exponent bits: keep only the sign).
KP_INLINE __m256 kp_vflush(__m256 v) {
    const __m256i b = _mm256_castps_si256(v);
    const __m256i zero_exp = _mm256_cmpeq_epi32(_mm256_and_si256(b, _mm256_set1_epi32(0x7F800000)), _mm256_setzero_si256());
    const __m256i keep = _mm256_or_si256(_mm256_andnot_si256(zero_exp, _mm256_set1_epi32(-1)),
                                         _mm256_set1_epi32((int)0x80000000u));
    return _mm256_castsi256_ps(_mm256_and_si256(b, keep));
}

// ReLU as TensorModule's vrelu: x <= 0 ? +0 : x (NaN is not <= 0 and passes through).
KP_INLINE __m256 kp_vrelu(__m256 x) { return _mm256_andnot_ps(_mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LE_OQ), x); }

// y >= 6 ? 6 : y (NaN passes through): ReLU6's upper clamp, as one vminps(6, y), which returns its second operand
// unless 6 < y: y when y is NaN or below 6, 6 when y is 6 (the same bits) or above. (A compare and a blend before.)
KP_INLINE __m256 kp_vclamp6(__m256 y) { return _mm256_min_ps(_mm256_set1_ps(6.0f), y); }

// ReLU6 as vrelu6: kp_vclamp6(vrelu(x)).
KP_INLINE __m256 kp_vrelu6(__m256 x) { return kp_vclamp6(kp_vrelu(x)); }

// Keras 3's hard_silu / hard_swish as TensorModule's HardSiluKernel: x · (relu6(x + 3) / 6), each step rounded.
KP_INLINE __m256 kp_vhard_silu(__m256 x) {
    return _mm256_mul_ps(x, _mm256_div_ps(kp_vrelu6(_mm256_add_ps(x, _mm256_set1_ps(3.0f))), _mm256_set1_ps(6.0f)));
}

// kp_vrelu(kp_vflush(x)) in two steps: x < FLT_MIN ? +0 : x. The flush turns zeros and denormals into ±0 and ReLU
// any x <= 0 into +0, so together they make +0 of every x below the least normal (NaN is not and passes through).
KP_INLINE __m256 kp_vflush_relu(__m256 x) {
    return _mm256_andnot_ps(_mm256_cmp_ps(x, _mm256_set1_ps(0x1p-126f), _CMP_LT_OQ), x);
}

// kp_vrelu6(kp_vflush(x)): kp_vclamp6(kp_vflush_relu(x)).
KP_INLINE __m256 kp_vflush_relu6(__m256 x) { return kp_vclamp6(kp_vflush_relu(x)); }

#endif
