// Xception's middle flow at batch 1 on 2 threads (kp_parallel_for): L layers of depthwise 3×3 (19×19×728) →
// pointwise 728→728 (kp_gemm) → BN+ReLU (kp_epilogue_rows), each layer its own B (cold, as at batch 1).
// Variant 0: three parallel phases as the unfused path (depthwise by lines, GEMM by column halves, epilogue by rows).
// Variant 1: one phase, each thread its rows (tile-aligned halves): depthwise lines covering them into scratch, GEMM,
// epilogue. Variant 2: like 1 but split at lines (9 / 10). Parts of variant 0 alone: 3 depthwise, 4 GEMM (each layer
// its own cold B), 5 epilogue; 6 GEMM with one warm B; 7 one thread's half of the GEMM (warm B) on one thread;
// 8 the GEMM split by rows (180 / 181, all columns each) instead of columns; 9 variant 0 with the GEMM split by rows
// and each thread's epilogue on its rows piece by piece.
// Prints per-layer min (over reps) summed, and min chain time. usage: mid [REPS] [VARIANT DIGITS, e.g. 046]
#define _GNU_SOURCE
#include "CKernels.h"
#include "bench_common.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { H = 19, C = 728, N = 728, L = 24, M = H * H };
static float *packed[L], *dwk[L], *sc, *sh, *act[2], *mid, *scr[2];
static int prog;
static long off[3] = {0, 256, 512}, len[3] = {256, 256, 216};
static int variant, layer;

static void dw_lines(const float *x, const float *k, long l0, long l1, float *out) {
    for (long l = l0; l < l1; l++) kp_depthwise_row(x, H, H, C, k, 3, 3, l, H, 1, 1, 1, 1, 1, 1, out + (l - l0) * H * C, 0, NULL, NULL);
}
static void ep(float *p, long rows) { kp_epilogue_rows(prog, p, p, rows, N, NULL, sc, sh, NULL, 0); }

static void f_dw(void *ctx, long i) { (void)ctx; long l0 = H * i / 8, l1 = H * (i + 1) / 8; dw_lines(act[layer & 1], dwk[layer], l0, l1, mid + l0 * H * C); }
static void f_gemm(void *ctx, long i) {
    (void)ctx; kp_gemm_desc d = {mid, 1, M, 0, 0, C, off, len, 3, packed[layer], N, act[(layer + 1) & 1], N, bench_wide(), bench_apart()};
    kp_gemm(&d, 0, M, 23 * i, 23 * (i + 1));
}
static void f_gemm_rows(void *ctx, long i) {
    (void)ctx; kp_gemm_desc d = {mid, 1, M, 0, 0, C, off, len, 3, packed[layer], N, act[(layer + 1) & 1], N, bench_wide(), bench_apart()};
    kp_gemm(&d, i == 0 ? 0 : 180, i == 0 ? 180 : M, 0, 46);
}
static void f_gemm_rows_ep(void *ctx, long i) {
    (void)ctx; float *out = act[(layer + 1) & 1];
    kp_gemm_desc d = {mid, 1, M, 0, 0, C, off, len, 3, packed[layer], N, out, N, bench_wide(), bench_apart()};
    long r0 = i == 0 ? 0 : 180, r1 = i == 0 ? 180 : M;
    for (long r = r0; r < r1; r += 192) {   // pieces of 192 rows (DirectGEMM.pieceRows(n: 728))
        long e = r + 192 < r1 ? r + 192 : r1;
        kp_gemm(&d, r, e, 0, 46);
        ep(out + r * N, e - r);
    }
}
static void f_ep(void *ctx, long i) { (void)ctx; long r0 = M * i / 8, r1 = M * (i + 1) / 8; ep(act[(layer + 1) & 1] + r0 * N, r1 - r0); }
static void f_band(void *ctx, long i) {
    (void)ctx;
    long r0, r1;
    if (variant == 1) { r0 = i == 0 ? 0 : 180; r1 = i == 0 ? 180 : M; }
    else { r0 = i == 0 ? 0 : 9 * H; r1 = i == 0 ? 9 * H : M; }
    long l0 = r0 / H, l1 = (r1 + H - 1) / H;
    dw_lines(act[layer & 1], dwk[layer], l0, l1, scr[i]);
    float *out = act[(layer + 1) & 1];
    kp_gemm_desc d = {scr[i] + (r0 - l0 * H) * C, 1, r1 - r0, 0, 0, C, off, len, 3, packed[layer], N, out + r0 * N, N, bench_wide(), bench_apart()};
    for (long p = 0; p < r1 - r0; p += 48) {
        long e = p + 48 < r1 - r0 ? p + 48 : r1 - r0;
        kp_gemm(&d, p, e, 0, 46);
        ep(out + (r0 + p) * N, e - p);
    }
}

