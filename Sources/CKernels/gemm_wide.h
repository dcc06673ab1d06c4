// The AVX-512 tiles of gemm_avx512.c, called by kp_gemm (gemm_avx2.c) when a descriptor's `wide` is set. Private to
// the target. Rows a[0..12) are row bases; bp[p] the p-th panel's first step of the current K pass; the last
// panel's first `cols` (1…16) columns are stored (added to c when `accumulate`) at the end of each chain of the
// segments (KC); pf / pf_steps: steps of k of the panels that come next to ask for into L2 (pf_steps[p] = 0: none);
// pw: the next tile's rows of C at these columns, asked for with PREFETCHW, with the same lines of ep's residual
// where its pass has one (NULL: none); ep: the output pass (NULL: none), applied at the last store only. Each
// requires kp_avx512_available().
#ifndef KERASPORT_CKERNELS_GEMM_WIDE_H
#define KERASPORT_CKERNELS_GEMM_WIDE_H

/// Steps of k between two prefetched lines of a panel of B in the tiles of both files (the 6 × 16 AVX2 one and these):
/// issued all at once (up to 64 lines from memory), the prefetches filled the core's miss buffers and the tile waited.
#define PF_GAP 4

/// Floats of k per FMA chain: the segments of a product are grouped greedily, in order, into chains of at most KC
/// floats (a longer segment is a chain alone); every output is its chains' sums, each one sequential FMA chain
/// started from zero, added to C one after the other. Longer chains round more: one real-world model (RegNetX320,
/// Keras 2) left the parity bound against Keras with chains of 512–768 (round 28).
#define KC 256

/// Whether a chain ends before a segment of `len` floats, `run` floats into the current one (the greedy rule of
/// KC). The kernels run several chains per call (kp_gemm's K passes) and add each one's sum to C where it ends.
static inline int kp_chain_ends(long run, long len) { return run > 0 && run + len > KC; }

/// An output pass for a wide tile to apply in registers before its stores (the last K slice only): `form` from
/// kp_gemm_pass (0: none); the operands at the tile's first column (bias, sc, sh: NULL where the pass has none) and,
/// for a residual Add, `res` at the tile's first row and column (row stride res_ld).
typedef struct {
    int form;
    const float *bias, *sc, *sh, *res;
    long res_ld;
} kp_tile_pass;

/// 12 rows × 2 panels (32 columns).
void kp_tile_12x32(const float *const *a, const long *seg_off, const long *seg_len, long nseg,
                   const float *const *bp, float *c, long ldc, int cols, int accumulate, const float *const *pf,
                   const long *pf_steps, const float *pw, const kp_tile_pass *ep);
/// 12 rows × 1 panel (16 columns).
void kp_tile_12x16(const float *const *a, const long *seg_off, const long *seg_len, long nseg,
                   const float *const *bp, float *c, long ldc, int cols, int accumulate, const float *const *pf,
                   const long *pf_steps, const float *pw, const kp_tile_pass *ep);
/// 13 rows × 2 panels: the last 12-row tile with the one row after it (m = 12q + 1: a 19 × 19, 37 × 37 or 7 × 7
/// image), where a 1-row edge would stream the group's panels from L2 for one FMA per load.
void kp_tile_13x32(const float *const *a, const long *seg_off, const long *seg_len, long nseg,
                   const float *const *bp, float *c, long ldc, int cols, int accumulate, const float *const *pf,
                   const long *pf_steps, const float *pw, const kp_tile_pass *ep);
/// 13 rows × 1 panel.
void kp_tile_13x16(const float *const *a, const long *seg_off, const long *seg_len, long nseg,
                   const float *const *bp, float *c, long ldc, int cols, int accumulate, const float *const *pf,
                   const long *pf_steps, const float *pw, const kp_tile_pass *ep);
/// The panels kp_edge16 takes at once for `rows` (1…11) rows.
long kp_edge16_panels(int rows);
/// `rows` rows (1…11, after the last 12-row tile) × `panels` panels (≤ kp_edge16_panels(rows)) at bp[0..panels).
void kp_edge16(int rows, long panels, const float *const *a, const long *seg_off, const long *seg_len, long nseg,
               const float *const *bp, float *c, long ldc, int cols, int accumulate);

#endif
