// Row copies for TensorModule's Concatenate (Ops+Concatenate.swift): each input's rows are copied into their
// columns of the output with 256-bit moves, optionally replacing denormals by zeros of the same sign in the same
// pass (kp_flush_denormals(…, 0), so a plan need not scan the output afterwards). A copy is exact.
#include "CKernels.h"

#include <stdint.h>
#include <string.h>

static inline float flush_signed(float x) {
    uint32_t b;
    memcpy(&b, &x, 4);
    b &= ((b & 0x7F800000u) == 0) ? 0x80000000u : 0xFFFFFFFFu;
    memcpy(&x, &b, 4);
    return x;
}

#if defined(__x86_64__) || defined(__i386__)
#include "vector_ops.h"

#define INLINE KP_AVX2 static inline __attribute__((always_inline))

INLINE void copy_rows(float *dst, long dst_stride, const float *src, long src_stride, long rows, long cols,
                      const int flush) {
    for (long r = 0; r < rows; r++, dst += dst_stride, src += src_stride) {
        long j = 0;
        for (; j + 32 <= cols; j += 32) {
            __m256 a = _mm256_loadu_ps(src + j), b = _mm256_loadu_ps(src + j + 8);
            __m256 c = _mm256_loadu_ps(src + j + 16), d = _mm256_loadu_ps(src + j + 24);
            if (flush) { a = kp_vflush(a); b = kp_vflush(b); c = kp_vflush(c); d = kp_vflush(d); }
            _mm256_storeu_ps(dst + j, a);
            _mm256_storeu_ps(dst + j + 8, b);
            _mm256_storeu_ps(dst + j + 16, c);
            _mm256_storeu_ps(dst + j + 24, d);
        }
        for (; j + 8 <= cols; j += 8) {
            __m256 a = _mm256_loadu_ps(src + j);
            _mm256_storeu_ps(dst + j, flush ? kp_vflush(a) : a);
        }
        for (; j < cols; j++) dst[j] = flush ? flush_signed(src[j]) : src[j];
    }
}

KP_AVX2 void kp_copy_rows(float *dst, long dst_stride, const float *src, long src_stride, long rows, long cols,
                          int flush) {
    if (flush) copy_rows(dst, dst_stride, src, src_stride, rows, cols, 1);
    else copy_rows(dst, dst_stride, src, src_stride, rows, cols, 0);
}

#else

void kp_copy_rows(float *dst, long dst_stride, const float *src, long src_stride, long rows, long cols, int flush) {
    for (long r = 0; r < rows; r++, dst += dst_stride, src += src_stride) {
        if (flush) { for (long j = 0; j < cols; j++) dst[j] = flush_signed(src[j]); }
        else memcpy(dst, src, (size_t)cols * sizeof(float));
    }
}

#endif
