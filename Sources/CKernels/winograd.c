// Winograd F(m×m, 3×3) transforms (m = 2 or 4) behind TensorModule's 3×3 stride-1 convolutions; see CKernels.h.
// Vectorised across channels with clang/gcc vector extensions: 8 floats per vector (AVX2 + FMA registers inside the
// target-attributed entry points on x86; plain code elsewhere). Transforms of Lavin & Gray, "Fast Algorithms for
// Convolutional Neural Networks" (2016):
//   F(2,3): Bᵀ = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1], G = [1 0 0; ½ ½ ½; ½ -½ ½; 0 0 1], Aᵀ = [1 1 1 0; 0 1 -1 -1]
//   F(4,3): Bᵀ = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1],
//           G = [¼ 0 0; -⅙ -⅙ -⅙; -⅙ ⅙ -⅙; 1/24 1/12 ⅙; 1/24 -1/12 ⅙; 0 0 1],
//           Aᵀ = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]
// so that Y = Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A for a 3×3 kernel g and an (m+2)×(m+2) input tile d.
#include "CKernels.h"

#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#define KP_TARGET __attribute__((target("avx2,fma")))
#else
#define KP_TARGET
#endif

typedef float v8 __attribute__((vector_size(32)));
typedef float v8u __attribute__((vector_size(32), aligned(4), may_alias));

#define INLINE static inline __attribute__((always_inline)) KP_TARGET
// Full unrolling of the F(2×2) paths' loops over a tile's 16 values, so their arrays become registers.
#if defined(__clang__)
#define UNROLL _Pragma("clang loop unroll(full)")
#else
#define UNROLL _Pragma("GCC unroll 36")
#endif

// `n` (1…8) floats at p into a vector, zeros after them; p == NULL: all zeros.
INLINE v8 load(const float *p, long n) {
    if (!p) return (v8){0, 0, 0, 0, 0, 0, 0, 0};
    if (n == 8) return *(const v8u *)p;
    v8 t = {0, 0, 0, 0, 0, 0, 0, 0};
    memcpy(&t, p, (size_t)n * sizeof(float));
    return t;
}

INLINE void store(float *p, v8 v, long n) {
    if (n == 8) {
        *(v8u *)p = v;
    } else {
        memcpy(p, &v, (size_t)n * sizeof(float));
    }
}

// d (6 vectors, stride s) → Bᵀ d for F(4,3).
INLINE void bt4(const v8 *d, long s, v8 *r, long rs) {
    v8 d0 = d[0], d1 = d[s], d2 = d[2 * s], d3 = d[3 * s], d4 = d[4 * s], d5 = d[5 * s];
    r[0] = 4.0f * d0 - 5.0f * d2 + d4;
    r[rs] = (d3 + d4) - 4.0f * (d1 + d2);
    r[2 * rs] = (d4 - d3) + 4.0f * (d1 - d2);
    r[3 * rs] = (d4 - d2) + 2.0f * (d3 - d1);
    r[4 * rs] = (d4 - d2) - 2.0f * (d3 - d1);
    r[5 * rs] = 4.0f * d1 - 5.0f * d3 + d5;
}

INLINE void bt2(const v8 *d, long s, v8 *r, long rs) {
    v8 d0 = d[0], d1 = d[s], d2 = d[2 * s], d3 = d[3 * s];
    r[0] = d0 - d2;
    r[rs] = d1 + d2;
    r[2 * rs] = d2 - d1;
    r[3 * rs] = d1 - d3;
}

// m (6 vectors, stride s) → Aᵀ m for F(4,3) (4 vectors).
INLINE void at4(const v8 *m, long s, v8 *o, long os) {
    v8 m0 = m[0], m1 = m[s], m2 = m[2 * s], m3 = m[3 * s], m4 = m[4 * s], m5 = m[5 * s];
    v8 a = m1 + m2, b = m1 - m2, c = m3 + m4, e = m3 - m4;
    o[0] = m0 + a + c;
    o[os] = b + 2.0f * e;
    o[2 * os] = a + 4.0f * c;
    o[3 * os] = b + 8.0f * e + m5;
}

INLINE void at2(const v8 *m, long s, v8 *o, long os) {
    v8 m0 = m[0], m1 = m[s], m2 = m[2 * s], m3 = m[3 * s];
    o[0] = m0 + m1 + m2;
    o[os] = m1 - m2 - m3;
}

