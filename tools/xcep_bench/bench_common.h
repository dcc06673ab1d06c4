// Helpers shared by the tools/xcep_bench drivers: clocks and a seeded, 64-byte-aligned buffer of values in [-1, 1).
#ifndef XCEP_BENCH_COMMON_H
#define XCEP_BENCH_COMMON_H
#include <stdlib.h>
#include <time.h>

static inline double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static inline double cpu(void) { struct timespec t; clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

/// n floats (64-byte aligned, 64 spare bytes) filled from a linear congruential generator seeded by `seed`.
static inline float *buffer(size_t n, unsigned seed) {
    float *p = aligned_alloc(64, ((n * sizeof(float) + 63) / 64) * 64 + 64);
    unsigned s = seed * 2654435761u + 1;
    for (size_t i = 0; i < n; i++) { s = s * 1664525u + 1013904223u; p[i] = ((float)(s >> 8) / (float)(1 << 24)) * 2.0f - 1.0f; }
    return p;
}
/// The GEMM tiles the engine would choose for kp_gemm_desc's `wide` (the 12 × 32 AVX-512 ones where 512-bit FMAs
/// process at least 0.9× the floats per second of 256-bit ones, as TensorModule decides: Zen 4 included), or WIDE=0 /
/// WIDE=1. Needs CKernels.h first.
/// Measured once per process (the measurement takes about 0.25 ms).
static inline double bench_fma512_speedup(void) {
    static double speedup = -1;
    if (speedup < 0) speedup = kp_fma512_speedup();
    return speedup;
}
static inline int bench_wide(void) {
    static int wide = -1;
    if (wide < 0) {
        const char *w = getenv("WIDE");
        wide = w ? atoi(w) != 0 : bench_fma512_speedup() >= KP_WIDE_TILES_MIN_SPEEDUP;
    }
    return wide;
}
/// kp_gemm_desc's `narrow_apart` as the engine sets it (Ops.narrowPanelsApart): a last panel of 8 columns or fewer on
/// the AVX2 12 × 8 tile where 512-bit FMAs are less than 1.3× as fast per float (Zen 4), beside the panel before it in
/// a 12 × 32 tile otherwise; WIDE=1 counts as fast (as KERASPORT_AVX512=1 does). Until round 29 the drivers left it 0,
/// so on Zen 4 their products with such a panel (n = 24, 40, 728 …) ran the padded tile the engine does not use
/// there (n = 24: 1.2× the time, n = 8: 1.5×).
static inline int bench_apart(void) {
    const char *w = getenv("WIDE");
    return !(w ? atoi(w) != 0 : bench_fma512_speedup() >= KP_FAST_WIDE_MIN_SPEEDUP);
}
#endif
