// Implicit-GEMM micro-kernel (6 rows × 16 columns, AVX2 + FMA) behind TensorModule's Dense and convolutions, with
// smaller kernels for the edges of the output (tile_rv: the last rows, a last panel of 8 columns or fewer), which
// compute each value with the same FMAs in the same order. See CKernels.h for the contract.
#include "CKernels.h"
#include "gemm_wide.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define KP_X86 1
#else
#define KP_X86 0
#endif

#define TILE_ROWS 6
// K passes shorter than this get no PREFETCHW of the next tile's output lines (see kp_gemm's wide loop).
#define PREFETCH_MIN_K 48

int kp_simd_available(void) {
#if KP_X86
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return 0;
#endif
}

size_t kp_packed_b_count(long k, long n) {
    long panels = (n + KP_PANEL - 1) / KP_PANEL;
    return (size_t)k * (size_t)panels * KP_PANEL;
}

void kp_pack_b(const float *b, long k, long n, long ldb, float *packed) {
    long panels = (n + KP_PANEL - 1) / KP_PANEL;
    for (long p = 0; p < panels; p++) {
        long j0 = p * KP_PANEL, width = n - j0 < KP_PANEL ? n - j0 : KP_PANEL;
        float *dst = packed + p * k * KP_PANEL;
        for (long r = 0; r < k; r++) {
            const float *src = b + r * ldb + j0;
            long j = 0;
            for (; j < width; j++) dst[j] = src[j];
            for (; j < KP_PANEL; j++) dst[j] = 0;
            dst += KP_PANEL;
        }
    }
}

void kp_pack_bt(const float *b, long k, long n, long ldb, float *packed) {
    for (long j = 0; j < n; j++)
        for (long r = 0; r < k; r++) packed[j * k + r] = b[r * ldb + j];
}

int kp_gemm_rows_alias(const float *const *rows, long off, int count) {
    // L1 sets of 64-byte lines at 4 KiB; more rows in one set than its 8 ways cannot all stay.
    unsigned char in_set[64] = {0};
    for (int r = 0; r < count; r++) {
        unsigned set = (unsigned)(((uintptr_t)(rows[r] + off) >> 6) & 63);
        if (++in_set[set] > 8) return 1;
    }
    return 0;
}

#if KP_X86

static inline const float *row_base(const kp_gemm_desc *d, long p) {
    long ow = p % d->out_w, q = p / d->out_w;
    long oh = q % d->out_h, img = q / d->out_h;
    return d->a + img * d->img_stride + oh * d->row_stride + ow * d->col_stride;
}

// The 6 × 16 tile's sums into c (all 6 rows, the first `cols` columns; added to c's values when `accumulate`).
__attribute__((target("avx2,fma"), always_inline))
static inline void store_tile(float *c, long ldc, int cols, int accumulate, __m256 c00, __m256 c01, __m256 c10,
                              __m256 c11, __m256 c20, __m256 c21, __m256 c30, __m256 c31, __m256 c40, __m256 c41,
                              __m256 c50, __m256 c51) {
    if (cols == KP_PANEL) {
        if (accumulate) {
#define KP_ACC(r, v0, v1) \
            v0 = _mm256_add_ps(_mm256_loadu_ps(c + r * ldc), v0); v1 = _mm256_add_ps(_mm256_loadu_ps(c + r * ldc + 8), v1);
            KP_ACC(0, c00, c01) KP_ACC(1, c10, c11) KP_ACC(2, c20, c21)
            KP_ACC(3, c30, c31) KP_ACC(4, c40, c41) KP_ACC(5, c50, c51)
#undef KP_ACC
        }
        _mm256_storeu_ps(c + 0 * ldc, c00); _mm256_storeu_ps(c + 0 * ldc + 8, c01);
        _mm256_storeu_ps(c + 1 * ldc, c10); _mm256_storeu_ps(c + 1 * ldc + 8, c11);
        _mm256_storeu_ps(c + 2 * ldc, c20); _mm256_storeu_ps(c + 2 * ldc + 8, c21);
        _mm256_storeu_ps(c + 3 * ldc, c30); _mm256_storeu_ps(c + 3 * ldc + 8, c31);
        _mm256_storeu_ps(c + 4 * ldc, c40); _mm256_storeu_ps(c + 4 * ldc + 8, c41);
        _mm256_storeu_ps(c + 5 * ldc, c50); _mm256_storeu_ps(c + 5 * ldc + 8, c51);
        return;
    }
    if (cols == 8) {
        // A panel's last 8 columns (n = 24, 40, …): the first vector of each row, with no copy through `t`.
        if (accumulate) {
            c00 = _mm256_add_ps(_mm256_loadu_ps(c + 0 * ldc), c00); c10 = _mm256_add_ps(_mm256_loadu_ps(c + 1 * ldc), c10);
            c20 = _mm256_add_ps(_mm256_loadu_ps(c + 2 * ldc), c20); c30 = _mm256_add_ps(_mm256_loadu_ps(c + 3 * ldc), c30);
            c40 = _mm256_add_ps(_mm256_loadu_ps(c + 4 * ldc), c40); c50 = _mm256_add_ps(_mm256_loadu_ps(c + 5 * ldc), c50);
        }
        _mm256_storeu_ps(c + 0 * ldc, c00); _mm256_storeu_ps(c + 1 * ldc, c10); _mm256_storeu_ps(c + 2 * ldc, c20);
        _mm256_storeu_ps(c + 3 * ldc, c30); _mm256_storeu_ps(c + 4 * ldc, c40); _mm256_storeu_ps(c + 5 * ldc, c50);
        return;
    }
    float t[TILE_ROWS][KP_PANEL];
    _mm256_storeu_ps(t[0], c00); _mm256_storeu_ps(t[0] + 8, c01);
    _mm256_storeu_ps(t[1], c10); _mm256_storeu_ps(t[1] + 8, c11);
    _mm256_storeu_ps(t[2], c20); _mm256_storeu_ps(t[2] + 8, c21);
    _mm256_storeu_ps(t[3], c30); _mm256_storeu_ps(t[3] + 8, c31);
    _mm256_storeu_ps(t[4], c40); _mm256_storeu_ps(t[4] + 8, c41);
    _mm256_storeu_ps(t[5], c50); _mm256_storeu_ps(t[5] + 8, c51);
    for (int r = 0; r < TILE_ROWS; r++) {
        float *dst = c + r * ldc;
        if (accumulate) {
            for (int j = 0; j < cols; j++) dst[j] += t[r][j];
        } else {
            memcpy(dst, t[r], (size_t)cols * sizeof(float));
        }
    }
}

