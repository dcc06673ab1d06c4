// The body of the max-pooling row kernel, written once for both vector widths (as depthwise_body.h): included by
// maxpool_avx2.c (8 lanes, AVX2) and maxpool_avx512.c (16 lanes, AVX-512F) with these macros defined:
//   VEC, MASK, LANES          the vector type, its lane-mask type, its lanes
//   TARGET                    the function's target attribute
//   VSET1(x), VLOAD(p), VLOADM(p, m), VSTORE(p, v), VSTOREM(p, m, v), TAIL_MASK(n)
//                             (TAIL_MASK: the first n lanes, 0 < n ≤ LANES; masked loads give zeros elsewhere and
//                             fault on none of them)
//   VMAX(a, b)                vmaxps: b when either is NaN or both are zeros, else the larger
//   POOL_PREFETCH             1: the input columns the window KP_POOL_PREFETCH_AHEAD outputs on adds are prefetched
//   MAX_POOL_ROW              the exported function's name
// Each output's running maximum is kept in registers over its window: 4·LANES channels at a time, then LANES, then a
// masked last vector. The values are the Swift loop's (Ops.pool) bit for bit: the maximum starts at −FLT_MAX and
// takes each tap in the window's row-major order by `x > m ? x : m` (VMAX with the tap first is exactly that: a NaN
// tap or an equal tap of either zero sign leaves m), a tap in the folded zero padding counting as +0 and taps beyond
// it (`same` padding) skipped. Every lane runs the same operations in the same order at either width.

#include <float.h>

/// Output columns ahead whose new input columns are prefetched (into L1) while a window is reduced.
#ifndef KP_POOL_PREFETCH_AHEAD
#define KP_POOL_PREFETCH_AHEAD 2
#endif

TARGET void MAX_POOL_ROW(const float *image, long in_h, long in_w, long channels, long kh, long kw, long stride_h,
                         long stride_w, long pad_top, long pad_left, long zeros_top, long zeros_bottom,
                         long zeros_left, long zeros_right, long oh, long out_w, float *out) {
    const long C = channels;
    long h0 = oh * stride_h - pad_top, h1 = h0 + kh;
    if (h0 < -zeros_top) h0 = -zeros_top;
    if (h1 > in_h + zeros_bottom) h1 = in_h + zeros_bottom;
    const VEC lowest = VSET1(-FLT_MAX), zero = VSET1(0.0f);
    const long tail = C % LANES;
    const MASK tail_mask = TAIL_MASK(tail > 0 ? tail : LANES);
    for (long ow = 0; ow < out_w; ow++) {
        long w0 = ow * stride_w - pad_left, w1 = w0 + kw;
        if (w0 < -zeros_left) w0 = -zeros_left;
        if (w1 > in_w + zeros_right) w1 = in_w + zeros_right;
#if POOL_PREFETCH
        {
            // The image columns the window KP_POOL_PREFETCH_AHEAD outputs on reads beyond this one's, in the image
            // rows of this output row (the folded zero rows hold no memory).
            const long r0 = h0 < 0 ? 0 : h0, r1 = h1 > in_h ? in_h : h1;
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
#endif
        float *o = out + ow * C;
        long c = 0;
        for (; c + 4 * LANES <= C; c += 4 * LANES) {
            VEC m0 = lowest, m1 = lowest, m2 = lowest, m3 = lowest;
            for (long ih = h0; ih < h1; ih++) {
                const int row_inside = ih >= 0 && ih < in_h;
                for (long iw = w0; iw < w1; iw++) {
                    if (!row_inside || iw < 0 || iw >= in_w) {
                        m0 = VMAX(zero, m0); m1 = VMAX(zero, m1); m2 = VMAX(zero, m2); m3 = VMAX(zero, m3);
                        continue;
                    }
                    const float *x = image + (ih * in_w + iw) * C + c;
                    m0 = VMAX(VLOAD(x), m0);
                    m1 = VMAX(VLOAD(x + LANES), m1);
                    m2 = VMAX(VLOAD(x + 2 * LANES), m2);
                    m3 = VMAX(VLOAD(x + 3 * LANES), m3);
                }
            }
            VSTORE(o + c, m0); VSTORE(o + c + LANES, m1); VSTORE(o + c + 2 * LANES, m2); VSTORE(o + c + 3 * LANES, m3);
        }
        for (; c < C; c += LANES) {
            const int whole = c + LANES <= C;
            VEC m = lowest;
            for (long ih = h0; ih < h1; ih++) {
                const int row_inside = ih >= 0 && ih < in_h;
                for (long iw = w0; iw < w1; iw++) {
                    if (!row_inside || iw < 0 || iw >= in_w) { m = VMAX(zero, m); continue; }
                    const float *x = image + (ih * in_w + iw) * C + c;
                    m = VMAX(whole ? VLOAD(x) : VLOADM(x, tail_mask), m);
                }
            }
            if (whole) VSTORE(o + c, m);
            else VSTOREM(o + c, tail_mask, m);
        }
    }
}
