// Max pooling over one output row of an NHWC image, AVX2 (maxpool_body.h at 8 lanes: each output's running maximum
// in registers over its window, 32 channels at a time, then 8, then a masked last vector, where the Swift loop
// (Ops.pool) reads and writes it in the output row once per tap; the same values bit for bit), and global pooling's
// column reduction.
#include "CKernels.h"

#include <float.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define TARGET __attribute__((target("avx2")))
#define VEC __m256
#define MASK __m256i
#define LANES 8
#define VSET1(x) _mm256_set1_ps(x)
#define VLOAD(p) _mm256_loadu_ps(p)
#define VLOADM(p, m) _mm256_maskload_ps((p), (m))
#define VSTORE(p, v) _mm256_storeu_ps((p), (v))
#define VSTOREM(p, m, v) _mm256_maskstore_ps((p), (m), (v))
#define VMAX(a, b) _mm256_max_ps((a), (b))
#define TAIL_MASK(n) _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(n)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7))
#define POOL_PREFETCH 0
#define MAX_POOL_ROW kp_max_pool_row
#include "maxpool_body.h"

// Global pooling's column reduction (kp_column_reduce): 8·V channels from c over all positions, each a running sum
// from +0 (or maximum from −inf) kept in a register: V independent chains per position, where the Swift loop read and
// wrote the running values in memory at every position (a store-forwarding round trip on each chain's critical path).
__attribute__((target("avx2"), always_inline)) static inline void
column_reduce(const int V, const float *x, long positions, long stride, long c, float *out, int max) {
    __m256 acc[8];
    const __m256 start = max ? _mm256_set1_ps(-__builtin_inff()) : _mm256_setzero_ps();
    for (int v = 0; v < V; v++) acc[v] = start;
    const float *p = x + c;
    if (max) {
        for (long i = 0; i < positions; i++, p += stride)
            for (int v = 0; v < V; v++) acc[v] = _mm256_max_ps(_mm256_loadu_ps(p + 8 * v), acc[v]);
    } else {
        for (long i = 0; i < positions; i++, p += stride)
            for (int v = 0; v < V; v++) acc[v] = _mm256_add_ps(acc[v], _mm256_loadu_ps(p + 8 * v));
    }
    for (int v = 0; v < V; v++) _mm256_storeu_ps(out + c + 8 * v, acc[v]);
}

__attribute__((target("avx2")))
void kp_column_reduce(const float *x, long positions, long stride, long c0, long c1, float *out, int max) {
    long c = c0;
    for (; c + 64 <= c1; c += 64) column_reduce(8, x, positions, stride, c, out, max);
    // The rest's whole vectors in one pass over the positions (a pass per 32 and per 8 channels read every
    // position's lines again, and ran an 8-channel rest as one dependency chain).
    switch ((c1 - c) / 8) {
    case 7: column_reduce(7, x, positions, stride, c, out, max); break;
    case 6: column_reduce(6, x, positions, stride, c, out, max); break;
    case 5: column_reduce(5, x, positions, stride, c, out, max); break;
    case 4: column_reduce(4, x, positions, stride, c, out, max); break;
    case 3: column_reduce(3, x, positions, stride, c, out, max); break;
    case 2: column_reduce(2, x, positions, stride, c, out, max); break;
    case 1: column_reduce(1, x, positions, stride, c, out, max); break;
    default: break;
    }
    c += (c1 - c) / 8 * 8;
    for (; c < c1; c++) {
        float m = max ? -__builtin_inff() : 0.0f;
        const float *p = x + c;
        for (long i = 0; i < positions; i++, p += stride) {
            if (max) m = *p > m ? *p : m;
            else m = m + *p;
        }
        out[c] = m;
    }
}

#else

void kp_column_reduce(const float *x, long positions, long stride, long c0, long c1, float *out, int max) {
    (void)x; (void)positions; (void)stride; (void)c0; (void)c1; (void)out; (void)max;
}

void kp_max_pool_row(const float *image, long in_h, long in_w, long channels, long kh, long kw, long stride_h,
                     long stride_w, long pad_top, long pad_left, long zeros_top, long zeros_bottom, long zeros_left,
                     long zeros_right, long oh, long out_w, float *out) {
    (void)image; (void)in_h; (void)in_w; (void)channels; (void)kh; (void)kw; (void)stride_h; (void)stride_w;
    (void)pad_top; (void)pad_left; (void)zeros_top; (void)zeros_bottom; (void)zeros_left; (void)zeros_right;
    (void)oh; (void)out_w; (void)out;
}

#endif