// One 6 × 16 tile over segments [0, nseg): rows a[0..5] (row bases), panel bp (Σ seg_len × 16), into c (row
// stride ldc), all 6 rows and `cols` ≤ 16 valid columns, stored at the end of each chain of the segments (KC);
// adds to c when `accumulate` (and after the first chain). (Fewer rows go to tile_rv.)
// First asks for `pf_steps` steps of k (one 64-byte line each) of a panel from `pf` into L2 (kp_gemm's prefetch).
__attribute__((target("avx2,fma")))
static void tile(const float *const *a, const long *seg_off, const long *seg_len, long nseg, const float *bp,
                 float *c, long ldc, int cols, int accumulate, const float *pf, long pf_steps) {
    __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
    __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
    __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
    __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
    __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
    __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
    long run = 0;   // floats of k in the current chain (KC)
    for (long s = 0; s < nseg; s++) {
        long off = seg_off[s], len = seg_len[s];
        if (kp_chain_ends(run, len)) {
            // A chain ends: its sums go to C (after the chains before them); the next one starts from zero.
            store_tile(c, ldc, cols, accumulate, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51);
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = _mm256_setzero_ps();
            accumulate = 1;
            run = 0;
        }
        run += len;
        const float *a0 = a[0] + off, *a1 = a[1] + off, *a2 = a[2] + off;
        const float *a3 = a[3] + off, *a4 = a[4] + off, *a5 = a[5] + off;
#define KP_STEP                                                                                                     \
    {                                                                                                               \
        __m256 b0 = _mm256_loadu_ps(bp), b1 = _mm256_loadu_ps(bp + 8);                                              \
        bp += KP_PANEL;                                                                                             \
        __m256 x;                                                                                                   \
        x = _mm256_broadcast_ss(a0 + e); c00 = _mm256_fmadd_ps(x, b0, c00); c01 = _mm256_fmadd_ps(x, b1, c01);     \
        x = _mm256_broadcast_ss(a1 + e); c10 = _mm256_fmadd_ps(x, b0, c10); c11 = _mm256_fmadd_ps(x, b1, c11);     \
        x = _mm256_broadcast_ss(a2 + e); c20 = _mm256_fmadd_ps(x, b0, c20); c21 = _mm256_fmadd_ps(x, b1, c21);     \
        x = _mm256_broadcast_ss(a3 + e); c30 = _mm256_fmadd_ps(x, b0, c30); c31 = _mm256_fmadd_ps(x, b1, c31);     \
        x = _mm256_broadcast_ss(a4 + e); c40 = _mm256_fmadd_ps(x, b0, c40); c41 = _mm256_fmadd_ps(x, b1, c41);     \
        x = _mm256_broadcast_ss(a5 + e); c50 = _mm256_fmadd_ps(x, b0, c50); c51 = _mm256_fmadd_ps(x, b1, c51);     \
    }
        long e = 0;
        // The prefetch, one line every PF_GAP steps of k (as in gemm_avx512.c's tile16).
        for (; pf_steps > 0 && e + PF_GAP <= len; pf_steps--, pf += KP_PANEL) {
            _mm_prefetch((const char *)pf, _MM_HINT_T1);
            _Pragma("clang loop unroll(full)")
            for (long i = 0; i < PF_GAP; i++, e++) KP_STEP
        }
        _Pragma("clang loop unroll_count(4)")
        for (; e < len; e++) KP_STEP
#undef KP_STEP
    }
    for (long i = 0; i < pf_steps; i++) _mm_prefetch((const char *)(pf + i * KP_PANEL), _MM_HINT_T1);
    store_tile(c, ldc, cols, accumulate, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51);
}

// tile_rv's sums into c (the first `cols` columns; added to c's values when `accumulate`), then set to zero with
// `restart` (a chain ended; the next one starts).
__attribute__((target("avx2,fma"), always_inline))
static inline void store_rv(const int R, const int V, __m256 acc[12][8], float *c, long ldc, long cols, int accumulate,
                            const int restart) {
    _Pragma("clang loop unroll(full)")
    for (int r = 0; r < R; r++) {
        _Pragma("clang loop unroll(full)")
        for (int v = 0; v < V; v++) {
            long valid = cols - 8 * v;
            float *dst = c + r * ldc + 8 * v;
            if (valid >= 8) {
                __m256 y = accumulate ? _mm256_add_ps(_mm256_loadu_ps(dst), acc[r][v]) : acc[r][v];
                _mm256_storeu_ps(dst, y);
            } else if (valid > 0) {
                float t[8];
                _mm256_storeu_ps(t, acc[r][v]);
                for (long i = 0; i < valid; i++) dst[i] = accumulate ? dst[i] + t[i] : t[i];
            }
            if (restart) acc[r][v] = _mm256_setzero_ps();
        }
    }
}

