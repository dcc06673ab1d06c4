// The GEMM tile of gemm_avx2.c on 16 lanes (AVX-512F): 12 rows × 2 panels (32 columns, 24 zmm accumulators) or
// 12 rows × 1 panel, chosen by kp_gemm when the descriptor's `wide` is set (TensorModule sets it where 512-bit FMAs
// process at least 0.9× the floats per second of 256-bit ones: about 2× on Intel cores with two 512-bit FMA units;
// 1× on Zen 4, which runs a 512-bit FMA as two 256-bit halves, where these tiles still measured faster in whole
// models: half the loads and broadcasts per FMA; Winograd's products keep the 6 × 16 tile there). Each output is the
// same chain of FMAs over the same segments from the same zero as in the 6 × 16 tile, stored or added the same way,
// so both tiles give identical results bit for bit. See gemm_wide.h.
//
// With an output pass (kp_tile_pass, the last K slice only), each value goes through the pass's steps in registers
// right before its store (epilogue_steps512.h's kp_program_steps16, as kp_epilogue_rows computes them: the same values
// bit for bit), instead of a second pass over the stored rows afterwards.
#include "CKernels.h"
#include "gemm_wide.h"

#pragma STDC FP_CONTRACT OFF

#include "epilogue_programs.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#include <time.h>
#include "vector_ops512.h"
#include "epilogue_steps512.h"

// PREFETCHW: every processor with AVX-512F has it (Intel since Broadwell, AMD since long before).
#define KP_WIDE __attribute__((target("avx512f,prfchw")))

// The output passes the tiles apply in registers, numbered from 1 (kp_gemm_pass; 0 is none), each a program form of
// epilogue_programs.h (bias, activation, flush, scale/shift, activation, residual add, activation): those the
// inference plan makes after a convolution or Dense layer in the models measured — its BatchNormalization as a
// scale/shift (with or without the flush before it, which the plan drops where it cannot change a value), then
// ReLU / ReLU6 / swish / hard silu (MobileNetV3's hard swish) or a residual Add; with a bias (ResNet's
// convolutions), BatchNormalization then ReLU, or then the residual Add and ReLU.
#define GEMM_PASSES(X)                             \
    X(1, 0, 0, 1, 1, 0, 0, 0)                      \
    X(2, 0, 0, 0, 1, KP_EP_RELU, 0, 0)             \
    X(3, 0, 0, 1, 1, KP_EP_RELU, 0, 0)             \
    X(4, 0, 0, 0, 1, KP_EP_RELU6, 0, 0)            \
    X(5, 0, 0, 1, 1, KP_EP_RELU6, 0, 0)            \
    X(6, 0, 0, 1, 1, 0, 1, 0)                      \
    X(7, 1, 0, 1, 1, 0, 1, KP_EP_RELU)             \
    X(8, 1, 0, 1, 1, KP_EP_RELU, 0, 0)             \
    X(9, 0, 0, 1, 1, KP_EP_SWISH, 0, 0)            \
    X(10, 0, 0, 0, 1, 0, 0, 0)                     \
    X(11, 0, 0, 0, 1, 0, 1, 0)                     \
    X(12, 0, 0, 0, 1, KP_EP_SWISH, 0, 0)           \
    X(13, 0, 0, 1, 1, KP_EP_HARD_SILU, 0, 0)       \
    X(14, 0, 0, 0, 1, KP_EP_HARD_SILU, 0, 0)

// Pass EP's steps on v (its operands b, s, t, r: bias, scale, shift, residual; zeros where it has none). Inlined
// where EP is a constant; in an unoptimised build one out-of-line copy (as depthwise_body.h's dw_pass).
#if defined(__OPTIMIZE__)
KP_INLINE512
#else
static __attribute__((noinline)) KP_AVX512
#endif
__m512 gemm_pass(__m512 v, __m512 b, __m512 s, __m512 t, __m512 r, const int EP) {
    switch (EP) {
#define GEMM_CASE(N, B, A0, F0, SS, A1, ADD, A2) \
    case N: return kp_program_steps16(v, b, s, t, r, B, A0, F0, SS, A1, ADD, A2);
    GEMM_PASSES(GEMM_CASE)
#undef GEMM_CASE
    default: return v;
    }
}

