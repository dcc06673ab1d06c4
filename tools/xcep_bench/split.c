// One m × k × n product (1×1-convolution geometry) on 2 threads (kp_parallel_for), each call with a different,
// cold B (L different packed kernels in turn, more than L3 holds), split two ways, alternating call by call:
// columns (each thread half the panels, all rows: DirectGEMM.multiply's split for m ≤ 1024) or rows (each thread a
// tile-aligned half of the rows, all panels), and rows in 8 chunks taken dynamically (DirectGEMM.multiply's rows
// path). Prints min and median per split. usage: split M K N REPS
#define _GNU_SOURCE
#include "CKernels.h"
#include "bench_common.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { L = 24 };
static long M, K, N, P, off[64], len[64], ns;
static float *a, *c, *packed[L];
static int cur;
static void cols(void *ctx, long i) {
    (void)ctx; kp_gemm_desc d = {a, 1, M, 0, 0, K, off, len, ns, packed[cur], N, c, N, bench_wide(), bench_apart()};
    kp_gemm(&d, 0, M, P * i / 2, P * (i + 1) / 2);
}
static void rows(void *ctx, long i) {
    (void)ctx; kp_gemm_desc d = {a, 1, M, 0, 0, K, off, len, ns, packed[cur], N, c, N, bench_wide(), bench_apart()};
    long tiles = (M + 5) / 6, t0 = tiles * i / 2, t1 = tiles * (i + 1) / 2;
    long r1 = t1 * 6 < M ? t1 * 6 : M;
    kp_gemm(&d, t0 * 6, r1, 0, P);
}
static void rows8(void *ctx, long i) {   // DirectGEMM's rows path: 4 chunks of tiles per core, taken dynamically
    (void)ctx; kp_gemm_desc d = {a, 1, M, 0, 0, K, off, len, ns, packed[cur], N, c, N, bench_wide(), bench_apart()};
    long tiles = (M + 5) / 6, t0 = tiles * i / 8, t1 = tiles * (i + 1) / 8;
    long r1 = t1 * 6 < M ? t1 * 6 : M;
    if (t0 * 6 < r1) kp_gemm(&d, t0 * 6, r1, 0, P);
}
static int cmp(const void *x, const void *y) { double a = *(const double *)x, b = *(const double *)y; return a < b ? -1 : a > b; }
int main(int argc, char **argv) {
    M = atol(argv[1]); K = atol(argv[2]); N = atol(argv[3]); int reps = atoi(argv[4]);
    P = (N + 15) / 16;
    for (long s = 0; s < K; s += 256) { off[ns] = s; len[ns] = K - s < 256 ? K - s : 256; ns++; }
    a = buffer(M * K, 1); c = buffer(M * N, 2);
    float *b = buffer(K * N, 3);
    for (int l = 0; l < L; l++) { packed[l] = aligned_alloc(64, kp_packed_b_count(K, N) * 4 + 64); kp_pack_b(b, K, N, N, packed[l]); }
    double *t[3]; for (int v = 0; v < 3; v++) t[v] = malloc(reps * sizeof(double));
    for (int r = 0; r < reps; r++)
        for (int v = 0; v < 3; v++) {
            cur = (cur + 1) % L;
            double t0 = now();
            if (v == 2) kp_parallel_for(8, 2, rows8, NULL);
            else kp_parallel_for(2, 2, v == 0 ? cols : rows, NULL);
            t[v][r] = now() - t0;
        }
    for (int v = 0; v < 3; v++) qsort(t[v], reps, sizeof(double), cmp);
    double f = 2.0 * M * K * N * 1e-9;
    printf("%5ld x %4ld x %4ld: columns min %.3f med %.3f ms (%.0f GF/s) | rows min %.3f med %.3f ms (%.0f GF/s) | rows/cols med %.3f\n",
           M, K, N, t[0][0] * 1e3, t[0][reps / 2] * 1e3, f / t[0][0], t[1][0] * 1e3, t[1][reps / 2] * 1e3, f / t[1][0],
           t[1][reps / 2] / t[0][reps / 2]);
    printf("      rows in 8 chunks: min %.3f med %.3f ms | rows8/cols med %.3f\n", t[2][0] * 1e3, t[2][reps / 2] * 1e3, t[2][reps / 2] / t[0][reps / 2]);
}
