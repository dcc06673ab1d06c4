// Sigmoid and swish, AVX2: the operations of TensorModule's VectorMath.sigmoid / VectorMath.swish
// (`expForSigmoid`: e^z with z clamped to [−87, 89], the Cephes range reduction by ln 2 split in two, a degree-5
// polynomial and one scaling by 2^n; then 1 / (1 + e^−x), or x / (1 + e^−x)) one for one, each a separate multiply
// or add (no fused multiply-add), so the results are the Swift kernels' bit for bit. The Swift kernels run on 4-wide
// SSE at the package's baseline target; these on 8 lanes, which made swish (EfficientNet's activation after nearly
// every convolution) about 2.5× cheaper.
#include "CKernels.h"

#pragma STDC FP_CONTRACT OFF

#include <string.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define AVX2 __attribute__((target("avx2,fma")))
#define INLINE AVX2 static inline __attribute__((always_inline))

// VectorMath.expForSigmoid, lane for lane. min(89, z) and max(−87, z) return z when z is NaN, as the Swift
// `replacing(with:where: z .> 89)` / `.< −87` do.
INLINE __m256 vexp_for_sigmoid(__m256 z) {
    z = _mm256_min_ps(_mm256_set1_ps(89.0f), z);
    z = _mm256_max_ps(_mm256_set1_ps(-87.0f), z);
    // roundToInt(z · log2 e): t = v + 1.5·2^23, n = bits(t) − 0x4B400000, m = t − 1.5·2^23.
    const __m256 magic = _mm256_set1_ps(12582912.0f);
    const __m256 t = _mm256_add_ps(_mm256_mul_ps(z, _mm256_set1_ps(1.44269504088896341f)), magic);
    const __m256i n = _mm256_sub_epi32(_mm256_castps_si256(t), _mm256_set1_epi32(0x4B400000));
    const __m256 m = _mm256_sub_ps(t, magic);
    __m256 r = _mm256_sub_ps(z, _mm256_mul_ps(m, _mm256_set1_ps(0.693359375f)));
    r = _mm256_sub_ps(r, _mm256_mul_ps(m, _mm256_set1_ps(-2.12194440e-4f)));
    const __m256 r2 = _mm256_mul_ps(r, r);
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(5.0000001201e-1f));
    p = _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(p, r2), r), _mm256_set1_ps(1.0f));
    // pow2(n) = bits((n + 127) << 23); n ∈ [−126, 128] after the clamp (2^128 = +inf).
    return _mm256_mul_ps(p, _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n, _mm256_set1_epi32(127)), 23)));
}

// swish: x / (1 + e^−x); sigmoid: 1 / (1 + e^−x). −x is 0 − x, as in the Swift code.
INLINE __m256 step(__m256 x, const int swish) {
    const __m256 e = vexp_for_sigmoid(_mm256_sub_ps(_mm256_setzero_ps(), x));
    return _mm256_div_ps(swish ? x : _mm256_set1_ps(1.0f), _mm256_add_ps(_mm256_set1_ps(1.0f), e));
}

INLINE void map(float *p, long count, const int swish) {
    long i = 0;
    for (; i + 8 <= count; i += 8) _mm256_storeu_ps(p + i, step(_mm256_loadu_ps(p + i), swish));
    if (i < count) {
        // The tail through the same vector code (zeros in the unused lanes), as the Swift kernels do.
        float t[8] = {0};
        memcpy(t, p + i, (size_t)(count - i) * sizeof(float));
        _mm256_storeu_ps(t, step(_mm256_loadu_ps(t), swish));
        memcpy(p + i, t, (size_t)(count - i) * sizeof(float));
    }
}

AVX2 void kp_sigmoid(float *p, long count) { map(p, count, 0); }
AVX2 void kp_swish(float *p, long count) { map(p, count, 1); }

#else

void kp_sigmoid(float *p, long count) { (void)p; (void)count; }
void kp_swish(float *p, long count) { (void)p; (void)count; }

#endif
