// Depthwise 2-D convolution (depth multiplier 1) over one output row of an NHWC image, AVX2, vectorised across
// channels with the sums kept in registers. Each output value is 0 + x·w + x·w + … over the window's taps that
// fall inside the image, in kernel-row-major order, each a multiply then an add (no fused multiply-add): exactly
// what TensorModule's Swift loop computes, so results are identical bit for bit. Taps outside the image are
// skipped, which is the same value as reading the zeros of an explicitly padded copy.
//
// The row goes P adjacent output pixels at a time per 8-channel block (`tile`), the P sums in registers: each
// weight vector is loaded once per kernel row for all P outputs, and for the common kernel widths 3/5/7 with
// column stride 1 or 2 and no column dilation the row's weights stay in registers and each input vector is loaded
// once and used for every (output, tap) pair that reads it (a 3×3 stride-1 window shares its columns with two
// neighbours on each side). Border groups (some tap column outside the image) skip those taps. Only the order in
// which the P independent sums are advanced changes; each sum still receives its taps in kernel-row-major order,
// so the values are those of a one-pixel loop. Channel counts that are not a multiple of 8 use masked loads and
// stores for the last block (the masked-off lanes are not stored). While a row is computed, the image rows the
// next output row reads first are prefetched into L2 (the groups read each image row strided, by channel block,
// which the hardware prefetchers follow less well than a one-pixel order). 3×3 kernels with column stride 2 keep
// the one-pixel order (`one_pixel_row`), and so do 3×3 kernels over channel counts whose groups crowd L1 sets
// (`crowds_l1`).
//
// With a `pass` (kp_depthwise_pass), each output vector goes through that output pass (a BatchNormalization's
// scale/shift and a ReLU6 / ReLU / swish, as kp_epilogue_rows computes it: the same steps, epilogue_steps.h) in
// registers before it is stored, instead of a second pass over the row (which, at 30–45 KB per MobileNetV2 row,
// came back from L2).
#include "CKernels.h"

#pragma STDC FP_CONTRACT OFF

#include "epilogue_programs.h"

#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include "vector_ops.h"
#include "epilogue_steps.h"

// avx2 and fma: the passes' swish uses fused multiply-adds (explicitly; FP_CONTRACT OFF keeps every x·w + acc of
// the convolution a multiply then an add).
#define AVX2ONLY __attribute__((target("avx2,fma")))
#define INLINE static inline __attribute__((always_inline, target("avx2,fma")))
// Loops over P, KW and the input columns have compile-time trip counts after inlining: unrolled fully, so the
// sums and weights stay in registers.
#if defined(__clang__)
#define UNROLL _Pragma("unroll")
#else
#define UNROLL _Pragma("GCC unroll 32")
#endif

INLINE __m256 load8(const float *p, __m256i mask, int masked) {
    return masked ? _mm256_maskload_ps(p, mask) : _mm256_loadu_ps(p);
}

// The output passes applied in registers, numbered from 1 (kp_depthwise_pass; 0 is none), each as a program form of
// epilogue_programs.h (bias, activation, flush, scale/shift, activation, residual add, activation): those the
// inference plan makes after a depthwise convolution — its BatchNormalization, then ReLU6 / ReLU / swish, with the
// flush before the scale/shift or, for ReLU6 / ReLU, without it (the plan drops it where it cannot change a value).
#define DW_PASSES(X)                         \
    X(1, 0, 0, 1, 1, KP_EP_RELU6, 0, 0)     \
    X(2, 0, 0, 0, 1, KP_EP_RELU6, 0, 0)     \
    X(3, 0, 0, 1, 1, KP_EP_RELU, 0, 0)      \
    X(4, 0, 0, 0, 1, KP_EP_RELU, 0, 0)      \
    X(5, 0, 0, 1, 1, KP_EP_SWISH, 0, 0)
#define DW_PASS_COUNT 6

// Pass EP's steps on v, its scale / shift vectors s and t (every pass has a scale/shift and no bias or residual).
// Inlined where EP is a constant; in an unoptimised build one out-of-line copy (inlined there, every copy of every
// row kernel held every pass's steps, and this file compiled to 300 MB at -O0).
#if defined(__OPTIMIZE__)
INLINE
#else
static __attribute__((noinline, target("avx2,fma")))
#endif
__m256 dw_pass(__m256 v, __m256 s, __m256 t, const int EP) {
    switch (EP) {
#define DW_CASE(N, B, A0, F0, SS, A1, ADD, A2) \
    case N: return kp_program_steps(v, v, s, t, v, B, A0, F0, SS, A1, ADD, A2);
    DW_PASSES(DW_CASE)
#undef DW_CASE
    default: return v;
    }
}

