// Max pooling over one output row of an NHWC image, AVX2: each output's running maximum is kept in registers over
// its window (32 channels at a time, then 8, then one), where the Swift loop (Ops.pool) reads and writes it in the
// output row once per tap. Same values bit for bit: the maximum starts at −FLT_MAX and takes each tap in the window's
// row-major order by `x > m ? x : m` (MAXPS with the tap first is exactly that: a NaN tap or an equal tap of either
// zero sign leaves m), a tap in the folded zero padding counting as +0 and taps beyond it (`same` padding) skipped.
#include "CKernels.h"

#include <float.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

__attribute__((target("avx2")))
void kp_max_pool_row(const float *image, long in_h, long in_w, long channels, long kh, long kw, long stride_h,
                     long stride_w, long pad_top, long pad_left, long zeros_top, long zeros_bottom, long zeros_left,
                     long zeros_right, long oh, long out_w, float *out) {
    const long C = channels;
    long h0 = oh * stride_h - pad_top, h1 = h0 + kh;
    if (h0 < -zeros_top) h0 = -zeros_top;
    if (h1 > in_h + zeros_bottom) h1 = in_h + zeros_bottom;
    const __m256 lowest = _mm256_set1_ps(-FLT_MAX), zero = _mm256_setzero_ps();
    for (long ow = 0; ow < out_w; ow++) {
        long w0 = ow * stride_w - pad_left, w1 = w0 + kw;
        if (w0 < -zeros_left) w0 = -zeros_left;
        if (w1 > in_w + zeros_right) w1 = in_w + zeros_right;
        float *o = out + ow * C;
        long c = 0;
        for (; c + 32 <= C; c += 32) {
            __m256 m0 = lowest, m1 = lowest, m2 = lowest, m3 = lowest;
            for (long ih = h0; ih < h1; ih++) {
                const int row_inside = ih >= 0 && ih < in_h;
                for (long iw = w0; iw < w1; iw++) {
                    if (!row_inside || iw < 0 || iw >= in_w) {
                        m0 = _mm256_max_ps(zero, m0); m1 = _mm256_max_ps(zero, m1);
                        m2 = _mm256_max_ps(zero, m2); m3 = _mm256_max_ps(zero, m3);
                        continue;
                    }
                    const float *x = image + (ih * in_w + iw) * C + c;
                    m0 = _mm256_max_ps(_mm256_loadu_ps(x), m0);
                    m1 = _mm256_max_ps(_mm256_loadu_ps(x + 8), m1);
                    m2 = _mm256_max_ps(_mm256_loadu_ps(x + 16), m2);
                    m3 = _mm256_max_ps(_mm256_loadu_ps(x + 24), m3);
                }
            }
            _mm256_storeu_ps(o + c, m0); _mm256_storeu_ps(o + c + 8, m1);
            _mm256_storeu_ps(o + c + 16, m2); _mm256_storeu_ps(o + c + 24, m3);
        }
        for (; c + 8 <= C; c += 8) {
            __m256 m = lowest;
            for (long ih = h0; ih < h1; ih++) {
                const int row_inside = ih >= 0 && ih < in_h;
                for (long iw = w0; iw < w1; iw++) {
                    if (!row_inside || iw < 0 || iw >= in_w) { m = _mm256_max_ps(zero, m); continue; }
                    m = _mm256_max_ps(_mm256_loadu_ps(image + (ih * in_w + iw) * C + c), m);
                }
            }
            _mm256_storeu_ps(o + c, m);
        }
        for (; c < C; c++) {
            float m = -FLT_MAX;
            for (long ih = h0; ih < h1; ih++) {
                const int row_inside = ih >= 0 && ih < in_h;
                for (long iw = w0; iw < w1; iw++) {
                    float x = (!row_inside || iw < 0 || iw >= in_w) ? 0.0f : image[(ih * in_w + iw) * C + c];
                    if (x > m) m = x;
                }
            }
            o[c] = m;
        }
    }
}

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
    for (; c + 32 <= c1; c += 32) column_reduce(4, x, positions, stride, c, out, max);
    for (; c + 8 <= c1; c += 8) column_reduce(1, x, positions, stride, c, out, max);
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