// R rows × V vectors of 8 columns (R·V ≤ 12 accumulators; R = 12 and V = 1 for the last panel when it has 8 columns
// or fewer, R < 6 and up to 8 vectors for the rows after the last whole 6-row tile): vector v of B is read from
// bv[v] (a panel's first or second 8 columns, KP_PANEL floats per step of k), its results go to columns 8v… of c,
// of which the first `cols` are stored. Each value is the same chain of FMAs over the segments as in `tile`, so the
// same bits as the 6 × 16 tile computes it.
__attribute__((target("avx2,fma"), always_inline))
static inline void tile_rv(const int R, const int V, const float *const *a, const long *seg_off, const long *seg_len,
                           long nseg, const float *const *bv, float *c, long ldc, long cols, int accumulate) {
    __m256 acc[12][8];
    _Pragma("clang loop unroll(full)")
    for (int r = 0; r < R; r++)
        _Pragma("clang loop unroll(full)")
        for (int v = 0; v < V; v++) acc[r][v] = _mm256_setzero_ps();
    long kpos = 0, run = 0;   // run: floats of k in the current chain (KC)
    for (long s = 0; s < nseg; s++) {
        long off = seg_off[s], len = seg_len[s];
        if (kp_chain_ends(run, len)) {
            // A chain ends: its sums go to C (after the chains before them); the next one starts from zero.
            store_rv(R, V, acc, c, ldc, cols, accumulate, 1);
            accumulate = 1;
            run = 0;
        }
        run += len;
        const float *ar[12];
        _Pragma("clang loop unroll(full)")
        for (int r = 0; r < R; r++) ar[r] = a[r] + off;
        const float *b[8];
        _Pragma("clang loop unroll(full)")
        for (int v = 0; v < V; v++) b[v] = bv[v] + kpos * KP_PANEL;
        for (long e = 0; e < len; e++) {
            __m256 bb[8];
            _Pragma("clang loop unroll(full)")
            for (int v = 0; v < V; v++) bb[v] = _mm256_loadu_ps(b[v] + e * KP_PANEL);
            _Pragma("clang loop unroll(full)")
            for (int r = 0; r < R; r++) {
                __m256 x = _mm256_broadcast_ss(ar[r] + e);
                _Pragma("clang loop unroll(full)")
                for (int v = 0; v < V; v++) acc[r][v] = _mm256_fmadd_ps(x, bb[v], acc[r][v]);
            }
        }
        kpos += len;
    }
    store_rv(R, V, acc, c, ldc, cols, accumulate, 0);
}

typedef void (*edge_fn)(const float *const *, const long *, const long *, long, const float *const *, float *, long,
                        long, int);
#define EDGE(R, V)                                                                                                   \
    __attribute__((target("avx2,fma"))) static void edge_##R##_##V(                                                 \
        const float *const *a, const long *so, const long *sl, long ns, const float *const *bv, float *c, long ldc, \
        long cols, int acc) { tile_rv(R, V, a, so, sl, ns, bv, c, ldc, cols, acc); }
EDGE(1, 1) EDGE(1, 2) EDGE(1, 3) EDGE(1, 4) EDGE(1, 5) EDGE(1, 6) EDGE(1, 7) EDGE(1, 8)
EDGE(2, 1) EDGE(2, 2) EDGE(2, 3) EDGE(2, 4)
EDGE(3, 1) EDGE(3, 2) EDGE(3, 3)
EDGE(4, 1) EDGE(4, 2)
EDGE(5, 1) EDGE(5, 2)
EDGE(6, 1) EDGE(12, 1)
#undef EDGE
// edges[R][V] for the rows after the last whole tile (R < 6 rows, up to EDGE_VECTORS(R) vectors at a time).
static const edge_fn edges[6][9] = {
    {0},
    {0, edge_1_1, edge_1_2, edge_1_3, edge_1_4, edge_1_5, edge_1_6, edge_1_7, edge_1_8},
    {0, edge_2_1, edge_2_2, edge_2_3, edge_2_4},
    {0, edge_3_1, edge_3_2, edge_3_3},
    {0, edge_4_1, edge_4_2},
    {0, edge_5_1, edge_5_2},
};
// At most 9 accumulators when R > 1: with 12 (2 × 6, 3 × 4, 4 × 3) the R broadcasts or V vectors of B that each
// step of k also holds leave no free ymm register of the 16, and clang spilled an accumulator to the stack inside
// the k loop (a store and a reload per step on that sum's FMA chain: ResNet50's 4-row edges, 7 % of a one-thread
// batch-1 run, ran at about a third of the tile's speed). One row has no such pressure (each B vector is used once).
#define EDGE_VECTORS(R) ((R) == 1 ? 8 : (R) == 2 ? 4 : (R) == 3 ? 3 : 2)

// K-blocking: the product runs in K passes, each a run of whole chains (KC: the segments grouped greedily into
// chains of at most 256 floats). Where the whole k is at most KC_PASS_ONE floats (Xception's 728 channels, ResNet's
// 512, a 3 × 3 window over 64) it is one pass, else each pass is one chain (KC_PASS). The kernels add each chain's
// sum to C where it ends, so every output is the same chains added one after the other whatever the passes. For each
// pass, the panels go in groups whose slice of B fits in a quarter of L2
// (group_panels): every tile is applied to the group's panels in turn, so the tile's A rows stay in L1 while the
// group's B panels (klen × 16 floats each) stay in L2 for all the tiles (a whole pass of B for a wide layer, 2048
// columns, is 2 MiB or more: each tile then streamed it from L3).
// Round 28 made the chains themselves longer (one up to K = 768, then 512): 2–3 % faster on Xception and ResNet50,
// but the longer FMA chains took a real-world model past the parity bound (see KC). One pass of 256-float chains
// for k ≤ 768 keeps that speed with the chains' bits (round 29: 361 × 728 × 728 0.93–0.97×, 3136 × 576 × 64
// 0.96–0.98×, two threads, cold B); passes of two chains for a longer k measured no faster (1568 × 1024 × 256
// 0.98–1.05×, 392 × 2048 × 512 0.98–1.05×), so there a pass stays one chain.
#define KC_PASS KC
#define KC_PASS_ONE 768
// Rows per block: the block's A for a pass (rows × klen floats, less for convolutions, whose patches overlap) stays
// in L2.
#define BLOCK_ROWS (48 * TILE_ROWS)
// Panels per group for a pass of klen steps of k: the group's B within a quarter of one core's L2 (kp_l2_bytes; the
// rest for A and the prefetch). The groups change only the order of independent outputs, never a value.
static inline long group_panels(long klen) {
    long g = (kp_l2_bytes() / 4) / (klen * KP_PANEL * (long)sizeof(float));
    // An even count where there is a choice: the AVX-512 tiles take the panels two at a time (12 × 32), and an odd
    // group ends in a 12 × 16 tile, which loads every broadcast of A for half the FMAs. Xception's 728-float passes
    // (1 MiB L2: 5 panels) ran a fifth of their panels that way; in 4-panel groups 361 × 728 × 728 took 0.91–0.98×
    // the time and 1369 × 728 × 728 0.96–0.97× (Zen 5, one thread; rounding up to 6 gained less).
    if (g > 1) g &= ~1L;
    return g < 1 ? 1 : g;
}

