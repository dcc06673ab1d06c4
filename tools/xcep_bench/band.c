// One separable layer (depthwise 3×3 s1 same → pointwise cin→cout → BN+ReLU) band by band as
// Ops.separableBands does it, on T threads (kp_parallel_for), its input in L3 (caches flushed, then the input read) and
// the workers awake. Variants alternate run by run, each "LINES[:BANDS_PER_CHUNK[:OUTPUT_MODE]]": lines per band;
// consecutive bands per work item (0: one band each); output mode 0 the product straight into the output, 1 into a
// thread scratch then copied with non-temporal stores, 2 copied with memcpy. Prints wall min / p25 / median and the
// CPU time summed over the threads (less sensitive to other processes).
// usage: band H CIN COUT LINES THREADS REPS VARIANT...   (e.g. band 147 128 128 3 2 30 3 3:6 3:25)
// build: clang -O2 -mavx2 -I Sources/CKernels/include tools/xcep_bench/band.c Sources/CKernels/*.c -lpthread -lm
#define _GNU_SOURCE
#include "CKernels.h"
#include "bench_common.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <immintrin.h>

static double work_cpu; static int contiguous, outmode; static long cpu_ns;
static long H, CI, CO, LPB, BANDS, T;
static float *x, *k, *packed, *out, *sc, *sh, *scr[8];
static int prog, mode;
static double ph[8][3];
static __thread int me = -1; static int next_id;
static long off[64], len[64], ns;
static void band1(long b);
static void band(void *ctx, long i) {
    (void)ctx;
    double c0 = cpu();
    if (contiguous) { long nch = (BANDS + contiguous - 1) / contiguous, b0 = BANDS * i / nch, b1 = BANDS * (i + 1) / nch; for (long b = b0; b < b1; b++) band1(b); }
    else band1(i);
    double c = cpu() - c0; double old = work_cpu; (void)old;
    __atomic_fetch_add((long *)&cpu_ns, (long)(c * 1e9), __ATOMIC_RELAXED);
}
static void band1(long b) {
    long tid = (long)(size_t)0;
    static __thread float *s;
    if (!s) s = aligned_alloc(64, 16 * H * CI * 4 + 64);
    long l0 = H * b / BANDS, l1 = H * (b + 1) / BANDS;
    if (me < 0) me = __atomic_fetch_add(&next_id, 1, __ATOMIC_RELAXED);
    double q0 = now();
    if (mode != 2)
        for (long l = l0; l < l1; l++) kp_depthwise_row(x, H, H, CI, k, 3, 3, l, H, 1, 1, 1, 1, 1, 1, s + (l - l0) * H * CI, 0, NULL, NULL);
    long m = (l1 - l0) * H;
    float *final = out + l0 * H * CO, *c = final;
    static __thread float *cs;
    if (outmode) { if (!cs) cs = aligned_alloc(64, 16 * H * CO * 4 + 64); c = cs; }
    double q1 = now(); ph[me][0] += q1 - q0;
    if (mode == 1) return;
    kp_gemm_desc d = {s, 1, m, 0, 0, CI, off, len, ns, packed, CO, c, CO, bench_wide(), bench_apart()};
    long piece = (1 << 15) / CO / 6 * 6; if (piece < 192) piece = 192;
    for (long r = 0; r < m; r += piece) {
        long e = r + piece < m ? r + piece : m;
        double g0 = now();
        kp_gemm(&d, r, e, 0, (CO + 15) / 16);
        double g1 = now();
        if (mode != 3) kp_epilogue_rows(prog, c + r * CO, c + r * CO, e - r, CO, NULL, sc, sh, NULL, 0);
        ph[me][1] += g1 - g0; ph[me][2] += now() - g1;
    }
    if (outmode == 1) {
        for (long i = 0; i < m * CO; i += 8) _mm256_stream_ps(final + i, _mm256_load_ps(c + i));
        _mm_sfence();
    } else if (outmode == 2) memcpy(final, c, m * CO * 4);
    (void)tid;
}
static void spin(void *c, long i) { (void)c; (void)i; double t = now(); while (now() - t < 50e-6) {} }
int main(int argc, char **argv) {
    H = atol(argv[1]); CI = atol(argv[2]); CO = atol(argv[3]); LPB = atol(argv[4]); T = atol(argv[5]);
    int reps = atoi(argv[6]);
    int kinds[] = {KP_EP_SCALE_SHIFT, KP_EP_FLUSH, KP_EP_RELU, KP_EP_FLUSH};
    prog = kp_epilogue_plan(kinds, 4);
    BANDS = (H + LPB - 1) / LPB; BANDS = (BANDS + T - 1) / T * T;
    for (long s = 0; s < CI; s += 256) { off[ns] = s; len[ns] = CI - s < 256 ? CI - s : 256; ns++; }
    x = buffer(H * H * CI, 1); k = buffer(9 * CI, 2); out = buffer(H * H * CO, 3);
    float *b = buffer(CI * CO, 4); packed = aligned_alloc(64, kp_packed_b_count(CI, CO) * 4 + 64); kp_pack_b(b, CI, CO, CO, packed);
    sc = buffer(CO, 5); sh = buffer(CO, 6);
    float *big = buffer(64 << 20 >> 2, 11);
    double flops = 2.0 * H * H * CI * CO;
    int nv = argc - 7; if (nv < 1) { nv = 1; }
    long lpbs[16]; double ts[16][400], cs[16][400]; int cnt = 0;
    int chunk[16], om[16];
    for (int v = 0; v < nv; v++) { lpbs[v] = argc > 7 ? atol(argv[7 + v]) : LPB; const char *c = argc > 7 ? strchr(argv[7 + v], ':') : 0; chunk[v] = c ? atoi(c + 1) : 0;
        const char *c2 = c ? strchr(c + 1, ':') : 0; om[v] = c2 ? atoi(c2 + 1) : 0; }
    mode = 0;
    for (int r = 0; r < reps; r++) {
        for (int v = 0; v < nv; v++) {
            LPB = lpbs[v]; BANDS = (H + LPB - 1) / LPB; BANDS = (BANDS + T - 1) / T * T;
            for (long i = 0; i < (16 << 20); i += 16) big[i] += 1.0f;
            float acc = 0; for (long i = 0; i < H * H * CI; i += 16) acc += x[i];
            if (acc == 1234.5f) printf(" ");
            kp_parallel_for(T, T, spin, NULL);
            contiguous = chunk[v]; outmode = om[v];
            cpu_ns = 0;
            double t0 = now();
            kp_parallel_for(contiguous ? (BANDS + contiguous - 1) / contiguous : BANDS, T, band, NULL);
            ts[v][r] = now() - t0; cs[v][r] = cpu_ns * 1e-9;
        }
        cnt++;
    }
    for (int v = 0; v < nv; v++) {
        double a[400]; memcpy(a, ts[v], sizeof(double) * cnt);
        for (int i = 0; i < cnt; i++) for (int j = i + 1; j < cnt; j++) if (a[j] < a[i]) { double t = a[i]; a[i] = a[j]; a[j] = t; }
        double b[400]; memcpy(b, cs[v], sizeof(double) * cnt);
        for (int i = 0; i < cnt; i++) for (int j = i + 1; j < cnt; j++) if (b[j] < b[i]) { double t = b[i]; b[i] = b[j]; b[j] = t; }
        printf("  cpu (sum over threads) min %.3f med %.3f ms, bands per chunk %d, output mode %d\n", b[0] * 1e3, b[cnt / 2] * 1e3, chunk[v], om[v]);
        printf("%ld^2 %ld->%ld %ld lines/band (%ld bands), %ld thr: min %.3f p25 %.3f med %.3f ms  (%.1f GFLOP/s at min)\n", H, CI, CO, lpbs[v],
               ((H + lpbs[v] - 1) / lpbs[v] + T - 1) / T * T, T, a[0] * 1e3, a[cnt / 4] * 1e3, a[cnt / 2] * 1e3, flops / a[0] * 1e-9);
    }
    (void)ph;
}
