// AVX-512 variant of kp_gemm (gemm_avx2.c): the same implicit-GEMM descriptor, packed panels and K-blocking, with
// a register tile of R512 rows × 2 panels (32 columns, 2·R512 zmm accumulators of the 32 registers) and masked
// stores for partial panels. Chosen at run time (kp_avx512_available); see CKernels.h.
#include "CKernels.h"

#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#define KP_X86_64 1
#else
#define KP_X86_64 0
#endif

#define R512 12
#define KC512 256
#define BLOCK_ROWS512 (24 * R512)

int kp_avx512_available(void) {
#if KP_X86_64
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return 0;
#endif
}

#if KP_X86_64

#define KP512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq")))

static inline const float *row_base512(const kp_gemm_desc *d, long p) {
    long ow = p % d->out_w, q = p / d->out_w;
    long oh = q % d->out_h, img = q / d->out_h;
    return d->a + img * d->img_stride + oh * d->row_stride + ow * d->col_stride;
}

// R512 rows × (npanels = 1 or 2) panels over segments [0, nseg); bp0/bp1: the panels' data at the slice start
// (bp1 unused when npanels is 1); `cols` valid columns in the last panel; `rows` valid rows.
KP512 static void tile512(const float *const *a, const long *seg_off, const long *seg_len, long nseg,
                          const float *bp0, const float *bp1, int npanels, float *c, long ldc, int rows, int cols,
                          int accumulate) {
    __m512 acc0[R512], acc1[R512];
    _Pragma("clang loop unroll(full)")
    for (int r = 0; r < R512; r++) { acc0[r] = _mm512_setzero_ps(); acc1[r] = _mm512_setzero_ps(); }
    if (npanels == 2) {
        for (long s = 0; s < nseg; s++) {
            long off = seg_off[s], len = seg_len[s];
            const float *ar[R512];
            _Pragma("clang loop unroll(full)")
            for (int r = 0; r < R512; r++) ar[r] = a[r] + off;
            for (long e = 0; e < len; e++) {
                __m512 b0 = _mm512_loadu_ps(bp0), b1 = _mm512_loadu_ps(bp1);
                bp0 += KP_PANEL;
                bp1 += KP_PANEL;
                _Pragma("clang loop unroll(full)")
                for (int r = 0; r < R512; r++) {
                    __m512 x = _mm512_set1_ps(ar[r][e]);
                    acc0[r] = _mm512_fmadd_ps(x, b0, acc0[r]);
                    acc1[r] = _mm512_fmadd_ps(x, b1, acc1[r]);
                }
            }
        }
    } else {
        for (long s = 0; s < nseg; s++) {
            long off = seg_off[s], len = seg_len[s];
            const float *ar[R512];
            _Pragma("clang loop unroll(full)")
            for (int r = 0; r < R512; r++) ar[r] = a[r] + off;
            for (long e = 0; e < len; e++) {
                __m512 b0 = _mm512_loadu_ps(bp0);
                bp0 += KP_PANEL;
                _Pragma("clang loop unroll(full)")
                for (int r = 0; r < R512; r++) acc0[r] = _mm512_fmadd_ps(_mm512_set1_ps(ar[r][e]), b0, acc0[r]);
            }
        }
    }
    // Columns of the first panel and of the second (when there is one) that are valid.
    __mmask16 m0 = npanels == 2 ? (__mmask16)0xFFFF : (__mmask16)((1u << cols) - 1u);
    __mmask16 m1 = npanels == 2 ? (__mmask16)((1u << cols) - 1u) : 0;
    if (cols == KP_PANEL) { if (npanels == 1) m0 = 0xFFFF; else m1 = 0xFFFF; }
    for (int r = 0; r < rows; r++) {
        float *dst = c + r * ldc;
        __m512 v0 = acc0[r], v1 = acc1[r];
        if (accumulate) {
            v0 = _mm512_add_ps(_mm512_maskz_loadu_ps(m0, dst), v0);
            if (m1) v1 = _mm512_add_ps(_mm512_maskz_loadu_ps(m1, dst + KP_PANEL), v1);
        }
        _mm512_mask_storeu_ps(dst, m0, v0);
        if (m1) _mm512_mask_storeu_ps(dst + KP_PANEL, m1, v1);
    }
}

void kp_gemm_avx512(const kp_gemm_desc *d, long p0, long p1, long j0, long j1) {
    long k = 0;
    for (long s = 0; s < d->nseg; s++) k += d->seg_len[s];
    const float *bases[BLOCK_ROWS512];
    for (long b0 = p0; b0 < p1; b0 += BLOCK_ROWS512) {
        long b1 = b0 + BLOCK_ROWS512 < p1 ? b0 + BLOCK_ROWS512 : p1;
        for (long p = b0; p < b1; p++) bases[p - b0] = row_base512(d, p);
        long s0 = 0, kstart = 0;
        while (s0 < d->nseg) {
            long s1 = s0, klen = 0;
            do { klen += d->seg_len[s1]; s1++; } while (s1 < d->nseg && klen + d->seg_len[s1] <= KC512);
            for (long t = b0; t < b1; t += R512) {
                int rows = (int)(b1 - t < R512 ? b1 - t : R512);
                const float *a[R512];
                for (int r = 0; r < R512; r++) a[r] = bases[(t - b0) + (r < rows ? r : rows - 1)];
                for (long j = j0; j < j1; j += 2) {
                    int np = j + 1 < j1 ? 2 : 1;
                    long last = j + np - 1;
                    int cols = (int)(d->n - last * KP_PANEL < KP_PANEL ? d->n - last * KP_PANEL : KP_PANEL);
                    const float *bp0 = d->packed_b + j * k * KP_PANEL + kstart * KP_PANEL;
                    const float *bp1 = np == 2 ? bp0 + k * KP_PANEL : bp0;
                    tile512(a, d->seg_off + s0, d->seg_len + s0, s1 - s0, bp0, bp1, np,
                            d->c + t * d->ldc + j * KP_PANEL, d->ldc, rows, cols, s0 > 0);
                }
            }
            kstart += klen;
            s0 = s1;
        }
    }
}

#else

void kp_gemm_avx512(const kp_gemm_desc *d, long p0, long p1, long j0, long j1) {
    (void)d; (void)p0; (void)p1; (void)j0; (void)j1;
}

#endif
