// Depthwise 2-D convolution (depth multiplier 1) over one output row of an NHWC image, AVX2, vectorised across
// channels with the sums kept in registers. Each output value is 0 + x·w + x·w + … over the window's taps that
// fall inside the image, in kernel-row-major order, each a multiply then an add (no fused multiply-add): exactly
// what TensorModule's Swift loop computes, so results are identical bit for bit. Taps outside the image are
// skipped, which is the same value as reading the zeros of an explicitly padded copy.
#include "CKernels.h"

#pragma STDC FP_CONTRACT OFF

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define AVX2ONLY __attribute__((target("avx2")))

AVX2ONLY
void kp_depthwise_row(const float *image, long in_h, long in_w, long channels, const float *kernel, long kh, long kw,
                      long oh, long out_w, long stride_h, long stride_w, long pad_top, long pad_left, long dil_h,
                      long dil_w, float *out) {
    const long C = channels;
    // Kernel rows inside the image for this output row.
    long i0 = 0, i1 = kh;
    const long top = oh * stride_h - pad_top;
    while (i0 < kh && top + i0 * dil_h < 0) i0++;
    while (i1 > i0 && top + (i1 - 1) * dil_h >= in_h) i1--;
    for (long ow = 0; ow < out_w; ow++) {
        const long left = ow * stride_w - pad_left;
        long j0 = 0, j1 = kw;
        while (j0 < kw && left + j0 * dil_w < 0) j0++;
        while (j1 > j0 && left + (j1 - 1) * dil_w >= in_w) j1--;
        float *o = out + ow * C;
        long c = 0;
        for (; c + 32 <= C; c += 32) {
            __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
            for (long i = i0; i < i1; i++) {
                const float *xrow = image + ((top + i * dil_h) * in_w) * C + c;
                const float *wrow = kernel + (i * kw) * C + c;
                for (long j = j0; j < j1; j++) {
                    const float *x = xrow + (left + j * dil_w) * C, *w = wrow + j * C;
                    a0 = _mm256_add_ps(a0, _mm256_mul_ps(_mm256_loadu_ps(x), _mm256_loadu_ps(w)));
                    a1 = _mm256_add_ps(a1, _mm256_mul_ps(_mm256_loadu_ps(x + 8), _mm256_loadu_ps(w + 8)));
                    a2 = _mm256_add_ps(a2, _mm256_mul_ps(_mm256_loadu_ps(x + 16), _mm256_loadu_ps(w + 16)));
                    a3 = _mm256_add_ps(a3, _mm256_mul_ps(_mm256_loadu_ps(x + 24), _mm256_loadu_ps(w + 24)));
                }
            }
            _mm256_storeu_ps(o + c, a0);
            _mm256_storeu_ps(o + c + 8, a1);
            _mm256_storeu_ps(o + c + 16, a2);
            _mm256_storeu_ps(o + c + 24, a3);
        }
        for (; c + 8 <= C; c += 8) {
            __m256 a0 = _mm256_setzero_ps();
            for (long i = i0; i < i1; i++) {
                const float *xrow = image + ((top + i * dil_h) * in_w) * C + c;
                const float *wrow = kernel + (i * kw) * C + c;
                for (long j = j0; j < j1; j++) {
                    a0 = _mm256_add_ps(a0, _mm256_mul_ps(_mm256_loadu_ps(xrow + (left + j * dil_w) * C),
                                                         _mm256_loadu_ps(wrow + j * C)));
                }
            }
            _mm256_storeu_ps(o + c, a0);
        }
        for (; c < C; c++) {
            float a = 0.0f;
            for (long i = i0; i < i1; i++) {
                const float *xrow = image + ((top + i * dil_h) * in_w) * C + c;
                const float *wrow = kernel + (i * kw) * C + c;
                for (long j = j0; j < j1; j++) {
                    float p = xrow[(left + j * dil_w) * C] * wrow[j * C];
                    a = a + p;
                }
            }
            o[c] = a;
        }
    }
}

#else

void kp_depthwise_row(const float *image, long in_h, long in_w, long channels, const float *kernel, long kh, long kw,
                      long oh, long out_w, long stride_h, long stride_w, long pad_top, long pad_left, long dil_h,
                      long dil_w, float *out) {
    (void)image; (void)in_h; (void)in_w; (void)channels; (void)kernel; (void)kh; (void)kw; (void)oh; (void)out_w;
    (void)stride_h; (void)stride_w; (void)pad_top; (void)pad_left; (void)dil_h; (void)dil_w; (void)out;
}

#endif
