// The body of the depthwise row kernel (see depthwise_avx2.c), written once for both vector widths: included by
// depthwise_avx2.c (8 lanes, AVX2) and depthwise_avx512.c (16 lanes, AVX-512F) with these macros defined:
//   VEC, MASK, LANES          the vector type, its lane-mask type, its lanes
//   TARGET, INLINE            the function attributes (target, and always_inline static for helpers)
//   VZERO(), VLOAD(p), VLOADM(p, m), VSTORE(p, v), VSTOREM(p, m, v), VADD(a, b), VMUL(a, b), TAIL_MASK(n)
//                             (TAIL_MASK: the first n lanes, 0 < n ≤ LANES; masked loads give zeros elsewhere)
//   VMAX(a, b)                vmaxps: b when either is NaN or both are zeros, else the larger
//   PROGRAM_STEPS             kp_program_steps of that width (epilogue_steps.h / epilogue_steps512.h)
//   DEPTHWISE_ROW             the exported function's name
// and DW_PASSES / DW_PASS_COUNT (the in-register passes). Every lane runs the same operations in the same order at
// either width, so both give the same values bit for bit. Private to the target.
// Loops over P, KW and the input columns have compile-time trip counts after inlining: unrolled fully, so the
// sums and weights stay in registers.
#if defined(__clang__)
#define UNROLL _Pragma("unroll")
#else
#define UNROLL _Pragma("GCC unroll 32")
#endif

INLINE VEC loadv(const float *p, MASK mask, int masked) { return masked ? VLOADM(p, mask) : VLOAD(p); }

// An input vector as the convolution reads it: with IR (KP_DW_RELU_INPUT), its ReLU (a ReLU layer before the
// convolution, whose input the model also reads elsewhere: Xception's residual blocks), so that layer's output is
// never written. One vmaxps(+0, v): v when v is NaN or a zero, +0 when v < 0; that is kp_vrelu's `v <= 0 ? +0 : v`
// except that −0 stays −0, which changes no output: every sum starts from +0, and +0 + (±0 · w) is +0, c + ±0 is
// c for any other c, and ±0 · w is NaN alike for w infinite or NaN. (kp_vrelu's compare and masked move took the
// 3×3 rows 1.13–1.20× the time on cached data; the single max does not.)
INLINE VEC relu_if(VEC v, const int IR) { return IR ? VMAX(VZERO(), v) : v; }
INLINE VEC loadx(const float *p, MASK mask, int masked, const int IR) { return relu_if(loadv(p, mask, masked), IR); }

// The output passes applied in registers, numbered from 1 (kp_depthwise_pass; 0 is none), each as a program form of
// epilogue_programs.h (bias, activation, flush, scale/shift, activation, residual add, activation): those the
// inference plan makes after a depthwise convolution — its BatchNormalization, then ReLU6 / ReLU / swish / hard silu
// (MobileNetV3's hard swish), with the flush before the scale/shift or without it (the plan drops it where it cannot
// change a value).
#define DW_PASSES(X)                         \
    X(1, 0, 0, 1, 1, KP_EP_RELU6, 0, 0)     \
    X(2, 0, 0, 0, 1, KP_EP_RELU6, 0, 0)     \
    X(3, 0, 0, 1, 1, KP_EP_RELU, 0, 0)      \
    X(4, 0, 0, 0, 1, KP_EP_RELU, 0, 0)      \
    X(5, 0, 0, 1, 1, KP_EP_SWISH, 0, 0)     \
    X(6, 0, 0, 0, 1, KP_EP_SWISH, 0, 0)     \
    X(7, 0, 0, 1, 1, KP_EP_HARD_SILU, 0, 0) \
    X(8, 0, 0, 0, 1, KP_EP_HARD_SILU, 0, 0)
#define DW_PASS_COUNT 9