int main(int argc, char **argv) {
    int reps = argc > 1 ? atoi(argv[1]) : 30;
    int kinds[] = {KP_EP_SCALE_SHIFT, KP_EP_FLUSH, KP_EP_RELU, KP_EP_FLUSH};
    prog = kp_epilogue_plan(kinds, 4);
    if (prog < 0) { int k2[] = {KP_EP_SCALE_SHIFT, KP_EP_FLUSH}; prog = kp_epilogue_plan(k2, 2); }
    for (int l = 0; l < L; l++) {
        float *b = buffer((size_t)C * N, 10 + l);
        packed[l] = aligned_alloc(64, kp_packed_b_count(C, N) * 4 + 64);
        kp_pack_b(b, C, N, N, packed[l]); free(b);
        dwk[l] = buffer(9 * C, 100 + l);
        for (long i = 0; i < 9 * C; i++) dwk[l][i] *= 0.3f;
    }
    sc = buffer(N, 3); sh = buffer(N, 4);
    for (int i = 0; i < N; i++) sc[i] = 0.05f + 0.02f * (sc[i] + 1);
    act[0] = buffer(M * C, 5); act[1] = buffer(M * C, 6); mid = buffer(M * C, 7);
    scr[0] = buffer(11 * H * C, 8); scr[1] = buffer(11 * H * C, 9);
    float *big = buffer(64 << 20 >> 2, 11);  // evicts L3 between chains
    double best[10][L], chain[10];
    for (int v = 0; v < 10; v++) { chain[v] = 1e30; for (int l = 0; l < L; l++) best[v][l] = 1e30; }
    for (int r = 0; r < reps; r++) {
        for (int v = 0; v < 10; v++) {
            if (argc > 2 && !strchr(argv[2], '0' + v)) continue;
            variant = v;
            for (long i = 0; i < (16 << 20); i += 16) big[i] += 1.0f;
            memcpy(act[0], act[1], 4);  // keep values bounded: restart from the same-ish input
            double c0 = now();
            for (layer = 0; layer < L; layer++) {
                double t0 = now();
                if (v == 0) { kp_parallel_for(8, 2, f_dw, NULL); kp_parallel_for(2, 2, f_gemm, NULL); kp_parallel_for(8, 2, f_ep, NULL); }
                else if (v == 3) kp_parallel_for(8, 2, f_dw, NULL);
                else if (v == 4) kp_parallel_for(2, 2, f_gemm, NULL);
                else if (v == 5) kp_parallel_for(8, 2, f_ep, NULL);
                else if (v == 6) { int keep = layer; layer = 0; kp_parallel_for(2, 2, f_gemm, NULL); layer = keep; }
                else if (v == 7) { int keep = layer; layer = 0; f_gemm(NULL, 0); layer = keep; }
                else if (v == 8) kp_parallel_for(2, 2, f_gemm_rows, NULL);
                else if (v == 9) { kp_parallel_for(8, 2, f_dw, NULL); kp_parallel_for(2, 2, f_gemm_rows_ep, NULL); }
                else kp_parallel_for(2, 2, f_band, NULL);
                double t = now() - t0;
                if (t < best[v][layer]) best[v][layer] = t;
            }
            double c = now() - c0;
            if (c < chain[v]) chain[v] = c;
        }
    }
    for (int v = 0; v < 10; v++) {
        if (argc > 2 && !strchr(argv[2], '0' + v)) continue;
        double s = 0; for (int l = 0; l < L; l++) s += best[v][l];
        printf("variant %d: sum of per-layer min %.3f ms (%.3f per layer, %.1f GFLOP/s of GEMM), min chain %.3f ms\n", v, s * 1e3, s * 1e3 / L,
               2.0 * M * C * N * L / s * 1e-9, chain[v] * 1e3);
    }
    return 0;
}
