// Xception's pointwise products through kp_gemm on one thread: min of R reps, GFLOP/s (CPUTIME=1: thread CPU time;
// WIDE=0/1: the AVX2 or AVX-512 tiles, default as the engine chooses).
// usage: gemm [REPS]   build: clang -O2 -mavx2 -I Sources/CKernels/include tools/xcep_bench/gemm.c Sources/CKernels/*.c -lpthread -lm
#define _GNU_SOURCE
#include "CKernels.h"
#include "bench_common.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

// Wall time, or this thread's CPU time when CPUTIME is set.
static double stamp(void) { struct timespec t; clock_gettime(getenv("CPUTIME") ? CLOCK_THREAD_CPUTIME_ID : CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static void pw(const char *name, long m, long k, long n, long j0, long j1, int reps) {
    float *a = buffer(m * k, 1), *b = buffer(k * n, 2), *c = buffer(m * n, 3);
    float *packed = aligned_alloc(64, kp_packed_b_count(k, n) * sizeof(float) + 64);
    kp_pack_b(b, k, n, n, packed);
    long off[64], len[64], ns = 0;
    for (long s = 0; s < k; s += 256) { off[ns] = s; len[ns] = k - s < 256 ? k - s : 256; ns++; }
    kp_gemm_desc d = {a, 1, m, 0, 0, k, off, len, ns, packed, n, c, n, bench_wide(), bench_apart()};
    long panels = (n + 15) / 16;
    if (j1 < 0) j1 = panels;
    long cols = (j1 * 16 < n ? j1 * 16 : n) - j0 * 16;
    double best = 1e30;
    for (int r = 0; r < reps; r++) { double t0 = stamp(); kp_gemm(&d, 0, m, j0, j1); double t = stamp() - t0; if (t < best) best = t; }
    printf("%-34s %8.3f ms %6.1f GFLOP/s\n", name, best * 1e3, 2.0 * m * k * cols / best * 1e-9);
    free(a); free(b); free(c); free(packed);
}
int main(int argc, char **argv) {
    int reps = argc > 1 ? atoi(argv[1]) : 20;
    pw("mid 361x728x728", 361, 728, 728, 0, -1, reps);
    pw("mid 361x728x728 cols 0-23", 361, 728, 728, 0, 23, reps);
    pw("mid 361x728x728 cols 23-46", 361, 728, 728, 23, 46, reps);
    pw("mid rows 180 of 361", 180, 728, 728, 0, -1, reps);
    pw("b4 1369x728x728", 1369, 728, 728, 0, -1, reps);
    pw("b4s1 1369x256x728", 1369, 256, 728, 0, -1, reps);
    pw("b2s1 band 882x64x128", 882, 64, 128, 0, -1, reps * 4);
    pw("b2s2 band 882x128x128", 882, 128, 128, 0, -1, reps * 4);
    pw("b3s1 band 222x128x256", 222, 128, 256, 0, -1, reps * 4);
    pw("b3s2 band 222x256x256", 222, 256, 256, 0, -1, reps * 4);
    pw("b3s2 5476x256x256", 5476, 256, 256, 0, -1, reps);
    pw("b13s2 361x728x1024", 361, 728, 1024, 0, -1, reps);
    pw("b14s1 100x1024x1536", 100, 1024, 1536, 0, -1, reps);
    pw("b14s2 100x1536x2048", 100, 1536, 2048, 0, -1, reps);
    return 0;
}