/// P adjacent output pixels of the 8-channel block at `c`: `x0` points at channel c of the first output's first
/// tap column (column col0, possibly outside the image) in image row 0, `o` at channel c of the first output.
/// KW / SW / DW are compile-time kernel width / column stride / column dilation when nonzero (then each input
/// column vector of a kernel row is loaded once and the row's KW weights are held in registers), or 0 for the
/// run-time values kw / sw / dw (then each weight vector serves the P outputs, each input vector one). With
/// `clip`, taps on columns outside [0, in_w) are skipped (border pixels); without, all are inside.
INLINE void tile(const float *x0, long col0, long in_w, long C, const float *kernel, long kw, long i0, long i1,
                 long top, long dil_h, long sw, long dw, __m256i mask, float *o, const float *ps, const float *pt,
                 const int P, const int KW, const int SW, const int DW, const int masked, const int clip,
                 const int EP) {
    __m256 acc[10];
    UNROLL
    for (int p = 0; p < P; p++) acc[p] = _mm256_setzero_ps();
    if (KW) kw = KW;
    if (SW) sw = SW;
    if (DW) dw = DW;
    for (long i = i0; i < i1; i++) {
        const float *xr = x0 + (top + i * dil_h) * in_w * C;
        const float *wr = kernel + i * kw * C;
        if (KW && SW && DW) {
            __m256 w[8];
            UNROLL
            for (int j = 0; j < KW; j++) w[j] = load8(wr + j * C, mask, masked);
            // Input column q (relative to output 0's first tap) is tap j of output p when q = SW·p + DW·j; for a
            // fixed p, j rises with q, so each sum keeps the kernel-row-major order.
            UNROLL
            for (int q = 0; q < SW * (P - 1) + DW * (KW - 1) + 1; q++) {
                int used = 0;
                UNROLL
                for (int j = 0; j < KW; j++) {
                    int r = q - DW * j;
                    if (r >= 0 && r % SW == 0 && r / SW < P) used = 1;
                }
                if (!used) continue;
                if (clip && (col0 + q < 0 || col0 + q >= in_w)) continue;
                const __m256 x = load8(xr + q * C, mask, masked);
                UNROLL
                for (int j = 0; j < KW; j++) {
                    int r = q - DW * j;
                    if (r >= 0 && r % SW == 0 && r / SW < P)
                        acc[r / SW] = _mm256_add_ps(acc[r / SW], _mm256_mul_ps(x, w[j]));
                }
            }
        } else {
            for (long j = 0; j < kw; j++) {
                const __m256 w = load8(wr + j * C, mask, masked);
                const float *x = xr + j * dw * C;
                UNROLL
                for (int p = 0; p < P; p++) {
                    if (clip && (col0 + p * sw + j * dw < 0 || col0 + p * sw + j * dw >= in_w)) continue;
                    acc[p] = _mm256_add_ps(acc[p], _mm256_mul_ps(load8(x + p * sw * C, mask, masked), w));
                }
            }
        }
    }
    if (EP) {
        const __m256 s = load8(ps, mask, masked), t = load8(pt, mask, masked);
        UNROLL
        for (int p = 0; p < P; p++) acc[p] = dw_pass(acc[p], s, t, EP);
    }
    UNROLL
    for (int p = 0; p < P; p++) {
        if (masked) _mm256_maskstore_ps(o + p * C, mask, acc[p]);
        else _mm256_storeu_ps(o + p * C, acc[p]);
    }
}

/// Prefetches into L2 columns [col, col + n) (clipped to the image) of `rows` image rows from `ahead` on, one
/// touch per cache line.
INLINE void prefetch_ahead(const float *ahead, long rows, long in_w, long C, long col, long n) {
    if (col < 0) { n += col; col = 0; }
    if (col + n > in_w) n = in_w - col;
    if (n <= 0) return;
    for (long r = 0; r < rows; r++) {
        const char *p = (const char *)(ahead + (r * in_w + col) * C);
        for (long b = 0; b < n * C * (long)sizeof(float); b += 64) _mm_prefetch(p + b, _MM_HINT_T1);
    }
}