// The K pass that starts at segment s0 (a chain's first): its segments end at the returned index and hold *klen
// steps of k, whole chains up to `cap` floats (a longer chain is a pass alone).
static inline long pass_end(const kp_gemm_desc *d, long s0, long cap, long *klen) {
    long s1 = s0, len = 0;
    do {
        long c1 = s1, chain = 0;
        do { chain += d->seg_len[c1]; c1++; } while (c1 < d->nseg && !kp_chain_ends(chain, d->seg_len[c1]));
        if (len > 0 && len + chain > cap) break;
        len += chain;
        s1 = c1;
    } while (s1 < d->nseg);
    *klen = len;
    return s1;
}

// A wide tile's A rows copied, K pass by K pass (passes of up to COPY_MAX floats in COPY_SEGS segments: kp_gemm
// keeps the passes one chain long where the rows alias), to a buffer of this thread with a padded row stride (COPY_LD
// floats) where they alias in L1 (kp_gemm_rows_alias). The tile reads its rows' current lines of A at every step of
// k; rows a multiple of 4 KiB apart (a 1 × 1 convolution over 1,024 or 2,048 channels, or over 512 at stride 2) put
// all twelve of those lines in one set of the 8-way L1, which evicted them before their 16 steps were used (kp_gemm
// alone, one thread, Zen 4: 196 × 1024 × 256 1.00 ms against 0.91 with the copy; 49 × 2048 × 512 1.08 against 0.92).
// The copy holds the same values in the same order of k (the pass's segments one after the other), so every sum
// is the same.
#define COPY_MAX KC
#define COPY_SEGS 64
#define COPY_LD (COPY_MAX + 16)
static _Thread_local float copied_rows[13 * COPY_LD] __attribute__((aligned(64)));

// KERASPORT_GEMM_COPY_A=0: never copy (for comparisons); =2: copy every wide tile's rows; else where they alias.
// Read once; the threads of a loop may ask at the same time (an atomic: they all store the same value).
static int copy_a_policy(void) {
    static atomic_int policy = -1;
    int p = atomic_load_explicit(&policy, memory_order_relaxed);
    if (p < 0) {
        const char *v = getenv("KERASPORT_GEMM_COPY_A");
        p = v && (v[0] == '0' || v[0] == '2') && v[1] == 0 ? v[0] - '0' : 1;
        atomic_store_explicit(&policy, p, memory_order_relaxed);
    }
    return p;
}

// Copies the pass's segments (so / sl, ns of them) of `rows` rows at `a` one after the other into copied_rows (row
// r at r · COPY_LD) and points `to` at them.
static void copy_rows(const float *const *a, const long *so, const long *sl, long ns, int rows, const float **to) {
    for (int r = 0; r < rows; r++) {
        float *dst = copied_rows + r * COPY_LD;
        for (long s = 0; s < ns; s++) {
            memcpy(dst, a[r] + so[s], (size_t)sl[s] * sizeof(float));
            dst += sl[s];
        }
        to[r] = copied_rows + r * COPY_LD;
    }
}

// The descriptor's output pass over rows [r0, r1), columns [c0, c1) of C, after they are computed (kp_epilogue_rows:
// one call where the rows are whole and contiguous, else one per row).
static void pass_rows(const kp_gemm_desc *d, long r0, long r1, long c0, long c1) {
    if (r1 <= r0 || c1 <= c0) return;
    const int program = d->epilogue - 1;
    void (*const rows)(int, float *, const float *, long, long, const float *, const float *, const float *,
                       const float *, long) = d->wide ? kp_epilogue_rows_avx512 : kp_epilogue_rows;
    const float *b = d->bias ? d->bias + c0 : 0, *sc = d->sc ? d->sc + c0 : 0, *sh = d->sh ? d->sh + c0 : 0;
    if (c0 == 0 && c1 == d->n && d->ldc == d->n) {
        float *p = d->c + r0 * d->ldc;
        rows(program, p, p, r1 - r0, d->n, b, sc, sh, d->res, r0 * d->ldc);
        return;
    }
    for (long r = r0; r < r1; r++) {
        float *p = d->c + r * d->ldc + c0;
        rows(program, p, p, 1, c1 - c0, b, sc, sh, d->res, r * d->ldc + c0);
    }
}

// Whether the `rows` rows (12 or 13) of the wide tile at row t alias in L1 (kp_gemm_rows_alias at the pass's offset
// `off`). Where a 12-row tile's rows are evenly spaced (`linear` rows, or a tile within one output row) their spacing
// settles it without looking at each row: `alias12` (≥ 0) is the answer for linear rows whole cache lines apart, and
// with `near_rows` rows that close cannot alias (see kp_gemm).
static inline int tile_rows_alias(const kp_gemm_desc *d, const float *const *a, long off, int rows, long t,
                                  int linear, int alias12, int near_rows) {
    if (rows == 12 && alias12 >= 0) return alias12;
    if (rows == 12 && near_rows && (linear || t % d->out_w + 12 <= d->out_w)) return 0;
    return kp_gemm_rows_alias(a, off, rows);
}