// Which operands pass EP reads (bias; scale and shift; residual).
#define GEMM_HAS(N, B, A0, F0, SS, A1, ADD, A2) case N: return what == 0 ? B : what == 1 ? SS : ADD;
static inline __attribute__((always_inline)) int gemm_pass_has(const int EP, const int what) {
    switch (EP) {
    GEMM_PASSES(GEMM_HAS)
    default: return 0;
    }
}
#undef GEMM_HAS

// One step k of a tile: the V vectors of B at b[v] (then advanced), each row's broadcast of A times them into acc.
#define STEP_K(e)                                                                                                  \
    do {                                                                                                           \
        __m512 bb[8];                                                                                              \
        _Pragma("clang loop unroll(full)")                                                                         \
        for (int v = 0; v < V; v++) {                                                                              \
            bb[v] = _mm512_loadu_ps(b[v]);                                                                         \
            b[v] += KP_PANEL;                                                                                      \
        }                                                                                                          \
        _Pragma("clang loop unroll(full)")                                                                         \
        for (int r = 0; r < R; r++) {                                                                              \
            __m512 x = _mm512_set1_ps(ar[r][e]);                                                                   \
            _Pragma("clang loop unroll(full)")                                                                     \
            for (int v = 0; v < V; v++) acc[r][v] = _mm512_fmadd_ps(x, bb[v], acc[r][v]);                         \
        }                                                                                                          \
    } while (0)

// Slot i of the next tile's lines (row i / V, panel i % V): C's at pw asked for writing (PREFETCHW), and the
// residual's at pr (row stride res_ld) for reading where the tile's pass has one (pr non-NULL).
KP_WIDE static inline __attribute__((always_inline)) void
ask_next_tile_line(const float *pw, long ldc, const float *pr, long res_ld, long i, const int V) {
    _m_prefetchw((void *)(pw + (i / V) * ldc + (i % V) * KP_PANEL));
    if (pr) _mm_prefetch((const char *)(pr + (i / V) * res_ld + (i % V) * KP_PANEL), _MM_HINT_T0);
}

// Rows [0, R) × panels [0, V) of a tile's sums into c (the last panel's lanes in `last`), added to c's values when
// `accumulate`; with EP > 0 each value then goes through that pass (ep's operands) before its store. With `restart`
// the sums are then set to zero (a chain ended; the next one starts).
KP_WIDE static inline __attribute__((always_inline)) void
store16(const int R, const int V, __m512 acc[13][8], float *c, long ldc, __mmask16 last, int accumulate, const int EP,
        const kp_tile_pass *ep, const int restart) {
    // The pass's per-column operands, one vector per panel (masked like the stores: lanes past `cols` read zeros).
    const __m512 z = _mm512_setzero_ps();
    __m512 pb[2], ps[2], pt[2];
    _Pragma("clang loop unroll(full)")
    for (int v = 0; v < V && v < 2; v++) {
        __mmask16 m = v == V - 1 ? last : (__mmask16)0xFFFF;
        pb[v] = EP && gemm_pass_has(EP, 0) ? _mm512_maskz_loadu_ps(m, ep->bias + v * KP_PANEL) : z;
        ps[v] = EP && gemm_pass_has(EP, 1) ? _mm512_maskz_loadu_ps(m, ep->sc + v * KP_PANEL) : z;
        pt[v] = EP && gemm_pass_has(EP, 1) ? _mm512_maskz_loadu_ps(m, ep->sh + v * KP_PANEL) : z;
    }
    _Pragma("clang loop unroll(full)")
    for (int r = 0; r < R; r++) {
        _Pragma("clang loop unroll(full)")
        for (int v = 0; v < V; v++) {
            float *dst = c + r * ldc + v * KP_PANEL;
            __mmask16 m = v == V - 1 ? last : (__mmask16)0xFFFF;
            __m512 y = accumulate ? _mm512_add_ps(_mm512_maskz_loadu_ps(m, dst), acc[r][v]) : acc[r][v];
            if (EP) {
                __m512 res = gemm_pass_has(EP, 2) ? _mm512_maskz_loadu_ps(m, ep->res + r * ep->res_ld + v * KP_PANEL)
                                                  : z;
                y = gemm_pass(y, pb[v], ps[v], pt[v], res, EP);
            }
            _mm512_mask_storeu_ps(dst, m, y);
            if (restart) acc[r][v] = z;
        }
    }
}