/// The P output pixels from `ow` on, all channel blocks (the last one masked when C is not a multiple of 8).
#define TILES(P, KW, SW, DW, CLIP)                                                                                   \
    do {                                                                                                            \
        const long col0 = ow * sw - pad_left;                                                                       \
        const float *x0 = image + col0 * C;                                                                         \
        long c = 0;                                                                                                 \
        for (; c + 8 <= C; c += 8)                                                                                  \
            tile(x0 + c, col0, in_w, C, kernel + c, kw, i0, i1, top, dil_h, sw, dw, mask, out + ow * C + c,         \
                 sc + c, sh + c, P, KW, SW, DW, 0, CLIP, EP);                                                       \
        if (c < C)                                                                                                  \
            tile(x0 + c, col0, in_w, C, kernel + c, kw, i0, i1, top, dil_h, sw, dw, mask, out + ow * C + c,         \
                 sc + c, sh + c, P, KW, SW, DW, 1, CLIP, EP);                                                       \
    } while (0)

/// The NP pixels from `ow` on, unclipped when their windows lie inside the interior columns [lo, hi).
#define GROUP(NP, KW, SW, DW)                                                                                        \
    do {                                                                                                            \
        prefetch_ahead(ahead, ahead_rows, in_w, C, ow * sw - pad_left, (NP) * sw);                                  \
        if (ow >= lo && ow + (NP) <= hi) TILES(NP, KW, SW, DW, 0);                                                  \
        else TILES(NP, KW, SW, DW, 1);                                                                              \
        ow += (NP);                                                                                                 \
    } while (0)

/// A whole output row: P pixels at a time, then the rest 8, 4, 2 and 1 at a time (those smaller than P), each
/// output vector through pass EP before it is stored. P ≤ 10: the KW weights, P sums, an input vector and a product
/// fit the 16 ymm registers.
#define ROW(NAME, PASS, P, KW, SW, DW)                                                                               \
    AVX2ONLY static void NAME(const float *image, long in_w, long C, const float *kernel, long kw, long i0,         \
                              long i1, long top, long out_w, long lo, long hi, long sw, long pad_left, long dil_h,  \
                              long dw, const float *ahead, long ahead_rows, float *out, const float *sc,            \
                              const float *sh) {                                                                    \
        const int EP = (PASS);                                                                                      \
        const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(C % 8)),                                   \
                                                _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));                         \
        long ow = 0;                                                                                                \
        while (ow + (P) <= out_w) GROUP(P, KW, SW, DW);                                                             \
        if ((P) > 8 && ow + 8 <= out_w) GROUP(8, KW, SW, DW);                                                       \
        if ((P) > 4 && ow + 4 <= out_w) GROUP(4, KW, SW, DW);                                                       \
        if ((P) > 2 && ow + 2 <= out_w) GROUP(2, KW, SW, DW);                                                       \
        while (ow < out_w) GROUP(1, KW, SW, DW);                                                                    \
    }

typedef void (*row_fn)(const float *, long, long, const float *, long, long, long, long, long, long, long, long, long,
                       long, long, const float *, long, float *, const float *, const float *);
