// GELU with the exact erf, 0.5·x · (1 + erf(x / √2)) (Keras' `gelu(approximate=False)`, ConvNeXt's and many
// transformers' activation), in place on 8 lanes (AVX2) and 16 lanes (AVX-512F): TensorModule's GELUErfKernel and
// VectorMath.erf operation for operation (the clamp to [−4, 4] with NaN passing, Eigen's rational approximation as
// separate multiplies and adds, one division, NaN restored), so both give the Swift loop's values bit for bit. The
// Swift loop runs 4-wide at the package's baseline target; these are 3–6× faster per value.
#include "CKernels.h"

#pragma STDC FP_CONTRACT OFF

#include <string.h>

// Swift converts a float literal to Float through the widest builtin float type (80-bit on x86-64), so each
// constant is rounded the same way here.
#define K(v) K_LONG(v)
#define K_LONG(v) ((float)(v##L))

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define AVX2 __attribute__((target("avx2,fma")))
#define AVX512 __attribute__((target("avx512f")))

// VectorMath.erf's rational approximation, written once for both widths: p starts at ERF_P0 and takes the
// ERF_P steps (p · x² + k) in order, then p · c; q starts at ERF_Q0 and takes the ERF_Q steps.
#define ERF_P0 -2.72614225801306e-10
#define ERF_P(S) S(p, 2.77068142495902e-08) S(p, -2.10102402082508e-06) S(p, -5.69250639462346e-05) \
                 S(p, -7.34990630326855e-04) S(p, -2.95459980854025e-03) S(p, -1.60960333262415e-02)
#define ERF_Q0 -1.45660718464996e-05
#define ERF_Q(S) S(q, -2.13374055278905e-04) S(q, -1.68282697438203e-03) S(q, -7.37332916720468e-03) \
                 S(q, -1.42647390514189e-02)

// 8 lanes. `x > 4 ? 4 : x`, then `< −4 ? −4 :` as Swift's replacing(with:where:) (a NaN compares false: kept).
AVX2 static inline __attribute__((always_inline)) __m256 gelu8(__m256 x) {
    const __m256 z = _mm256_div_ps(x, _mm256_set1_ps(K(1.4142135623730951)));
    __m256 c = _mm256_blendv_ps(z, _mm256_set1_ps(4.0f), _mm256_cmp_ps(z, _mm256_set1_ps(4.0f), _CMP_GT_OQ));
    c = _mm256_blendv_ps(c, _mm256_set1_ps(-4.0f), _mm256_cmp_ps(c, _mm256_set1_ps(-4.0f), _CMP_LT_OQ));
    const __m256 x2 = _mm256_mul_ps(c, c);
#define STEP8(acc, k) acc = _mm256_add_ps(_mm256_mul_ps(acc, x2), _mm256_set1_ps(K(k)));
    __m256 p = _mm256_set1_ps(K(ERF_P0));
    ERF_P(STEP8)
    p = _mm256_mul_ps(p, c);
    __m256 q = _mm256_set1_ps(K(ERF_Q0));
    ERF_Q(STEP8)
#undef STEP8
    __m256 e = _mm256_div_ps(p, q);
    e = _mm256_blendv_ps(e, z, _mm256_cmp_ps(z, z, _CMP_NEQ_UQ));   // erf(NaN) = NaN: the argument itself
    return _mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(0.5f), x), _mm256_add_ps(_mm256_set1_ps(1.0f), e));
}

AVX512 static inline __attribute__((always_inline)) __m512 gelu16(__m512 x) {
    const __m512 z = _mm512_div_ps(x, _mm512_set1_ps(K(1.4142135623730951)));
    const __m512 four = _mm512_set1_ps(4.0f), minus_four = _mm512_set1_ps(-4.0f);
    __m512 c = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(z, four, _CMP_GT_OQ), z, four);
    c = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(c, minus_four, _CMP_LT_OQ), c, minus_four);
    const __m512 x2 = _mm512_mul_ps(c, c);
#define STEP16(acc, k) acc = _mm512_add_ps(_mm512_mul_ps(acc, x2), _mm512_set1_ps(K(k)));
    __m512 p = _mm512_set1_ps(K(ERF_P0));
    ERF_P(STEP16)
    p = _mm512_mul_ps(p, c);
    __m512 q = _mm512_set1_ps(K(ERF_Q0));
    ERF_Q(STEP16)
#undef STEP16
    __m512 e = _mm512_div_ps(p, q);
    e = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(z, z, _CMP_NEQ_UQ), e, z);
    return _mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(0.5f), x), _mm512_add_ps(_mm512_set1_ps(1.0f), e));
}

AVX2 void kp_gelu_erf(float *p, long count) {
    long i = 0;
    for (; i + 8 <= count; i += 8) _mm256_storeu_ps(p + i, gelu8(_mm256_loadu_ps(p + i)));
    if (i < count) {
        float t[8] = {0};
        memcpy(t, p + i, (size_t)(count - i) * sizeof(float));
        _mm256_storeu_ps(t, gelu8(_mm256_loadu_ps(t)));
        memcpy(p + i, t, (size_t)(count - i) * sizeof(float));
    }
}

AVX512 void kp_gelu_erf_avx512(float *p, long count) {
    long i = 0;
    for (; i + 16 <= count; i += 16) _mm512_storeu_ps(p + i, gelu16(_mm512_loadu_ps(p + i)));
    if (i < count) {
        const __mmask16 m = (__mmask16)((1u << (count - i)) - 1u);
        _mm512_mask_storeu_ps(p + i, m, gelu16(_mm512_maskz_loadu_ps(m, p + i)));
    }
}

#else

void kp_gelu_erf(float *p, long count) { (void)p; (void)count; }
void kp_gelu_erf_avx512(float *p, long count) { (void)p; (void)count; }

#endif