// R rows × V panels (R ≤ 13; R·V ≤ 26 accumulators, which with the V vectors of B and a broadcast fit the 32 zmm
// registers): rows a[0..R), panels at bp[0..V) (each Σ seg_len × 16 floats from the pass's first step), results
// into c (row stride ldc), panel v at columns 16·v, stored at the end of each chain of the segments (KC: its sums
// added to c's values after the first chain, or when `accumulate`); the last panel's first `cols` (1…16). The
// 12-row tiles (V = 1, 2) ask for pf_steps[v] steps of k of the panels at pf[v] into L2, as the 6 × 16 tile does, and
// for the R rows × V lines of C at pw (the next tile's, NULL: none) for writing (the 13-row tiles likewise); the
// edges (the rows after the last 12-row tile) pass no prefetch.
// With EP > 0 (GEMM_PASSES), each value goes through that pass before its store, with ep's operands (at the tile's
// first row and column).
KP_WIDE static inline __attribute__((always_inline)) void
tile16(const int R, const int V, const float *const *a, const long *seg_off, const long *seg_len, long nseg,
       const float *const *bp, float *c, long ldc, int cols, int accumulate, const float *const *pf,
       const long *pf_steps, const float *pw, const int EP, const kp_tile_pass *ep) {
    // The prefetches go one line per panel (and two of C) every PF_GAP steps of k (any left at the end, after the
    // last step): issued all at once (up to 64 lines each from memory), they filled the core's miss buffers and the
    // tile waited.
    const float *pq[8];
    long pleft[8], pmax = 0;
    _Pragma("clang loop unroll(full)")
    for (int v = 0; v < V; v++) {
        pq[v] = pf ? pf[v] : 0;
        pleft[v] = pf ? pf_steps[v] : 0;
        if (pleft[v] > pmax) pmax = pleft[v];
    }
    long wnext = 0, wend = pw ? R * V : 0;   // the next tile's lines of C asked for (PREFETCHW), two per slot
    // With a residual in the pass, the next tile's lines of it too (read once, at its stores: a residual written
    // three steps before is no longer in L2, and each tile's pass otherwise waited for its 24 lines from memory).
    const float *pr = EP && gemm_pass_has(EP, 2) && pw ? ep->res + R * ep->res_ld : 0;
    const long res_ld = pr ? ep->res_ld : 0;
    if (wend > pmax) pmax = wend;
    __m512 acc[13][8];
    _Pragma("clang loop unroll(full)")
    for (int r = 0; r < R; r++)
        _Pragma("clang loop unroll(full)")
        for (int v = 0; v < V; v++) acc[r][v] = _mm512_setzero_ps();
    const float *b[8];
    _Pragma("clang loop unroll(full)")
    for (int v = 0; v < V; v++) b[v] = bp[v];
    const __mmask16 last = (__mmask16)((1u << cols) - 1u);
    long run = 0;   // floats of k in the current chain (KC)
    for (long s = 0; s < nseg; s++) {
        long off = seg_off[s], len = seg_len[s];
        if (kp_chain_ends(run, len)) {
            // A chain ends: its sums go to C (added after the chains before them) and the next one starts from zero.
            store16(R, V, acc, c, ldc, last, accumulate, 0, 0, 1);
            accumulate = 1;
            run = 0;
        }
        run += len;
        const float *ar[13];
        _Pragma("clang loop unroll(full)")
        for (int r = 0; r < R; r++) ar[r] = a[r] + off;
        long e = 0;
        for (; pmax > 0 && e + PF_GAP <= len; pmax--) {
            _Pragma("clang loop unroll(full)")
            for (int v = 0; v < V; v++)
                if (pleft[v] > 0) {
                    _mm_prefetch((const char *)pq[v], _MM_HINT_T1);
                    pq[v] += KP_PANEL;
                    pleft[v]--;
                }
            _Pragma("clang loop unroll(full)")
            for (int i = 0; i < 2; i++)
                if (wnext < wend) ask_next_tile_line(pw, ldc, pr, res_ld, wnext++, V);
            _Pragma("clang loop unroll(full)")
            for (long i = 0; i < PF_GAP; i++, e++) STEP_K(e);
        }
        _Pragma("clang loop unroll_count(2)")
        for (; e < len; e++) STEP_K(e);
    }
    _Pragma("clang loop unroll(full)")
    for (int v = 0; v < V; v++)
        for (long i = 0; i < pleft[v]; i++) _mm_prefetch((const char *)(pq[v] + i * KP_PANEL), _MM_HINT_T1);
    for (; wnext < wend; wnext++) ask_next_tile_line(pw, ldc, pr, res_ld, wnext, V);
    store16(R, V, acc, c, ldc, last, accumulate, EP, ep, 0);
}