INLINE void input_tiles(const float *x, long in_h, long in_w, long c, long pad_top, long pad_left, long m,
                        long tiles_h, long tiles_w, long t0, long t1, float *v) {
    const long alpha = m + 2, per_image = tiles_h * tiles_w, tile_stride = alpha * alpha * c;
    for (long t = t0; t < t1; t++) {
        long img = t / per_image, q = t % per_image, th = q / tiles_w, tw = q % tiles_w;
        long h0 = th * m - pad_top, w0 = tw * m - pad_left;
        const float *src[36];
        for (long i = 0; i < alpha; i++) {
            long h = h0 + i;
            for (long j = 0; j < alpha; j++) {
                long w = w0 + j;
                src[i * alpha + j] = (h < 0 || h >= in_h || w < 0 || w >= in_w)
                                         ? NULL : x + ((img * in_h + h) * in_w + w) * c;
            }
        }
        float *dst = v + (t - t0) * tile_stride;
        long cb = 0;
        if (m == 2) {
            // F(2×2): whole 8-channel blocks with the tile's 16 values in registers (the loops below unrolled, no
            // run-time-indexed arrays, no partial loads); the same operations as the general loop after it.
            for (; cb + 8 <= c; cb += 8) {
                v8 d[16], r[16], u[16];
                const v8 zero = {0, 0, 0, 0, 0, 0, 0, 0};
                UNROLL
                for (int e = 0; e < 16; e++) d[e] = src[e] ? *(const v8u *)(src[e] + cb) : zero;
                UNROLL
                for (int j = 0; j < 4; j++) bt2(d + j, 4, r + j, 4);
                UNROLL
                for (int i = 0; i < 4; i++) bt2(r + 4 * i, 1, u + 4 * i, 1);
                UNROLL
                for (int e = 0; e < 16; e++) *(v8u *)(dst + e * c + cb) = u[e];
            }
        }
        for (; cb < c; cb += 8) {
            long n = c - cb < 8 ? c - cb : 8;
            v8 d[36], r[36], u[36];
            for (long e = 0; e < alpha * alpha; e++) d[e] = load(src[e] ? src[e] + cb : NULL, n);
            if (m == 4) {
                for (long j = 0; j < 6; j++) bt4(d + j, 6, r + j, 6);        // columns: r = Bᵀ d
                for (long i = 0; i < 6; i++) bt4(r + 6 * i, 1, u + 6 * i, 1); // rows: u = r B
            } else {
                for (long j = 0; j < 4; j++) bt2(d + j, 4, r + j, 4);
                for (long i = 0; i < 4; i++) bt2(r + 4 * i, 1, u + 4 * i, 1);
            }
            for (long e = 0; e < alpha * alpha; e++) store(dst + e * c + cb, u[e], n);
        }
    }
}

KP_TARGET
void kp_winograd_input(const float *x, long in_h, long in_w, long c, long pad_top, long pad_left, long m,
                       long tiles_h, long tiles_w, long t0, long t1, float *v) {
    input_tiles(x, in_h, in_w, c, pad_top, pad_left, m, tiles_h, tiles_w, t0, t1, v);
}