// Pass EP's steps on v, its scale / shift vectors s and t (every pass has a scale/shift and no bias or residual).
// Inlined where EP is a constant; in an unoptimised build one out-of-line copy (inlined there, every copy of every
// row kernel held every pass's steps, and this file compiled to 300 MB at -O0).
#if defined(__OPTIMIZE__)
INLINE
#else
static __attribute__((noinline)) TARGET
#endif
VEC dw_pass(VEC v, VEC s, VEC t, const int EP) {
    switch (EP) {
#define DW_CASE(N, B, A0, F0, SS, A1, ADD, A2) \
    case N: return PROGRAM_STEPS(v, v, s, t, v, B, A0, F0, SS, A1, ADD, A2);
    DW_PASSES(DW_CASE)
#undef DW_CASE
    default: return v;
    }
}

/// P adjacent output pixels of the LANES-channel block at `c`: `x0` points at channel c of the first output's first
/// tap column (column col0, possibly outside the image) in image row 0, `o` at channel c of the first output.
/// KW / SW / DW are compile-time kernel width / column stride / column dilation when nonzero (then each input
/// column vector of a kernel row is loaded once and the row's KW weights are held in registers), or 0 for the
/// run-time values kw / sw / dw (then each weight vector serves the P outputs, each input vector one). With
/// `clip`, taps on columns outside [0, in_w) are skipped (border pixels); without, all are inside.
INLINE void tile(const float *x0, long col0, long in_w, long C, const float *kernel, long kw, long i0, long i1,
                 long top, long dil_h, long sw, long dw, MASK mask, float *o, const float *ps, const float *pt,
                 const int P, const int KW, const int SW, const int DW, const int masked, const int clip,
                 const int EP, const int IR) {
    VEC acc[10];
    UNROLL
    for (int p = 0; p < P; p++) acc[p] = VZERO();
    if (KW) kw = KW;
    if (SW) sw = SW;
    if (DW) dw = DW;
    for (long i = i0; i < i1; i++) {
        const float *xr = x0 + (top + i * dil_h) * in_w * C;
        const float *wr = kernel + i * kw * C;
        if (KW && SW && DW) {
            VEC w[8];
            UNROLL
            for (int j = 0; j < KW; j++) w[j] = loadv(wr + j * C, mask, masked);
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
                const VEC x = loadx(xr + q * C, mask, masked, IR);
                UNROLL
                for (int j = 0; j < KW; j++) {
                    int r = q - DW * j;
                    if (r >= 0 && r % SW == 0 && r / SW < P)
                        acc[r / SW] = VADD(acc[r / SW], VMUL(x, w[j]));
                }
            }
        } else {
            for (long j = 0; j < kw; j++) {
                const VEC w = loadv(wr + j * C, mask, masked);
                const float *x = xr + j * dw * C;
                UNROLL
                for (int p = 0; p < P; p++) {
                    if (clip && (col0 + p * sw + j * dw < 0 || col0 + p * sw + j * dw >= in_w)) continue;
                    acc[p] = VADD(acc[p], VMUL(loadx(x + p * sw * C, mask, masked, IR), w));
                }
            }
        }
    }
    if (EP) {
        const VEC s = loadv(ps, mask, masked), t = loadv(pt, mask, masked);
        UNROLL
        for (int p = 0; p < P; p++) acc[p] = dw_pass(acc[p], s, t, EP);
    }
    UNROLL
    for (int p = 0; p < P; p++) {
        if (masked) VSTOREM(o + p * C, mask, acc[p]);
        else VSTORE(o + p * C, acc[p]);
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

/// The P output pixels from `ow` on, all channel blocks (the last one masked when C is not a multiple of LANES).
#define TILES(P, KW, SW, DW, CLIP)                                                                                   \
    do {                                                                                                            \
        const long col0 = ow * sw - pad_left;                                                                       \
        const float *x0 = image + col0 * C;                                                                         \
        long c = 0;                                                                                                 \
        for (; c + LANES <= C; c += LANES)                                                                          \
            tile(x0 + c, col0, in_w, C, kernel + c, kw, i0, i1, top, dil_h, sw, dw, mask, out + ow * C + c,         \
                 sc + c, sh + c, P, KW, SW, DW, 0, CLIP, EP, IR);                                                   \
        if (c < C)                                                                                                  \
            tile(x0 + c, col0, in_w, C, kernel + c, kw, i0, i1, top, dil_h, sw, dw, mask, out + ow * C + c,         \
                 sc + c, sh + c, P, KW, SW, DW, 1, CLIP, EP, IR);                                                   \
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
/// output vector through pass EP before it is stored, each input vector read through a ReLU with IR. P ≤ 10: the
/// KW weights, P sums, an input vector and a product fit the 16 ymm registers (of AVX2; AVX-512 has 32).
#define ROW(NAME, PASS, RELU_INPUT, P, KW, SW, DW)                                                                   \
    TARGET static void NAME(const float *image, long in_w, long C, const float *kernel, long kw, long i0,         \
                              long i1, long top, long out_w, long lo, long hi, long sw, long pad_left, long dil_h,  \
                              long dw, const float *ahead, long ahead_rows, float *out, const float *sc,            \
                              const float *sh) {                                                                    \
        const int EP = (PASS), IR = (RELU_INPUT);                                                                   \
        const MASK mask = TAIL_MASK(C % LANES);                                                                     \
        long ow = 0;                                                                                                \
        while (ow + (P) <= out_w) GROUP(P, KW, SW, DW);                                                             \
        if ((P) > 8 && ow + 8 <= out_w) GROUP(8, KW, SW, DW);                                                       \
        if ((P) > 4 && ow + 4 <= out_w) GROUP(4, KW, SW, DW);                                                       \
        if ((P) > 2 && ow + 2 <= out_w) GROUP(2, KW, SW, DW);                                                       \
        while (ow < out_w) GROUP(1, KW, SW, DW);                                                                    \
    }

typedef void (*row_fn)(const float *, long, long, const float *, long, long, long, long, long, long, long, long, long,
                       long, long, const float *, long, float *, const float *, const float *);
// Each row kernel once per pass (0: none) and input form (1: through a ReLU), and a table of them by both.
#define ROW_KINDS(EP, IR)                                 \
    ROW(row_3s1_##IR##_##EP, EP, IR, 10, 3, 1, 1)          \
    ROW(row_3s2_##IR##_##EP, EP, IR, 8, 3, 2, 1)           \
    ROW(row_5s1_##IR##_##EP, EP, IR, 6, 5, 1, 1)           \
    ROW(row_5s2_##IR##_##EP, EP, IR, 6, 5, 2, 1)           \
    ROW(row_7s1_##IR##_##EP, EP, IR, 6, 7, 1, 1)           \
    ROW(row_7s2_##IR##_##EP, EP, IR, 6, 7, 2, 1)           \
    ROW(row_any_##IR##_##EP, EP, IR, 8, 0, 0, 0)
#define EACH_PASS(X, IR) X(0, IR) X(1, IR) X(2, IR) X(3, IR) X(4, IR) X(5, IR) X(6, IR) X(7, IR) X(8, IR)
EACH_PASS(ROW_KINDS, 0) EACH_PASS(ROW_KINDS, 1)
#define BY_PASS(NAME) {NAME##_0, NAME##_1, NAME##_2, NAME##_3, NAME##_4, NAME##_5, NAME##_6, NAME##_7, NAME##_8}
#define BY_INPUT(NAME) {BY_PASS(NAME##_0), BY_PASS(NAME##_1)}
static const row_fn row_3s1[2][DW_PASS_COUNT] = BY_INPUT(row_3s1), row_3s2[2][DW_PASS_COUNT] = BY_INPUT(row_3s2),
                    row_5s1[2][DW_PASS_COUNT] = BY_INPUT(row_5s1),
                    row_5s2[2][DW_PASS_COUNT] = BY_INPUT(row_5s2), row_7s1[2][DW_PASS_COUNT] = BY_INPUT(row_7s1),
                    row_7s2[2][DW_PASS_COUNT] = BY_INPUT(row_7s2), row_any[2][DW_PASS_COUNT] = BY_INPUT(row_any);

/// The row one output pixel at a time, all channels of a pixel in turn (4 vectors, then 1): the order of 3×3 kernels
/// over channel counts that crowd L1 sets (`crowds_l1`). 3×3 kernels with column stride 2 used it too until the
/// inverted-residual blocks read their expanded rows from an L2-resident band (a measurement from before then had
/// the grouped order slower on MobileNetV2's 1–5 MB tensors in memory): now groups of 8 (`row_3s2`, each input
/// column loaded once for both windows that read it) take MobileNetV2's block_1 0.90× the time on one thread, 0.89×
/// at batch 8, and MobileNet's stride-2 separable blocks (no expand: the depthwise reads the image in memory)
/// 0.93–0.97×.
INLINE void one_pixel(const float *image, long in_h, long in_w, long channels, const float *kernel, long kh,
                      long kw, long oh, long out_w, long stride_h, long stride_w, long pad_top, long pad_left,
                      long dil_h, long dil_w, float *out, const float *sc, const float *sh, const int EP,
                      const int IR) {
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
        for (; c + 4 * LANES <= C; c += 4 * LANES) {
            VEC a0 = VZERO(), a1 = a0, a2 = a0, a3 = a0;
            for (long i = i0; i < i1; i++) {
                const float *xrow = image + ((top + i * dil_h) * in_w) * C + c;
                const float *wrow = kernel + (i * kw) * C + c;
                for (long j = j0; j < j1; j++) {
                    const float *x = xrow + (left + j * dil_w) * C, *w = wrow + j * C;
                    a0 = VADD(a0, VMUL(relu_if(VLOAD(x), IR), VLOAD(w)));
                    a1 = VADD(a1, VMUL(relu_if(VLOAD(x + LANES), IR), VLOAD(w + LANES)));
                    a2 = VADD(a2, VMUL(relu_if(VLOAD(x + 2 * LANES), IR), VLOAD(w + 2 * LANES)));
                    a3 = VADD(a3, VMUL(relu_if(VLOAD(x + 3 * LANES), IR), VLOAD(w + 3 * LANES)));
                }
            }
            if (EP) {
                a0 = dw_pass(a0, VLOAD(sc + c), VLOAD(sh + c), EP);
                a1 = dw_pass(a1, VLOAD(sc + c + LANES), VLOAD(sh + c + LANES), EP);
                a2 = dw_pass(a2, VLOAD(sc + c + 2 * LANES), VLOAD(sh + c + 2 * LANES), EP);
                a3 = dw_pass(a3, VLOAD(sc + c + 3 * LANES), VLOAD(sh + c + 3 * LANES), EP);
            }
            VSTORE(o + c, a0);
            VSTORE(o + c + LANES, a1);
            VSTORE(o + c + 2 * LANES, a2);
            VSTORE(o + c + 3 * LANES, a3);
        }
        for (; c < C; c += LANES) {
            // A last block of fewer than LANES channels through masked loads and stores: the lanes past C load as
            // zeros (every step works lane by lane) and are never stored.
            const int masked = C - c < LANES;
            const MASK mask = TAIL_MASK(C - c);
            VEC a0 = VZERO();
            for (long i = i0; i < i1; i++) {
                const float *xrow = image + ((top + i * dil_h) * in_w) * C + c;
                const float *wrow = kernel + (i * kw) * C + c;
                for (long j = j0; j < j1; j++)
                    a0 = VADD(a0, VMUL(loadx(xrow + (left + j * dil_w) * C, mask, masked, IR),
                                       loadv(wrow + j * C, mask, masked)));
            }
            if (EP) a0 = dw_pass(a0, loadv(sc + c, mask, masked), loadv(sh + c, mask, masked), EP);
            if (masked) VSTOREM(o + c, mask, a0);
            else VSTORE(o + c, a0);
        }
    }
}

#define ONE_PIXEL(EP, IR)                                                                                            \
    TARGET static void one_pixel_row_##IR##_##EP(const float *image, long in_h, long in_w, long channels,         \
                                            const float *kernel, long kh, long kw, long oh, long out_w,             \
                                            long stride_h, long stride_w, long pad_top, long pad_left, long dil_h,  \
                                            long dil_w, float *out, const float *sc, const float *sh) {             \
        one_pixel(image, in_h, in_w, channels, kernel, kh, kw, oh, out_w, stride_h, stride_w, pad_top, pad_left,   \
                  dil_h, dil_w, out, sc, sh, EP, IR);                                                               \
    }
EACH_PASS(ONE_PIXEL, 0) EACH_PASS(ONE_PIXEL, 1)
static void (*const one_pixel_row[2][DW_PASS_COUNT])(const float *, long, long, long, const float *, long, long, long,
                                                  long, long, long, long, long, long, long, float *, const float *,
                                                  const float *) = BY_INPUT(one_pixel_row);

/// Whether a group's input (`cols` pixel columns × `rows` image rows, at the same channel offset) piles more than
/// ways − 2 cache lines onto one set of the L1 (64 sets of 64 B: 32 KB 8-way on Zen 4, 48 KB 12-way on recent Intel
/// cores): channel counts whose pixel stride is a multiple of 1 KB (C = 256, 512, 1024, 1536, …) put every column on
/// a few sets, and the lines each channel block reads are evicted before the next block reads their other half.
/// Checked for 3×3 kernels only (single thread, 8-way L1, against the one-pixel order: 10×10×1536 0.72×, 14×14×512
/// 0.64×, 7×7×1024 0.76×, 28×28×256 0.98×); 5×5 and 7×7 kernels reuse each line enough to gain anyway (7×7×1152 5×5
/// 1.9×, 14×14×384 7×7 2.1×, 7×7×768 7×7 1.5×). With 12 ways the 74×74×256 rows of Xception's entry flow (9 lines
/// per set) fit, and the group order is faster there (a SeparableConv2D 74×74×256 → 256 at batch 8, two threads:
/// 0.98× the time).
static int crowds_l1(long C, long in_w, long cols, long rows) {
    unsigned char count[64] = {0};
    const long pixel = C * (long)sizeof(float), row = in_w * pixel, limit = kp_l1_ways() - 2;
    for (long r = 0; r < rows; r++)
        for (long q = 0; q < cols; q++)
            if (++count[((q * pixel + r * row) / 64) % 64] > limit) return 1;
    return 0;
}

TARGET
void DEPTHWISE_ROW(const float *image, long in_h, long in_w, long channels, const float *kernel, long kh, long kw,
                      long oh, long out_w, long stride_h, long stride_w, long pad_top, long pad_left, long dil_h,
                      long dil_w, float *out, int pass, const float *sc, const float *sh) {
    const long C = channels;
    if (out_w <= 0 || C <= 0) return;
    const int ir = (pass & KP_DW_RELU_INPUT) != 0;
    pass &= ~KP_DW_RELU_INPUT;
    const int ep = pass > 0 && pass < DW_PASS_COUNT ? pass : 0;
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
    row_fn row = row_any[ir][ep];
    long group = 8;  // pixels per group of `row`
    if (dil_w == 1 && (stride_w == 1 || stride_w == 2)) {
        if (kw == 3) row = stride_w == 1 ? row_3s1[ir][ep] : row_3s2[ir][ep], group = stride_w == 1 ? 10 : 8;
        else if (kw == 5) row = stride_w == 1 ? row_5s1[ir][ep] : row_5s2[ir][ep], group = 6;
        else if (kw == 7) row = stride_w == 1 ? row_7s1[ir][ep] : row_7s2[ir][ep], group = 6;
    }
    const long span = (group - 1) * stride_w + (kw - 1) * dil_w + 1;  // the image columns a group reads
    if (kw == 3 && crowds_l1(C, in_w, span < in_w ? span : in_w, i1 - i0)) {
        one_pixel_row[ir][ep](image, in_h, in_w, channels, kernel, kh, kw, oh, out_w, stride_h, stride_w, pad_top,
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

