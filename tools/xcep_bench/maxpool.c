// kp_max_pool_row against a C copy of the Swift loop's memory pattern (running maximum read and written in the
// output row once per tap) and against its 16-lane twin kp_max_pool_row_avx512 (where the processor has AVX-512F),
// one thread, thread CPU time, input in L3 (caches flushed, then the input read), as after the layer before.
// usage: maxpool H C REPS
#define _GNU_SOURCE
#include "CKernels.h"
#include "bench_common.h"
#include <float.h>
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
__attribute__((target("avx2"))) static void rmw_row(const float *img, long H, long W, long C, long oh, long OW, float *out) {
    long h0 = oh * 2 - 0, h1 = h0 + 3; if (h1 > H) h1 = H;   // same padding 147→74: pad_top 0
    for (long ow = 0; ow < OW; ow++) {
        long w0 = ow * 2, w1 = w0 + 3; if (w1 > W) w1 = W;
        float *o = out + ow * C;
        for (long c = 0; c < C; c++) o[c] = -FLT_MAX;
        for (long ih = h0; ih < h1; ih++) for (long iw = w0; iw < w1; iw++) {
            const float *x = img + (ih * W + iw) * C;
            long c = 0;
            for (; c + 8 <= C; c += 8) _mm256_storeu_ps(o + c, _mm256_max_ps(_mm256_loadu_ps(x + c), _mm256_loadu_ps(o + c)));
            for (; c < C; c++) if (x[c] > o[c]) o[c] = x[c];
        }
    }
}
int main(int argc, char **argv) {
    long H = atol(argv[1]), C = atol(argv[2]); int reps = atoi(argv[3]);
    long OH = (H + 1) / 2;
    float *x = aligned_alloc(64, H * H * C * 4), *o = aligned_alloc(64, OH * OH * C * 4), *big = aligned_alloc(64, 64 << 20);
    for (long i = 0; i < H * H * C; i++) x[i] = (float)((i * 7919) % 1000) - 500.0f;
    const int variants = kp_avx512_available() ? 3 : 2;
    double best[3] = {1e9, 1e9, 1e9}, tot[3] = {0, 0, 0};
    for (int r = 0; r < reps; r++) for (int v = 0; v < variants; v++) {
        for (long i = 0; i < (16 << 20); i += 16) big[i] += 1.0f;
        float acc = 0; for (long i = 0; i < H * H * C; i += 16) acc += x[i];
        if (acc == 1.5f) printf(" ");
        double t0 = cpu();
        for (long oh = 0; oh < OH; oh++) {
            if (v == 0) rmw_row(x, H, H, C, oh, OH, o + oh * OH * C);
            else if (v == 1) kp_max_pool_row(x, H, H, C, 3, 3, 2, 2, 0, 0, 0, 0, 0, 0, oh, OH, o + oh * OH * C);
            else kp_max_pool_row_avx512(x, H, H, C, 3, 3, 2, 2, 0, 0, 0, 0, 0, 0, oh, OH, o + oh * OH * C);
        }
        double t = cpu() - t0; tot[v] += t; if (t < best[v]) best[v] = t;
    }
    printf("%ldx%ldx%ld 3x3/2: read-modify-write loop min %.3f mean %.3f ms; kp_max_pool_row min %.3f mean %.3f ms", H, H, C,
           best[0] * 1e3, tot[0] / reps * 1e3, best[1] * 1e3, tot[1] / reps * 1e3);
    if (variants == 3) printf("; kp_max_pool_row_avx512 min %.3f mean %.3f ms", best[2] * 1e3, tot[2] / reps * 1e3);
    printf("\n");
}