// tile16 with the pass ep names (NULL or form 0: none), each form its own instantiation.
KP_WIDE static inline __attribute__((always_inline)) void
tile16_pass(const int R, const int V, const float *const *a, const long *seg_off, const long *seg_len, long nseg,
            const float *const *bp, float *c, long ldc, int cols, int accumulate, const float *const *pf,
            const long *pf_steps, const float *pw, const kp_tile_pass *ep) {
#if defined(__OPTIMIZE__)
    switch (ep ? ep->form : 0) {
#define TILE_CASE(N, B, A0, F0, SS, A1, ADD, A2)                                                                    \
    case N: tile16(R, V, a, seg_off, seg_len, nseg, bp, c, ldc, cols, accumulate, pf, pf_steps, pw, N, ep); return;
    GEMM_PASSES(TILE_CASE)
#undef TILE_CASE
    default: tile16(R, V, a, seg_off, seg_len, nseg, bp, c, ldc, cols, accumulate, pf, pf_steps, pw, 0, 0);
    }
#else
    // Unoptimised: one copy with the pass chosen at run time (as depthwise_body.h's dw_pass; a copy per pass
    // multiplies an -O0 build's stack frames and code).
    tile16(R, V, a, seg_off, seg_len, nseg, bp, c, ldc, cols, accumulate, pf, pf_steps, pw, ep ? ep->form : 0, ep);
#endif
}

int kp_gemm_pass(int program) {
    static const int rows[][8] = {GEMM_PASSES(KP_PASS_ROW)};
    return kp_pass_number(program, rows, (int)(sizeof rows / sizeof rows[0]));
}

// The exported tiles (gemm_wide.h): 12 or 13 rows × 2 panels or 1.
#define WIDE_TILE(R, V)                                                                                             \
    KP_WIDE void kp_tile_##R##x##V(const float *const *a, const long *seg_off, const long *seg_len, long nseg,       \
                                   const float *const *bp, float *c, long ldc, int cols, int accumulate,            \
                                   const float *const *pf, const long *pf_steps, const float *pw,                   \
                                   const kp_tile_pass *ep) {                                                        \
        tile16_pass(R, V / 16, a, seg_off, seg_len, nseg, bp, c, ldc, cols, accumulate, pf, pf_steps, pw, ep);     \
    }
WIDE_TILE(12, 32) WIDE_TILE(12, 16) WIDE_TILE(13, 32) WIDE_TILE(13, 16)
#undef WIDE_TILE

#define EDGE16(R, V)                                                                                               \
    KP_WIDE static void edge16_##R##_##V(const float *const *a, const long *so, const long *sl, long ns,           \
                                         const float *const *bp, float *c, long ldc, int cols, int acc) {          \
        tile16(R, V, a, so, sl, ns, bp, c, ldc, cols, acc, 0, 0, 0, 0, 0);                                          \
    }