void kp_gemm(const kp_gemm_desc *d, long p0, long p1, long j0, long j1) {
    // The output pass in the wide tiles' registers where it has that form there; else after the rows.
    const int form = d->epilogue > 0 && d->wide ? kp_gemm_pass(d->epilogue - 1) : 0;
    long k = 0;
    for (long s = 0; s < d->nseg; s++) k += d->seg_len[s];
    // One pass for k ≤ KC_PASS_ONE, unless the rows alias in L1 (the tiles then read a copy of each pass, which
    // stays within L1 at KC floats per row: DenseNet121's 1 × 1 convolutions over a prefix of their block's
    // 1,024-channel concatenation, rows 4 KiB apart, took 1.01× the time with copies of up to 768 floats per row).
    const float *first[12];
    const int rows_alias = p1 - p0 >= 12 && d->nseg > 0;
    if (rows_alias)
        for (int r = 0; r < 12; r++) first[r] = row_base(d, p0 + r);
    const int first_alias = rows_alias && kp_gemm_rows_alias(first, d->seg_off[0], 12);
    const long pass_cap = k <= KC_PASS_ONE && !first_alias ? KC_PASS_ONE : KC_PASS;
    // Rows evenly spaced (a 1 × 1 convolution's pixels, a Dense layer's rows): row p at a + p · col_stride. Where
    // that spacing is whole cache lines, every 12 rows fall on the L1 sets of the first 12 rotated (any pass's offset
    // moves them all alike), so whether a 12-row tile's rows alias is known from the first 12 rows; at K = 16–32
    // (MobileNetV2's expands and first project) the per-row base arithmetic and the per-tile check took a tenth of
    // the product's time.
    const int linear = (d->out_h == 1 || d->row_stride == d->out_w * d->col_stride) &&
                       (p1 <= d->out_h * d->out_w || d->img_stride == d->out_h * d->out_w * d->col_stride);
    const int alias12 = rows_alias && linear && d->col_stride % 16 == 0 ? first_alias : -1;
    // 12 rows evenly spaced by at least 8 bytes and at most (4 KiB − 64) / 11 start within 64 consecutive lines (64
    // different sets) and at most 8 to a line, so they cannot alias: the rows of a convolution's 12-row tile within
    // one output row (MobileNetV2's Conv1, 3 × 3 stride 2 over 3 channels, rows 24 bytes apart: the check was 8 % of
    // the step on one thread).
    const int near_rows = d->col_stride >= 2 && 11 * d->col_stride * (long)sizeof(float) + 64 <= 4096;
    long panels = (d->n + KP_PANEL - 1) / KP_PANEL, cend = d->n < j1 * KP_PANEL ? d->n : j1 * KP_PANEL;
    // A last panel of 8 columns or fewer (n = 24, 40, …) is not computed by the 6 × 16 tile (half its work would be
    // padding) but 12 rows × 8 columns at a time; with `wide`, by the AVX-512 tiles like the others (masked stores),
    // beside the panel before it: one 12 × 32 tile where a 12 × 16 one and a 12 × 8 AVX2 one each loaded every
    // broadcast of A for half the arithmetic (Intel Xeon, kp_gemm alone, n = 24: 0.79–0.83× the time; n = 728:
    // 0.99×) — unless `narrow_apart` (Zen 4, where the 12 × 32 tile took 1.17–1.24× the time of the 8-column split:
    // its padding costs as much as real columns there).
    const int apart = !d->wide || d->narrow_apart;
    long jt = apart && j1 == panels && j1 > j0 && d->n - (j1 - 1) * KP_PANEL <= 8 ? j1 - 1 : j1;
    long vend = 2 * j0 + (cend - j0 * KP_PANEL + 7) / 8;   // vectors of 8 columns end here (numbered from column 0)
    const float *bases[BLOCK_ROWS];
    long ow = p0 % d->out_w, q = p0 / d->out_w, oh = q % d->out_h, img = q / d->out_h;
    for (long b0 = p0; b0 < p1; b0 += BLOCK_ROWS) {
        long b1 = b0 + BLOCK_ROWS < p1 ? b0 + BLOCK_ROWS : p1;
        if (linear) {
            for (long p = b0; p < b1; p++) bases[p - b0] = d->a + p * d->col_stride;
        } else {
            // Stepped along the output row, no multiplications per row (at K = 27, MobileNetV2's and Xception's
            // 3 × 3 stems over 3 channels, the three per row took a seventh of the product's time on one thread).
            const float *line = d->a + img * d->img_stride + oh * d->row_stride, *at = line + ow * d->col_stride;
            for (long p = b0; p < b1; p++) {
                bases[p - b0] = at;
                at += d->col_stride;
                if (++ow == d->out_w) {
                    ow = 0;
                    if (++oh == d->out_h) {
                        oh = 0;
                        img++;
                        line = d->a + img * d->img_stride;
                    } else {
                        line += d->row_stride;
                    }
                    at = line;
                }
            }
        }
        // Rows of whole tiles end here: 6-row tiles, or with `wide` 12-row ones (the rows after them, up to 11, go
        // to the AVX-512 edge kernels, all panels of a group, the last ≤ 8-column one included).
        const long trows = d->wide ? 2 * TILE_ROWS : TILE_ROWS;
        long whole = b0 + (b1 - b0) / trows * trows;
        long ntiles = (whole - b0) / TILE_ROWS;
        // With `wide`, one row after the last 12-row tile (m = 12q + 1: 19 × 19, 37 × 37 and 7 × 7 images, and a
        // 25-row share of a 49-pixel product) goes with that tile as a 13-row one: alone, as a 1-row edge, it loaded
        // every vector of B for one FMA (Xception's 181 × 728 × 728 share: 1,136 µs against 1,096 µs for 180 rows).
        long t13 = d->wide && b1 - whole == 1 && whole - b0 >= trows ? whole - trows : -1;
        long s0 = 0, kstart = 0;
        while (s0 < d->nseg) {
            long klen, s1 = pass_end(d, s0, pass_cap, &klen);
            const long *so = d->seg_off + s0, *sl = d->seg_len + s0, ns = s1 - s0;
            int acc = s0 > 0;
            // The pass that comes next: this block's next one, else the next block's first (steps [next, +nlen)),
            // unless that is this one (a single pass).
            long next = -1, nlen = 0;
            if (s1 < d->nseg) {
                next = kstart + klen;
                pass_end(d, s1, pass_cap, &nlen);
            } else if (b1 < p1 && s0 > 0) {
                next = 0;
                pass_end(d, 0, pass_cap, &nlen);
            }
            long G = group_panels(klen);
            for (long g0 = j0; g0 < j1; g0 += G) {
                long g1 = g0 + G < j1 ? g0 + G : j1, gt = g1 < jt ? g1 : jt;
                if (gt < g1) {
                    // The last panel, of 8 columns or fewer.
                    const float *bv[1] = {d->packed_b + jt * k * KP_PANEL + kstart * KP_PANEL};
                    long cols = d->n - jt * KP_PANEL;
                    long t = b0;
                    for (; t + 12 <= whole; t += 12)
                        edge_12_1(bases + (t - b0), so, sl, ns, bv, d->c + t * d->ldc + jt * KP_PANEL, d->ldc, cols,
                                  acc);
                    if (t < whole)
                        edge_6_1(bases + (t - b0), so, sl, ns, bv, d->c + t * d->ldc + jt * KP_PANEL, d->ldc, cols, acc);
                    // With `wide` (`narrow_apart`): the row the 13-row tile takes beside the others, and the pass the
                    // wide tiles run in registers, here over the panel's rows (the rows after `whole` otherwise go
                    // to kp_edge16 below, all panels and their pass).
                    long end = whole;
                    if (t13 >= 0) {
                        edges[1][1](bases + (whole - b0), so, sl, ns, bv, d->c + whole * d->ldc + jt * KP_PANEL,
                                    d->ldc, cols, acc);
                        end = whole + 1;
                    }
                    if (form && s1 == d->nseg) pass_rows(d, b0, end, jt * KP_PANEL, cend);
                }
                if (t13 >= 0) {
                    // The row after the last 12-row tile goes with it (below).
                } else if (whole < b1 && d->wide) {
                    int R = (int)(b1 - whole);
                    long step = kp_edge16_panels(R);
                    for (long u0 = g0; u0 < g1; u0 += step) {
                        long V = g1 - u0 < step ? g1 - u0 : step;
                        const float *bv[8];
                        for (long v = 0; v < V; v++) bv[v] = d->packed_b + (u0 + v) * k * KP_PANEL + kstart * KP_PANEL;
                        long lastcol = (u0 + V - 1) * KP_PANEL;
                        int cols = (int)(cend - lastcol < KP_PANEL ? cend - lastcol : KP_PANEL);
                        kp_edge16(R, V, bases + (whole - b0), so, sl, ns, bv, d->c + whole * d->ldc + u0 * KP_PANEL,
                                  d->ldc, cols, acc);
                        // The edge kernels have no pass of their own: it runs over their rows (in L1) at once.
                        if (form && s1 == d->nseg) pass_rows(d, whole, b1, u0 * KP_PANEL, lastcol + cols);
                    }
                } else if (whole < b1) {
                    // The last rows (fewer than 6): the group's columns, up to EDGE_VECTORS(R) vectors at a time.
                    int R = (int)(b1 - whole);
                    long u1 = 2 * g1 < vend ? 2 * g1 : vend, step = EDGE_VECTORS(R);
                    for (long u0 = 2 * g0; u0 < u1; u0 += step) {
                        long V = u1 - u0 < step ? u1 - u0 : step;
                        const float *bv[8];
                        for (long v = 0; v < V; v++) {
                            long u = u0 + v;   // the vector's number from column 0
                            bv[v] = d->packed_b + (u / 2) * k * KP_PANEL + kstart * KP_PANEL + (u % 2) * 8;
                        }
                        long col0 = u0 * 8;
                        edges[R][V](bases + (whole - b0), so, sl, ns, bv, d->c + whole * d->ldc + col0, d->ldc,
                                    cend - col0, acc);
                    }
                }
                // B that comes next (the slice's next group, else the next slice's first group) is asked for into
                // L2 while this group's tiles run, a share of its steps per tile: at batch 1 each weight is read from
                // memory once per prediction, and only the first tile of a group would otherwise wait for it. Only
                // with enough tiles to spread it over (not Winograd's 16-row products at batch 1).
                long pk = -1, plen = 0, pg0 = 0, pg1 = 0;
                if (g1 < j1) {
                    pk = kstart; plen = klen; pg0 = g1; pg1 = g1 + G < j1 ? g1 + G : j1;
                } else if (next >= 0) {
                    long nG = group_panels(nlen);
                    pk = next; plen = nlen; pg0 = j0; pg1 = j0 + nG < j1 ? j0 + nG : j1;
                }
                if (ntiles < 4) plen = 0;
                long t = b0;
                if (d->wide) {
                    // 12 rows × 2 panels at a time (AVX-512), then 12 rows × the group's last odd panel; 13 rows at
                    // t13. (`whole` is then a multiple of 12 rows from b0: the 6 × 16 loop below has nothing left; the
                    // rest went to kp_edge16 above, or to the 13-row tile.)
                    for (; t + 2 * TILE_ROWS <= whole; t += 2 * TILE_ROWS) {
                        const float *const *a = bases + (t - b0);
                        long ti = (t - b0) / TILE_ROWS, e0 = plen * ti / ntiles, e1 = plen * (ti + 2) / ntiles;
                        // Rows that alias in L1: the tile reads a copy (copy_rows), the same segments one after
                        // the other (so the same chains).
                        const float *copied[13];
                        long copied_off[COPY_SEGS];
                        const long *tso = so;
                        const int rows_here = t == t13 ? 13 : 12, policy = copy_a_policy();
                        if (policy && klen <= COPY_MAX && ns <= COPY_SEGS &&
                            (policy == 2 || tile_rows_alias(d, a, so[0], rows_here, t, linear, alias12, near_rows))) {
                            copy_rows(a, so, sl, ns, rows_here, copied);
                            for (long s = 0, o = 0; s < ns; o += sl[s], s++) copied_off[s] = o;
                            a = copied;
                            tso = copied_off;
                        }
                        for (long j = g0; j < gt; j += 2) {
                            int two = j + 1 < gt;
                            const float *bp[2], *pf[2];
                            long steps[2];
                            for (int q = 0; q < 1 + two; q++) {
                                bp[q] = d->packed_b + (j + q) * k * KP_PANEL + kstart * KP_PANEL;
                                long pj = pg0 + (j + q - g0);
                                pf[q] = d->packed_b + pj * k * KP_PANEL + (pk < 0 ? 0 : pk + e0) * KP_PANEL;
                                steps[q] = pj < pg1 ? e1 - e0 : 0;
                            }
                            long jl = j + two;   // the last panel of this tile
                            int cols = (int)(d->n - jl * KP_PANEL < KP_PANEL ? d->n - jl * KP_PANEL : KP_PANEL);
                            float *cc = d->c + t * d->ldc + j * KP_PANEL;
                            // The output pass in the last K slice.
                            kp_tile_pass ep = {0, 0, 0, 0, 0, 0};
                            if (form && s1 == d->nseg) {
                                long c0 = j * KP_PANEL;
                                ep = (kp_tile_pass){form, d->bias ? d->bias + c0 : 0, d->sc ? d->sc + c0 : 0,
                                                    d->sh ? d->sh + c0 : 0, d->res ? d->res + t * d->ldc + c0 : 0,
                                                    d->ldc};
                            }
                            const kp_tile_pass *epp = ep.form ? &ep : 0;
                            // In the first K slice, the next tile's rows of C at these columns are asked for
                            // (for writing, spread over this tile's steps of k) while this tile runs: an output buffer
                            // last written long ago is no longer in cache, and each tile's stores would otherwise wait
                            // for their lines from memory. Not for slices under PREFETCH_MIN_K steps (MobileNetV2's
                            // 1×1 expands, K = 16–32, into band buffers already in cache): there the 24 prefetches
                            // cost a tenth of a tile.
                            const float *pw = !acc && klen >= PREFETCH_MIN_K && t + 4 * TILE_ROWS <= b1
                                ? cc + 2 * TILE_ROWS * d->ldc : 0;
                            if (t == t13) {
                                if (two) kp_tile_13x32(a, tso, sl, ns, bp, cc, d->ldc, cols, acc, pf, steps, pw, epp);
                                else kp_tile_13x16(a, tso, sl, ns, bp, cc, d->ldc, cols, acc, pf, steps, pw, epp);
                            } else if (two) {
                                kp_tile_12x32(a, tso, sl, ns, bp, cc, d->ldc, cols, acc, pf, steps, pw, epp);
                            } else {
                                kp_tile_12x16(a, tso, sl, ns, bp, cc, d->ldc, cols, acc, pf, steps, pw, epp);
                            }
                        }
                    }
                }
                for (; t < whole; t += TILE_ROWS) {
                    const float *const *a = bases + (t - b0);
                    long ti = (t - b0) / TILE_ROWS, e0 = plen * ti / ntiles, e1 = plen * (ti + 1) / ntiles;
                    for (long j = g0; j < gt; j++) {
                        const float *bp = d->packed_b + j * k * KP_PANEL + kstart * KP_PANEL;
                        long pj = pg0 + (j - g0);
                        const float *pf = d->packed_b + pj * k * KP_PANEL + (pk < 0 ? 0 : pk + e0) * KP_PANEL;
                        int cols = (int)(d->n - j * KP_PANEL < KP_PANEL ? d->n - j * KP_PANEL : KP_PANEL);
                        tile(a, so, sl, ns, bp, d->c + t * d->ldc + j * KP_PANEL, d->ldc, cols, acc, pf,
                             pj < pg1 ? e1 - e0 : 0);
                    }
                }
            }
            kstart += klen;
            s0 = s1;
        }
    }
    if (d->epilogue > 0 && !form) pass_rows(d, p0, p1, j0 * KP_PANEL, cend);
}

