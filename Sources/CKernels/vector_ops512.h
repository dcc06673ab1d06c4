// The helpers of vector_ops.h on 16 lanes (AVX-512F), for CKernels' AVX-512 files (private to the target): each is
// its 8-lane namesake's operations lane for lane (the same IEEE operations in the same order, fused multiply-adds
// where it has them), so both widths give identical results bit for bit. Include only from files compiled with
// `#pragma STDC FP_CONTRACT OFF`, inside their x86 section.
#ifndef KERASPORT_CKERNELS_VECTOR_OPS512_H
#define KERASPORT_CKERNELS_VECTOR_OPS512_H

#include <immintrin.h>

#define KP_AVX512 __attribute__((target("avx512f")))
#define KP_INLINE512 KP_AVX512 static inline __attribute__((always_inline))

// kp_sigmoid_denominator: 1 + e^−x, −x clamped to [−87, 89] on x (NaN passes: min/max return their second
// operand), Cephes' range reduction by ln 2 in two parts and the degree-5 polynomial with fused multiply-adds, one
// scaling by 2^n.
KP_INLINE512 __m512 kp_sigmoid_denominator16(__m512 x) {
    x = _mm512_min_ps(_mm512_set1_ps(87.0f), x);
    x = _mm512_max_ps(_mm512_set1_ps(-89.0f), x);
    const __m512 magic = _mm512_set1_ps(12582912.0f);
    const __m512 t = _mm512_fmadd_ps(x, _mm512_set1_ps(-1.44269504088896341f), magic);
    const __m512 m = _mm512_sub_ps(t, magic);
    __m512 r = _mm512_fnmsub_ps(m, _mm512_set1_ps(0.693359375f), x);
    r = _mm512_fnmadd_ps(m, _mm512_set1_ps(-2.12194440e-4f), r);
    const __m512 r2 = _mm512_mul_ps(r, r);
    __m512 p = _mm512_set1_ps(1.9875691500e-4f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
    p = _mm512_add_ps(_mm512_fmadd_ps(p, r2, r), _mm512_set1_ps(1.0f));
    const __m512i e = _mm512_slli_epi32(_mm512_sub_epi32(_mm512_castps_si512(t), _mm512_set1_epi32(0x4B400000 - 127)), 23);
    return _mm512_add_ps(_mm512_set1_ps(1.0f), _mm512_mul_ps(p, _mm512_castsi512_ps(e)));
}

// kp_sigmoid_step: swish x / (1 + e^−x), sigmoid 1 / (1 + e^−x).
KP_INLINE512 __m512 kp_sigmoid_step16(__m512 x, const int swish) {
    return _mm512_div_ps(swish ? x : _mm512_set1_ps(1.0f), kp_sigmoid_denominator16(x));
}

// kp_vflush: a value whose exponent bits are zero keeps only its sign bit.
KP_INLINE512 __m512 kp_vflush16(__m512 v) {
    const __m512i b = _mm512_castps_si512(v);
    const __mmask16 zero_exp = _mm512_testn_epi32_mask(b, _mm512_set1_epi32(0x7F800000));
    return _mm512_castsi512_ps(_mm512_mask_and_epi32(b, zero_exp, b, _mm512_set1_epi32((int)0x80000000u)));
}

// kp_vrelu: x <= 0 ? +0 : x (NaN is not <= 0 and passes through).
KP_INLINE512 __m512 kp_vrelu16(__m512 x) {
    return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_NLE_UQ), x);
}

// kp_vclamp6: y >= 6 ? 6 : y (NaN passes through), as min(6, y) (see vector_ops.h).
KP_INLINE512 __m512 kp_vclamp6_16(__m512 y) { return _mm512_min_ps(_mm512_set1_ps(6.0f), y); }

// kp_vrelu6: kp_vclamp6(relu(x)).
KP_INLINE512 __m512 kp_vrelu6_16(__m512 x) { return kp_vclamp6_16(kp_vrelu16(x)); }

// kp_vhard_silu: x · (relu6(x + 3) / 6).
KP_INLINE512 __m512 kp_vhard_silu16(__m512 x) {
    return _mm512_mul_ps(x, _mm512_div_ps(kp_vrelu6_16(_mm512_add_ps(x, _mm512_set1_ps(3.0f))), _mm512_set1_ps(6.0f)));
}

// kp_vflush_relu: kp_vrelu16(kp_vflush16(x)) as x < FLT_MIN ? +0 : x (NaN passes through).
KP_INLINE512 __m512 kp_vflush_relu16(__m512 x) {
    return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(x, _mm512_set1_ps(0x1p-126f), _CMP_NLT_UQ), x);
}

// kp_vflush_relu6: kp_vrelu6_16(kp_vflush16(x)), as kp_vclamp6_16(kp_vflush_relu16(x)).
KP_INLINE512 __m512 kp_vflush_relu6_16(__m512 x) { return kp_vclamp6_16(kp_vflush_relu16(x)); }

#endif
