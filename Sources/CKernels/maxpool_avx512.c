// Max pooling over one output row of an NHWC image on 16 lanes (AVX-512F): kp_max_pool_row's values bit for bit (the
// maximum from −FLT_MAX over the window's taps in row-major order by MAXPS with the tap first, a folded zero counting
// as +0, taps beyond the zeros skipped), with 64 channels per pass over the window where the 8-lane kernel takes 32,
// a masked last pass instead of one channel at a time, and the input columns a later window adds prefetched. Round
// 32, Xception b1 on two cores (`bench --profile`, three alternating runs against the 8-lane kernel): block2_pool
// (147×147×128, 3×3 stride 2) 0.45–0.49 → 0.29–0.30 ms, block3_pool (74×74×256) 0.16–0.25 → 0.12–0.14 ms; ResNet50's
// pool1 (112×112×64, folded zeros) 0.084–0.093 → 0.069–0.075 ms; one thread, input in L3 (tools/xcep_bench/maxpool.c,
// means of 20): 147×147×128 0.43–0.57 → 0.31–0.42 ms, 74×74×256 0.15–0.26 → 0.12–0.18 ms, 37×37×728 about the same.
#include "CKernels.h"

#include <float.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

/// Output columns ahead whose new input columns are prefetched (into L1) while a window is reduced.
#ifndef KP_POOL_PREFETCH_AHEAD
#define KP_POOL_PREFETCH_AHEAD 2
#endif

__attribute__((target("avx512f"), always_inline)) static inline __m512
pool_tap(__m512 m, const float *x, __mmask16 mask) {
    return _mm512_max_ps(_mm512_maskz_loadu_ps(mask, x), m);
}

__attribute__((target("avx512f")))
void kp_max_pool_row_avx512(const float *image, long in_h, long in_w, long channels, long kh, long kw, long stride_h,
                            long stride_w, long pad_top, long pad_left, long zeros_top, long zeros_bottom,
                            long zeros_left, long zeros_right, long oh, long out_w, float *out) {
    const long C = channels;
    long h0 = oh * stride_h - pad_top, h1 = h0 + kh;
    if (h0 < -zeros_top) h0 = -zeros_top;
    if (h1 > in_h + zeros_bottom) h1 = in_h + zeros_bottom;
    // The image rows the windows of this output row read (the folded zero rows hold no memory).
    const long r0 = h0 < 0 ? 0 : h0, r1 = h1 > in_h ? in_h : h1;
    const __m512 lowest = _mm512_set1_ps(-FLT_MAX), zero = _mm512_setzero_ps();
    const long tail = C % 16;
    const __mmask16 tail_mask = (__mmask16)((1u << tail) - 1);
    for (long ow = 0; ow < out_w; ow++) {
        long w0 = ow * stride_w - pad_left, w1 = w0 + kw;
        if (w0 < -zeros_left) w0 = -zeros_left;
        if (w1 > in_w + zeros_right) w1 = in_w + zeros_right;
        // The columns the window KP_POOL_PREFETCH_AHEAD outputs on reads beyond this one's, in the image.
        {
            long p0 = (ow + KP_POOL_PREFETCH_AHEAD) * stride_w - pad_left + kw - stride_w, p1 = p0 + stride_w;
            if (p0 < w1) p0 = w1;
            if (p0 < 0) p0 = 0;
            if (p1 > in_w) p1 = in_w;
            if (p0 < p1)
                for (long ih = r0; ih < r1; ih++) {
                    const char *p = (const char *)(image + (ih * in_w + p0) * C);
                    const long bytes = (p1 - p0) * C * (long)sizeof(float);
                    for (long b = 0; b < bytes; b += 64) _mm_prefetch(p + b, _MM_HINT_T0);
                }
        }
        float *o = out + ow * C;
        long c = 0;
        for (; c + 64 <= C; c += 64) {
            __m512 m0 = lowest, m1 = lowest, m2 = lowest, m3 = lowest;
            for (long ih = h0; ih < h1; ih++) {
                const int row_inside = ih >= 0 && ih < in_h;
                for (long iw = w0; iw < w1; iw++) {
                    if (!row_inside || iw < 0 || iw >= in_w) {
                        m0 = _mm512_max_ps(zero, m0); m1 = _mm512_max_ps(zero, m1);
                        m2 = _mm512_max_ps(zero, m2); m3 = _mm512_max_ps(zero, m3);
                        continue;
                    }
                    const float *x = image + (ih * in_w + iw) * C + c;
                    m0 = _mm512_max_ps(_mm512_loadu_ps(x), m0);
                    m1 = _mm512_max_ps(_mm512_loadu_ps(x + 16), m1);
                    m2 = _mm512_max_ps(_mm512_loadu_ps(x + 32), m2);
                    m3 = _mm512_max_ps(_mm512_loadu_ps(x + 48), m3);
                }
            }
            _mm512_storeu_ps(o + c, m0); _mm512_storeu_ps(o + c + 16, m1);
            _mm512_storeu_ps(o + c + 32, m2); _mm512_storeu_ps(o + c + 48, m3);
        }
        for (; c < C; c += 16) {
            const __mmask16 mask = c + 16 <= C ? (__mmask16)0xFFFF : tail_mask;
            __m512 m = lowest;
            for (long ih = h0; ih < h1; ih++) {
                const int row_inside = ih >= 0 && ih < in_h;
                for (long iw = w0; iw < w1; iw++) {
                    if (!row_inside || iw < 0 || iw >= in_w) { m = _mm512_max_ps(zero, m); continue; }
                    m = pool_tap(m, image + (ih * in_w + iw) * C + c, mask);
                }
            }
            _mm512_mask_storeu_ps(o + c, mask, m);
        }
    }
}

#else

void kp_max_pool_row_avx512(const float *image, long in_h, long in_w, long channels, long kh, long kw, long stride_h,
                            long stride_w, long pad_top, long pad_left, long zeros_top, long zeros_bottom,
                            long zeros_left, long zeros_right, long oh, long out_w, float *out) {
    (void)image; (void)in_h; (void)in_w; (void)channels; (void)kh; (void)kw; (void)stride_h; (void)stride_w;
    (void)pad_top; (void)pad_left; (void)zeros_top; (void)zeros_bottom; (void)zeros_left; (void)zeros_right;
    (void)oh; (void)out_w; (void)out;
}

#endif