// One row times panels [j0, j1) of a packed B: memory-bound (each weight is used once), so four independent pairs
// of accumulators keep loads in flight instead of waiting on one FMA chain.
__attribute__((target("avx2,fma")))
void kp_gemv(const float *x, const float *packed_b, long k, long n, float *y, long j0, long j1) {
    for (long p = j0; p < j1; p++) {
        const float *bp = packed_b + p * k * KP_PANEL;
        __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), b0 = _mm256_setzero_ps(), b1 = _mm256_setzero_ps();
        __m256 c0 = _mm256_setzero_ps(), c1 = _mm256_setzero_ps(), d0 = _mm256_setzero_ps(), d1 = _mm256_setzero_ps();
        long e = 0;
        for (; e + 4 <= k; e += 4, bp += 4 * KP_PANEL) {
            __m256 x0 = _mm256_broadcast_ss(x + e), x1 = _mm256_broadcast_ss(x + e + 1);
            __m256 x2 = _mm256_broadcast_ss(x + e + 2), x3 = _mm256_broadcast_ss(x + e + 3);
            a0 = _mm256_fmadd_ps(x0, _mm256_loadu_ps(bp), a0);      a1 = _mm256_fmadd_ps(x0, _mm256_loadu_ps(bp + 8), a1);
            b0 = _mm256_fmadd_ps(x1, _mm256_loadu_ps(bp + 16), b0); b1 = _mm256_fmadd_ps(x1, _mm256_loadu_ps(bp + 24), b1);
            c0 = _mm256_fmadd_ps(x2, _mm256_loadu_ps(bp + 32), c0); c1 = _mm256_fmadd_ps(x2, _mm256_loadu_ps(bp + 40), c1);
            d0 = _mm256_fmadd_ps(x3, _mm256_loadu_ps(bp + 48), d0); d1 = _mm256_fmadd_ps(x3, _mm256_loadu_ps(bp + 56), d1);
        }
        for (; e < k; e++, bp += KP_PANEL) {
            __m256 x0 = _mm256_broadcast_ss(x + e);
            a0 = _mm256_fmadd_ps(x0, _mm256_loadu_ps(bp), a0);
            a1 = _mm256_fmadd_ps(x0, _mm256_loadu_ps(bp + 8), a1);
        }
        __m256 s0 = _mm256_add_ps(_mm256_add_ps(a0, b0), _mm256_add_ps(c0, d0));
        __m256 s1 = _mm256_add_ps(_mm256_add_ps(a1, b1), _mm256_add_ps(c1, d1));
        long j = p * KP_PANEL, cols = n - j < KP_PANEL ? n - j : KP_PANEL;
        if (cols == KP_PANEL) {
            _mm256_storeu_ps(y + j, s0);
            _mm256_storeu_ps(y + j + 8, s1);
        } else {
            float t[KP_PANEL];
            _mm256_storeu_ps(t, s0);
            _mm256_storeu_ps(t + 8, s1);
            memcpy(y + j, t, (size_t)cols * sizeof(float));
        }
    }
}