#define EDGE16_ALL(R) EDGE16(R, 1) EDGE16(R, 2) EDGE16(R, 3) EDGE16(R, 4) EDGE16(R, 5) EDGE16(R, 6) EDGE16(R, 7) \
    EDGE16(R, 8)
EDGE16_ALL(1) EDGE16_ALL(2) EDGE16_ALL(3) EDGE16_ALL(4) EDGE16_ALL(5) EDGE16_ALL(6) EDGE16_ALL(7) EDGE16_ALL(8)
EDGE16_ALL(9) EDGE16_ALL(10) EDGE16_ALL(11)
#undef EDGE16_ALL
#undef EDGE16
typedef void (*edge16_fn)(const float *const *, const long *, const long *, long, const float *const *, float *,
                          long, int, int);
#define EDGE16_ROW(R) {edge16_##R##_1, edge16_##R##_2, edge16_##R##_3, edge16_##R##_4, edge16_##R##_5,             \
                       edge16_##R##_6, edge16_##R##_7, edge16_##R##_8}
static const edge16_fn edges16[12][8] = {
    {0}, EDGE16_ROW(1), EDGE16_ROW(2), EDGE16_ROW(3), EDGE16_ROW(4), EDGE16_ROW(5), EDGE16_ROW(6),
    EDGE16_ROW(7), EDGE16_ROW(8), EDGE16_ROW(9), EDGE16_ROW(10), EDGE16_ROW(11),
};
#undef EDGE16_ROW

long kp_edge16_panels(int rows) {
    // Accumulators R·V ≤ 24 (R = 1, 2: 8 panels, the most a call takes).
    long v = 24 / rows;
    return v > 8 ? 8 : v;
}

KP_WIDE void kp_edge16(int rows, long panels, const float *const *a, const long *seg_off, const long *seg_len,
                         long nseg, const float *const *bp, float *c, long ldc, int cols, int accumulate) {
    if (rows < 1 || rows > 11 || panels < 1 || panels > kp_edge16_panels(rows)) return;
    edges16[rows][panels - 1](a, seg_off, seg_len, nseg, bp, c, ldc, cols, accumulate);
}

// Throughput of dependent-free FMA chains, 12 at a time (the GEMM tile's shape), as nanoseconds per FMA
// instruction over `iters` steps. The empty inline assembly keeps each chain in a register.
static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

__attribute__((target("avx2,fma"), noinline)) static double fma256_ns(long iters) {
    __m256 v[12];
    for (int i = 0; i < 12; i++) v[i] = _mm256_set1_ps(0.001f * (float)i);
    const __m256 x = _mm256_set1_ps(0.999f), y = _mm256_set1_ps(1e-4f);
    double t0 = seconds();
    for (long it = 0; it < iters; it++) {
        for (int i = 0; i < 12; i++) v[i] = _mm256_fmadd_ps(v[i], x, y);
        __asm__ volatile("" : "+x"(v[0]), "+x"(v[1]), "+x"(v[2]), "+x"(v[3]), "+x"(v[4]), "+x"(v[5]), "+x"(v[6]),
                         "+x"(v[7]), "+x"(v[8]), "+x"(v[9]), "+x"(v[10]), "+x"(v[11]));
    }
    return (seconds() - t0) / ((double)iters * 12.0) * 1e9;
}

KP_WIDE __attribute__((noinline)) static double fma512_ns(long iters) {
    __m512 v[12];
    for (int i = 0; i < 12; i++) v[i] = _mm512_set1_ps(0.001f * (float)i);
    const __m512 x = _mm512_set1_ps(0.999f), y = _mm512_set1_ps(1e-4f);
    double t0 = seconds();
    for (long it = 0; it < iters; it++) {
        for (int i = 0; i < 12; i++) v[i] = _mm512_fmadd_ps(v[i], x, y);
        __asm__ volatile("" : "+v"(v[0]), "+v"(v[1]), "+v"(v[2]), "+v"(v[3]), "+v"(v[4]), "+v"(v[5]), "+v"(v[6]),
                         "+v"(v[7]), "+v"(v[8]), "+v"(v[9]), "+v"(v[10]), "+v"(v[11]));
    }
    return (seconds() - t0) / ((double)iters * 12.0) * 1e9;
}