// Each row kernel once per pass (0: none), and a table of them by pass.
#define ROW_KINDS(EP)                           \
    ROW(row_3s1_##EP, EP, 10, 3, 1, 1)           \
    ROW(row_5s1_##EP, EP, 6, 5, 1, 1)            \
    ROW(row_5s2_##EP, EP, 6, 5, 2, 1)            \
    ROW(row_7s1_##EP, EP, 6, 7, 1, 1)            \
    ROW(row_7s2_##EP, EP, 6, 7, 2, 1)            \
    ROW(row_any_##EP, EP, 8, 0, 0, 0)
ROW_KINDS(0) ROW_KINDS(1) ROW_KINDS(2) ROW_KINDS(3) ROW_KINDS(4) ROW_KINDS(5)
#define BY_PASS(NAME) {NAME##_0, NAME##_1, NAME##_2, NAME##_3, NAME##_4, NAME##_5}
static const row_fn row_3s1[DW_PASS_COUNT] = BY_PASS(row_3s1), row_5s1[DW_PASS_COUNT] = BY_PASS(row_5s1),
                    row_5s2[DW_PASS_COUNT] = BY_PASS(row_5s2), row_7s1[DW_PASS_COUNT] = BY_PASS(row_7s1),
                    row_7s2[DW_PASS_COUNT] = BY_PASS(row_7s2), row_any[DW_PASS_COUNT] = BY_PASS(row_any);

/// The row one output pixel at a time, all channels of a pixel in turn (32 then 8 then 1): the order 3×3 kernels
/// with column stride 2 keep, and 3×3 kernels over channel counts that crowd L1 sets (`crowds_l1`). In MobileNetV2 (inputs and
/// outputs of 1–5 MB, not in cache) the grouped order was slower for 3×3 stride 2 (block_1: 0.40 against 0.35 ms)
/// although 1.15× faster on cached data.
INLINE void one_pixel(const float *image, long in_h, long in_w, long channels, const float *kernel, long kh,
                      long kw, long oh, long out_w, long stride_h, long stride_w, long pad_top, long pad_left,
                      long dil_h, long dil_w, float *out, const float *sc, const float *sh, const int EP) {
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
            if (EP) {
                a0 = dw_pass(a0, _mm256_loadu_ps(sc + c), _mm256_loadu_ps(sh + c), EP);
                a1 = dw_pass(a1, _mm256_loadu_ps(sc + c + 8), _mm256_loadu_ps(sh + c + 8), EP);
                a2 = dw_pass(a2, _mm256_loadu_ps(sc + c + 16), _mm256_loadu_ps(sh + c + 16), EP);
                a3 = dw_pass(a3, _mm256_loadu_ps(sc + c + 24), _mm256_loadu_ps(sh + c + 24), EP);
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
            if (EP) a0 = dw_pass(a0, _mm256_loadu_ps(sc + c), _mm256_loadu_ps(sh + c), EP);
            _mm256_storeu_ps(o + c, a0);
        }
        if (c < C) {
            // The last C % 8 channels one at a time, then (with a pass) through it as a vector, the lanes past C
            // zero (every step works lane by lane) and never stored.
            float a8[8] = {0};
            for (long cc = c; cc < C; cc++) {
                float a = 0.0f;
                for (long i = i0; i < i1; i++) {
                    const float *xrow = image + ((top + i * dil_h) * in_w) * C + cc;
                    const float *wrow = kernel + (i * kw) * C + cc;
                    for (long j = j0; j < j1; j++) {
                        float p = xrow[(left + j * dil_w) * C] * wrow[j * C];
                        a = a + p;
                    }
                }
                a8[cc - c] = a;
            }
            if (EP) {
                const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(C - c)),
                                                        _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
                _mm256_storeu_ps(a8, dw_pass(_mm256_loadu_ps(a8), _mm256_maskload_ps(sc + c, mask),
                                             _mm256_maskload_ps(sh + c, mask), EP));
            }
            for (long cc = c; cc < C; cc++) o[cc] = a8[cc - c];
        }
    }
}

#define ONE_PIXEL(EP)                                                                                                \
    AVX2ONLY static void one_pixel_row_##EP(const float *image, long in_h, long in_w, long channels,                \
                                            const float *kernel, long kh, long kw, long oh, long out_w,             \
                                            long stride_h, long stride_w, long pad_top, long pad_left, long dil_h,  \
                                            long dil_w, float *out, const float *sc, const float *sh) {             \
        one_pixel(image, in_h, in_w, channels, kernel, kh, kw, oh, out_w, stride_h, stride_w, pad_top, pad_left,   \
                  dil_h, dil_w, out, sc, sh, EP);                                                                   \
    }
ONE_PIXEL(0) ONE_PIXEL(1) ONE_PIXEL(2) ONE_PIXEL(3) ONE_PIXEL(4) ONE_PIXEL(5)
static void (*const one_pixel_row[DW_PASS_COUNT])(const float *, long, long, long, const float *, long, long, long,
                                                  long, long, long, long, long, long, long, float *, const float *,
                                                  const float *) = BY_PASS(one_pixel_row);

/// Whether a group's input (`cols` pixel columns × `rows` image rows, at the same channel offset) piles more than
/// 6 cache lines onto one set of a 32 KB 8-way L1 (64 sets of 64 B): channel counts whose pixel stride is a
/// multiple of 1 KB (C = 256, 512, 1024, 1536, …) put every column on a few sets, and the lines each channel block
/// reads are evicted before the next block reads their other half. Checked for 3×3 kernels only (single thread,
/// against the one-pixel order: 10×10×1536 0.72×, 14×14×512 0.64×, 7×7×1024 0.76×, 28×28×256 0.98×); 5×5 and 7×7
/// kernels reuse each line enough to gain anyway (7×7×1152 5×5 1.9×, 14×14×384 7×7 2.1×, 7×7×768 7×7 1.5×).
static int crowds_l1(long C, long in_w, long cols, long rows) {
    unsigned char count[64] = {0};
    const long pixel = C * (long)sizeof(float), row = in_w * pixel;
    for (long r = 0; r < rows; r++)
        for (long q = 0; q < cols; q++)
            if (++count[((q * pixel + r * row) / 64) % 64] > 6) return 1;
    return 0;
}

AVX2ONLY
void kp_depthwise_row(const float *image, long in_h, long in_w, long channels, const float *kernel, long kh, long kw,
                      long oh, long out_w, long stride_h, long stride_w, long pad_top, long pad_left, long dil_h,
                      long dil_w, float *out, int pass, const float *sc, const float *sh) {
    const long C = channels;
    if (out_w <= 0 || C <= 0) return;
    const int ep = pass > 0 && pass < DW_PASS_COUNT ? pass : 0;
    if (kw == 3 && stride_w == 2) {
        one_pixel_row[ep](image, in_h, in_w, channels, kernel, kh, kw, oh, out_w, stride_h, stride_w, pad_top,
                          pad_left, dil_h, dil_w, out, sc, sh);
        return;
    }
    // Kernel rows inside the image for this output row.
    long i0 = 0, i1 = kh;
    const long top = oh * stride_h - pad_top;
    while (i0 < kh && top + i0 * dil_h < 0) i0++;
    while (i1 > i0 && top + (i1 - 1) * dil_h >= in_h) i1--;
    // Interior columns [lo, hi): ow·stride_w − pad_left ≥ 0 and ow·stride_w − pad_left + (kw − 1)·dil_w < in_w.
    long lo = (pad_left + stride_w - 1) / stride_w;
    const long last = in_w - 1 - (kw - 1) * dil_w + pad_left;  // the largest ow·stride_w allowed
    long hi = last >= 0 ? last / stride_w + 1 : 0;
    if (lo > out_w) lo = out_w;
    if (hi > out_w) hi = out_w;
    if (hi < lo) hi = lo;
    row_fn row = row_any[ep];
    long group = 8;  // pixels per group of `row`
    if (dil_w == 1 && (stride_w == 1 || stride_w == 2)) {
        if (kw == 3) row = row_3s1[ep], group = 10;  // stride 2: one_pixel_row above
        else if (kw == 5) row = stride_w == 1 ? row_5s1[ep] : row_5s2[ep], group = 6;
        else if (kw == 7) row = stride_w == 1 ? row_7s1[ep] : row_7s2[ep], group = 6;
    }
    const long span = (group - 1) * stride_w + (kw - 1) * dil_w + 1;  // the image columns a group reads
    if (kw == 3 && crowds_l1(C, in_w, span < in_w ? span : in_w, i1 - i0)) {
        one_pixel_row[ep](image, in_h, in_w, channels, kernel, kh, kw, oh, out_w, stride_h, stride_w, pad_top,
                          pad_left, dil_h, dil_w, out, sc, sh);
        return;
    }
    // The image rows the next output row reads first (the stride_h rows after this row's window): prefetched into
    // L2 while this row is computed, the columns of each pixel group before the group.
    long first = top + (kh - 1) * dil_h + 1, rows = stride_h;
    if (first < 0) { rows += first; first = 0; }
    if (first + rows > in_h) rows = in_h - first;
    if (rows < 0) rows = 0;
    row(image, in_w, C, kernel, kw, i0, i1, top, out_w, lo, hi, stride_w, pad_left, dil_h, dil_w,
        image + first * in_w * C, rows, out, sc, sh);
}

#else

void kp_depthwise_row(const float *image, long in_h, long in_w, long channels, const float *kernel, long kh, long kw,
                      long oh, long out_w, long stride_h, long stride_w, long pad_top, long pad_left, long dil_h,
                      long dil_w, float *out, int pass, const float *sc, const float *sh) {
    (void)pass; (void)sc; (void)sh;
    (void)image; (void)in_h; (void)in_w; (void)channels; (void)kernel; (void)kh; (void)kw; (void)oh; (void)out_w;
    (void)stride_h; (void)stride_w; (void)pad_top; (void)pad_left; (void)dil_h; (void)dil_w; (void)out;
}

#endif

int kp_depthwise_pass(int program) {
#if defined(__x86_64__) || defined(__i386__)
    int form[7];
    if (!kp_epilogue_form(program, form)) return 0;
#define DW_MATCH(N, B, A0, F0, SS, A1, ADD, A2)                                                                     \
    {                                                                                                              \
        const int f[7] = {B, A0, F0, SS, A1, ADD, A2};                                                             \
        if (memcmp(f, form, sizeof f) == 0) return N;                                                              \
    }
    DW_PASSES(DW_MATCH)
#undef DW_MATCH
#else
    (void)program;
#endif
    return 0;
}