__attribute__((target("avx2,fma")))
static inline float hsum(__m256 v) {
    __m128 x = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    x = _mm_add_ps(x, _mm_movehl_ps(x, x));
    x = _mm_add_ss(x, _mm_movehdup_ps(x));
    return _mm_cvtss_f32(x);
}

// 4 rows × up to 3 columns of dot products. a: row bases (invalid rows repeat a valid one); w: the columns' rows of
// the transposed B (k floats each; invalid columns repeat a valid one).
__attribute__((target("avx2,fma")))
static void dot_tile(const float *const *a, const float *const *w, const long *seg_off, const long *seg_len,
                     long nseg, float out[4][3]) {
    __m256 s00 = _mm256_setzero_ps(), s01 = _mm256_setzero_ps(), s02 = _mm256_setzero_ps();
    __m256 s10 = _mm256_setzero_ps(), s11 = _mm256_setzero_ps(), s12 = _mm256_setzero_ps();
    __m256 s20 = _mm256_setzero_ps(), s21 = _mm256_setzero_ps(), s22 = _mm256_setzero_ps();
    __m256 s30 = _mm256_setzero_ps(), s31 = _mm256_setzero_ps(), s32 = _mm256_setzero_ps();
    float r[4][3] = {{0}};
    long kpos = 0;
    for (long s = 0; s < nseg; s++) {
        long off = seg_off[s], len = seg_len[s], e = 0;
        const float *a0 = a[0] + off, *a1 = a[1] + off, *a2 = a[2] + off, *a3 = a[3] + off;
        const float *w0 = w[0] + kpos, *w1 = w[1] + kpos, *w2 = w[2] + kpos;
        for (; e + 8 <= len; e += 8) {
            __m256 b0 = _mm256_loadu_ps(w0 + e), b1 = _mm256_loadu_ps(w1 + e), b2 = _mm256_loadu_ps(w2 + e);
            __m256 x;
            x = _mm256_loadu_ps(a0 + e);
            s00 = _mm256_fmadd_ps(x, b0, s00); s01 = _mm256_fmadd_ps(x, b1, s01); s02 = _mm256_fmadd_ps(x, b2, s02);
            x = _mm256_loadu_ps(a1 + e);
            s10 = _mm256_fmadd_ps(x, b0, s10); s11 = _mm256_fmadd_ps(x, b1, s11); s12 = _mm256_fmadd_ps(x, b2, s12);
            x = _mm256_loadu_ps(a2 + e);
            s20 = _mm256_fmadd_ps(x, b0, s20); s21 = _mm256_fmadd_ps(x, b1, s21); s22 = _mm256_fmadd_ps(x, b2, s22);
            x = _mm256_loadu_ps(a3 + e);
            s30 = _mm256_fmadd_ps(x, b0, s30); s31 = _mm256_fmadd_ps(x, b1, s31); s32 = _mm256_fmadd_ps(x, b2, s32);
        }
        for (; e < len; e++) {
            const float *rows[4] = {a0, a1, a2, a3};
            for (int i = 0; i < 4; i++) {
                r[i][0] += rows[i][e] * w0[e];
                r[i][1] += rows[i][e] * w1[e];
                r[i][2] += rows[i][e] * w2[e];
            }
        }
        kpos += len;
    }
    out[0][0] = hsum(s00) + r[0][0]; out[0][1] = hsum(s01) + r[0][1]; out[0][2] = hsum(s02) + r[0][2];
    out[1][0] = hsum(s10) + r[1][0]; out[1][1] = hsum(s11) + r[1][1]; out[1][2] = hsum(s12) + r[1][2];
    out[2][0] = hsum(s20) + r[2][0]; out[2][1] = hsum(s21) + r[2][1]; out[2][2] = hsum(s22) + r[2][2];
    out[3][0] = hsum(s30) + r[3][0]; out[3][1] = hsum(s31) + r[3][1]; out[3][2] = hsum(s32) + r[3][2];
}