double kp_fma512_speedup(void) {
    if (!kp_avx512_available()) return 0;
    // About 4,000 steps × 12 FMAs per run: ~8–16 µs. Alternating runs, each engine's best, so a
    // run the system interrupts does not decide.
    // First ~130 µs of 512-bit FMAs untimed: a process's first 512-bit instructions run slower for a while on Intel
    // cores while the core powers up its upper lanes. First calls in 60 fresh processes on an Intel Xeon: with a
    // 32 µs warm-up 1.37–2.00 (median 1.77; 1 in 10 under 1.54), with this one 1.69–2.44 (median 1.81); about 0.25 ms
    // in all.
    double n256 = 1e30, n512 = 1e30;
    (void)fma256_ns(4000);
    (void)fma512_ns(64000);
    for (int r = 0; r < 4; r++) {
        double a = fma256_ns(4000), b = fma512_ns(4000);
        if (a < n256) n256 = a;
        if (b < n512) n512 = b;
    }
    // Per float: a 512-bit FMA does twice the work of a 256-bit one.
    return n512 > 0 ? 2.0 * n256 / n512 : 0;
}

#else

double kp_fma512_speedup(void) { return 0; }

int kp_gemm_pass(int program) { (void)program; return 0; }

long kp_edge16_panels(int rows) { (void)rows; return 1; }

void kp_edge16(int rows, long panels, const float *const *a, const long *seg_off, const long *seg_len, long nseg,
               const float *const *bp, float *c, long ldc, int cols, int accumulate) {
    (void)rows; (void)panels; (void)a; (void)seg_off; (void)seg_len; (void)nseg; (void)bp; (void)c; (void)ldc;
    (void)cols; (void)accumulate;
}

void kp_tile_12x32(const float *const *a, const long *seg_off, const long *seg_len, long nseg,
                   const float *const *bp, float *c, long ldc, int cols, int accumulate, const float *const *pf,
                   const long *pf_steps, const float *pw, const kp_tile_pass *ep) {
    (void)a; (void)seg_off; (void)seg_len; (void)nseg; (void)bp; (void)c; (void)ldc; (void)cols; (void)accumulate;
    (void)pf; (void)pf_steps; (void)pw; (void)ep;
}

void kp_tile_12x16(const float *const *a, const long *seg_off, const long *seg_len, long nseg,
                   const float *const *bp, float *c, long ldc, int cols, int accumulate, const float *const *pf,
                   const long *pf_steps, const float *pw, const kp_tile_pass *ep) {
    (void)a; (void)seg_off; (void)seg_len; (void)nseg; (void)bp; (void)c; (void)ldc; (void)cols; (void)accumulate;
    (void)pf; (void)pf_steps; (void)pw; (void)ep;
}

void kp_tile_13x32(const float *const *a, const long *seg_off, const long *seg_len, long nseg,
                   const float *const *bp, float *c, long ldc, int cols, int accumulate, const float *const *pf,
                   const long *pf_steps, const float *pw, const kp_tile_pass *ep) {
    kp_tile_12x32(a, seg_off, seg_len, nseg, bp, c, ldc, cols, accumulate, pf, pf_steps, pw, ep);
}

void kp_tile_13x16(const float *const *a, const long *seg_off, const long *seg_len, long nseg,
                   const float *const *bp, float *c, long ldc, int cols, int accumulate, const float *const *pf,
                   const long *pf_steps, const float *pw, const kp_tile_pass *ep) {
    kp_tile_12x16(a, seg_off, seg_len, nseg, bp, c, ldc, cols, accumulate, pf, pf_steps, pw, ep);
}

#endif
