// Sigmoid and swish, AVX2: the operations of TensorModule's VectorMath.sigmoid / VectorMath.swish
// (`sigmoidDenominator`: 1 + e^−x with −x clamped to [−87, 89], the Cephes range reduction by ln 2 split in two, a
// degree-5 polynomial and one scaling by 2^n; then 1 / (1 + e^−x), or x / (1 + e^−x)) one for one, the multiply-adds
// fused where the Swift code fuses them (`addingProduct`) and nowhere else, so the results are the Swift kernels'
// bit for bit (vector_ops.h). The Swift kernels run on 4-wide SSE at the package's baseline target, with `fmaf` per
// lane; these on 8 lanes, which made swish (EfficientNet's activation after nearly every convolution) about 2.5×
// cheaper before the multiply-adds were fused, and fusing them about 1.6× more (0.9–1.1 → 0.56–0.71 ns per value).
#include "CKernels.h"

#pragma STDC FP_CONTRACT OFF

#include <string.h>
#if defined(__x86_64__) || defined(__i386__)
#include "vector_ops.h"

#define AVX2 KP_AVX2
#define INLINE KP_INLINE

INLINE void map(float *p, long count, const int swish) {
    long i = 0;
    for (; i + 8 <= count; i += 8) _mm256_storeu_ps(p + i, kp_sigmoid_step(_mm256_loadu_ps(p + i), swish));
    if (i < count) {
        // The tail through the same vector code (zeros in the unused lanes), as the Swift kernels do.
        float t[8] = {0};
        memcpy(t, p + i, (size_t)(count - i) * sizeof(float));
        _mm256_storeu_ps(t, kp_sigmoid_step(_mm256_loadu_ps(t), swish));
        memcpy(p + i, t, (size_t)(count - i) * sizeof(float));
    }
}

AVX2 void kp_sigmoid(float *p, long count) { map(p, count, 0); }
AVX2 void kp_swish(float *p, long count) { map(p, count, 1); }

#else

void kp_sigmoid(float *p, long count) { (void)p; (void)count; }
void kp_swish(float *p, long count) { (void)p; (void)count; }

#endif