void kp_gemm_narrow(const kp_gemm_desc *d, long p0, long p1) {
    long k = 0;
    for (long s = 0; s < d->nseg; s++) k += d->seg_len[s];
    for (long t = p0; t < p1; t += 4) {
        int rows = (int)(p1 - t < 4 ? p1 - t : 4);
        const float *a[4];
        for (int r = 0; r < 4; r++) a[r] = row_base(d, t + (r < rows ? r : rows - 1));
        for (long j = 0; j < d->n; j += 3) {
            int cols = (int)(d->n - j < 3 ? d->n - j : 3);
            const float *w[3];
            for (int c = 0; c < 3; c++) w[c] = d->packed_b + (j + (c < cols ? c : cols - 1)) * k;
            float out[4][3];
            dot_tile(a, w, d->seg_off, d->seg_len, d->nseg, out);
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++) d->c[(t + r) * d->ldc + j + c] = out[r][c];
        }
    }
    if (d->epilogue > 0) pass_rows(d, p0, p1, 0, d->n);
}

#else

void kp_gemv(const float *x, const float *packed_b, long k, long n, float *y, long j0, long j1) {
    (void)x; (void)packed_b; (void)k; (void)n; (void)y; (void)j0; (void)j1;
}

void kp_gemm_narrow(const kp_gemm_desc *d, long p0, long p1) {
    (void)d; (void)p0; (void)p1;
}

void kp_gemm(const kp_gemm_desc *d, long p0, long p1, long j0, long j1) {
    (void)d; (void)p0; (void)p1; (void)j0; (void)j1;
}

#endif