INLINE void output_tiles(const float *mm, long cout, long m, long out_h, long out_w, long tiles_h, long tiles_w,
                         long t0, long t1, float *y) {
    const long alpha = m + 2, per_image = tiles_h * tiles_w, tile_stride = alpha * alpha * cout;
    for (long t = t0; t < t1; t++) {
        long img = t / per_image, q = t % per_image, th = q / tiles_w, tw = q % tiles_w;
        long rows = out_h - th * m < m ? out_h - th * m : m, cols = out_w - tw * m < m ? out_w - tw * m : m;
        const float *src = mm + (t - t0) * tile_stride;
        float *base = y + ((img * out_h + th * m) * out_w + tw * m) * cout;
        long cb = 0;
        if (m == 2 && rows == 2 && cols == 2) {
            // F(2×2), a whole 2×2 output tile: whole 8-channel blocks in registers, as in input_tiles.
            for (; cb + 8 <= cout; cb += 8) {
                v8 d[16], r[8], o[4];
                UNROLL
                for (int e = 0; e < 16; e++) d[e] = *(const v8u *)(src + e * cout + cb);
                UNROLL
                for (int j = 0; j < 4; j++) at2(d + j, 4, r + j, 4);
                UNROLL
                for (int i = 0; i < 2; i++) at2(r + 4 * i, 1, o + 2 * i, 1);
                *(v8u *)(base + cb) = o[0];
                *(v8u *)(base + cout + cb) = o[1];
                *(v8u *)(base + out_w * cout + cb) = o[2];
                *(v8u *)(base + (out_w + 1) * cout + cb) = o[3];
            }
        }
        for (; cb < cout; cb += 8) {
            long n = cout - cb < 8 ? cout - cb : 8;
            v8 d[36], r[24], o[16];
            for (long e = 0; e < alpha * alpha; e++) d[e] = load(src + e * cout + cb, n);
            if (m == 4) {
                for (long j = 0; j < 6; j++) at4(d + j, 6, r + j, 6);        // columns: r = Aᵀ d (4 × 6)
                for (long i = 0; i < 4; i++) at4(r + 6 * i, 1, o + 4 * i, 1); // rows: o = r A (4 × 4)
            } else {
                for (long j = 0; j < 4; j++) at2(d + j, 4, r + j, 4);
                for (long i = 0; i < 2; i++) at2(r + 4 * i, 1, o + 2 * i, 1);
            }
            for (long i = 0; i < rows; i++)
                for (long j = 0; j < cols; j++) store(base + (i * out_w + j) * cout + cb, o[i * m + j], n);
        }
    }
}

KP_TARGET
void kp_winograd_output(const float *mm, long cout, long m, long out_h, long out_w, long tiles_h, long tiles_w,
                        long t0, long t1, float *y) {
    output_tiles(mm, cout, m, out_h, out_w, tiles_h, tiles_w, t0, t1, y);
}

// The kernel transform G g Gᵀ of every (ci, co) pair in double precision, rounded once to float, written straight
// into the GEMM's panel layout: for each input channel of a panel, 4 output channels at a time in double vectors (each
// lane one pair; the products summed left to right, no fused multiply-adds).
typedef double v4d __attribute__((vector_size(32)));
#pragma STDC FP_CONTRACT OFF
KP_TARGET
void kp_winograd_kernel_packed(const float *w, int w_panels, long cin, long cout, long m, float *packed, long stride,
                               long p0, long p1) {
    static const double g2[4][3] = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
    static const double g4[6][3] = {{1.0 / 4, 0, 0},
                                    {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                                    {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                                    {1.0 / 24, 1.0 / 12, 1.0 / 6},
                                    {1.0 / 24, -1.0 / 12, 1.0 / 6},
                                    {0, 0, 1}};
    const long alpha = m == 4 ? 6 : 4;
    const double *g = m == 4 ? &g4[0][0] : &g2[0][0];
    for (long p = p0; p < p1; p++) {
        const long c0 = p * KP_PANEL, width = cout - c0 < KP_PANEL ? cout - c0 : KP_PANEL;
        for (long ci = 0; ci < cin; ci++) {
            // The panel's row ci in each of the alpha² matrices.
            float *row = packed + p * cin * KP_PANEL + ci * KP_PANEL;
            for (long j = 0; j < KP_PANEL; j += 4) {
                v4d k[3][3];
                for (long a = 0; a < 3; a++)
                    for (long b = 0; b < 3; b++) {
                        const long r = (a * 3 + b) * cin + ci;   // the row of the 9·cin × cout matrix
                        const float *src = w_panels ? w + (p * 9 * cin + r) * KP_PANEL + j : w + r * cout + c0 + j;
                        for (long l = 0; l < 4; l++) k[a][b][l] = j + l < width ? (double)src[l] : 0.0;
                    }
                v4d t[6][3];
                for (long i = 0; i < alpha; i++)
                    for (long b = 0; b < 3; b++)
                        t[i][b] = g[i * 3] * k[0][b] + g[i * 3 + 1] * k[1][b] + g[i * 3 + 2] * k[2][b];
                for (long i = 0; i < alpha; i++)
                    for (long jj = 0; jj < alpha; jj++) {
                        v4d sv = t[i][0] * g[jj * 3] + t[i][1] * g[jj * 3 + 1] + t[i][2] * g[jj * 3 + 2];
                        float *dst = row + (i * alpha + jj) * stride + j;
                        for (long l = 0; l < 4; l++) dst[l] = j + l < width ? (float)sv[l] : 0.0f;
                    }
            }
        }
    }
}
