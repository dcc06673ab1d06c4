// Times each CKernels function on one thread, for comparing optimisation levels of Sources/CKernels
// (tools/ckernels_bench/compare.sh builds this driver against the kernels compiled at -O2 and at -O3).
// Shapes are those of ResNet50 / MobileNetV2 layers at batch 1. Prints "name seconds" (the minimum of R repetitions).
#define _GNU_SOURCE
#include "CKernels.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static float *buffer(size_t n, unsigned seed) {
    float *p = aligned_alloc(64, ((n * sizeof(float) + 63) / 64) * 64 + 64);
    unsigned s = seed * 2654435761u + 1;
    for (size_t i = 0; i < n; i++) {
        s = s * 1664525u + 1013904223u;
        p[i] = ((float)(s >> 8) / (float)(1 << 24)) * 2.0f - 1.0f;
    }
    return p;
}

#define TIME(name, reps, body)                                          \
    do {                                                                \
        double best = 1e30;                                             \
        for (int r_ = 0; r_ < (reps); r_++) {                           \
            double t0_ = now();                                         \
            body;                                                       \
            double t_ = now() - t0_;                                    \
            if (t_ < best) best = t_;                                   \
        }                                                               \
        printf("%-28s %.6f\n", name, best);                             \
        fflush(stdout);                                                 \
    } while (0)

static void gemm_case(const char *name, long h, long w, long cin, long kh, long n, int reps) {
    // A stride-1 "same" convolution over an already padded h+kh-1 × w+kh-1 image: one segment per kernel row.
    long hp = h + kh - 1, wp = w + kh - 1;
    float *a = buffer((size_t)hp * wp * cin, 1);
    long k = kh * kh * cin;
    float *b = buffer((size_t)k * n, 2);
    float *packed = aligned_alloc(64, kp_packed_b_count(k, n) * sizeof(float) + 64);
    kp_pack_b(b, k, n, n, packed);
    float *c = buffer((size_t)h * w * n, 3);
    long off[16], len[16];
    for (long i = 0; i < kh; i++) { off[i] = i * wp * cin; len[i] = kh * cin; }
    kp_gemm_desc d = {a, h, w, hp * wp * cin, wp * cin, cin, off, len, kh, packed, n, c, n};
    TIME(name, reps, kp_gemm(&d, 0, h * w, 0, (n + KP_PANEL - 1) / KP_PANEL));
    free(a); free(b); free(packed); free(c);
}

int main(int argc, char **argv) {
    int reps = argc > 1 ? atoi(argv[1]) : 15;
    if (!kp_simd_available()) { fprintf(stderr, "no AVX2/FMA\n"); return 1; }
    gemm_case("gemm_3x3_56x56x64->64", 56, 56, 64, 3, 64, reps);
    gemm_case("gemm_1x1_56x56x64->256", 56, 56, 64, 1, 256, reps);
    gemm_case("gemm_1x1_14x14x1024->256", 14, 14, 1024, 1, 256, reps);
    gemm_case("gemm_3x3_7x7x512->512", 7, 7, 512, 3, 512, reps);
    {
        long k = 1024, n = 1024;
        float *x = buffer(k, 4), *b = buffer(k * n, 5), *y = buffer(n, 6);
        float *packed = aligned_alloc(64, kp_packed_b_count(k, n) * sizeof(float) + 64);
        kp_pack_b(b, k, n, n, packed);
        TIME("gemv_1024x1024", reps * 4, kp_gemv(x, packed, k, n, y, 0, n / KP_PANEL));
        TIME("pack_b_1024x1024", reps, kp_pack_b(b, 1024, 1024, 1024, packed));
        free(x); free(b); free(y); free(packed);
    }
    {
        long h = 64, w = 64, cin = 64, n = 3, kh = 3;
        long hp = h + 2, wp = w + 2, k = kh * kh * cin;
        float *a = buffer((size_t)hp * wp * cin, 7), *b = buffer(k * n, 8), *c = buffer(h * w * n, 9);
        float *bt = malloc(k * n * sizeof(float));
        kp_pack_bt(b, k, n, n, bt);
        long off[3], len[3];
        for (long i = 0; i < kh; i++) { off[i] = i * wp * cin; len[i] = kh * cin; }
        kp_gemm_desc d = {a, h, w, hp * wp * cin, wp * cin, cin, off, len, kh, bt, n, c, n};
        TIME("gemm_narrow_64x64x576->3", reps, kp_gemm_narrow(&d, 0, h * w));
        free(a); free(b); free(c); free(bt);
    }
    {
        long rows = 3136, cols = 256, count = rows * cols;
        float *p = buffer(count, 10), *s = buffer(cols + 8, 11), *t = buffer(cols + 8, 12), *q = buffer(count, 13);
        float *al = buffer(cols + 8, 14), *dst = buffer(count, 15);
        TIME("add_rows", reps, kp_add_rows(p, s, rows, cols));
        TIME("scale_shift_rows_flush", reps, kp_scale_shift_rows(p, s, t, rows, cols, 1));
        TIME("scale_shift_rows", reps, kp_scale_shift_rows(p, s, t, rows, cols, 0));
        TIME("prelu_rows_flush", reps, kp_prelu_rows(p, al, rows, cols, 1, 0, 1));
        TIME("leaky", reps, kp_leaky(p, count, 0.2f));
        TIME("flush_denormals", reps, kp_flush_denormals(p, count, 0));
        TIME("flush_denormals_pos", reps, kp_flush_denormals(p, count, 1));
        TIME("stream_step_leaky", reps, kp_stream_step(dst, q, rows, cols, 0, KP_STEP_LEAKY, 0.2f, s, t, 1));
        TIME("stream_step_prelu", reps, kp_stream_step(dst, q, rows, cols, 0, KP_STEP_PRELU, 0.f, al, t, 1));
        TIME("stream_step_scale_shift", reps, kp_stream_step(dst, q, rows, cols, 0, KP_STEP_SCALE_SHIFT, 0.f, s, t, 1));
        TIME("add_flush", reps, kp_add(dst, p, q, count, 0, 1));
        TIME("add_stream", reps, kp_add(dst, p, q, count, 1, 0));
        free(p); free(s); free(t); free(q); free(al); free(dst);
    }
    {
        long ih = 112, iw = 112, ch = 96, kh = 3, ow = 56;
        float *img = buffer(ih * iw * ch, 16), *ker = buffer(kh * kh * ch, 17), *out = buffer(ow * ch * 56, 18);
        TIME("depthwise_3x3_s2_112x112x96", reps,
             for (long oh = 0; oh < 56; oh++) kp_depthwise_row(img, ih, iw, ch, ker, 3, 3, oh, ow, 2, 2, 0, 0, 1, 1, out + oh * ow * ch, 0, NULL, NULL));
        long c2 = 144;
        float *img2 = buffer(56 * 56 * c2, 19), *ker2 = buffer(9 * c2, 20), *out2 = buffer(56 * 56 * c2, 21);
        TIME("depthwise_3x3_s1_56x56x144", reps,
             for (long oh = 0; oh < 56; oh++) kp_depthwise_row(img2, 56, 56, c2, ker2, 3, 3, oh, 56, 1, 1, 1, 1, 1, 1, out2 + oh * 56 * c2, 0, NULL, NULL));
        free(img); free(ker); free(out); free(img2); free(ker2); free(out2);
    }
    {
        // Square "same" depthwise layers of MobileNetV2 / EfficientNetB0 / ConvNeXt (3×3, 5×5, 7×7; strides 1, 2).
        static const struct { const char *name; long h, c, k, s; } cases[] = {
            {"depthwise_3x3_s1_112x112x32", 112, 32, 3, 1}, {"depthwise_3x3_s1_14x14x576", 14, 576, 3, 1},
            {"depthwise_5x5_s1_28x28x240", 28, 240, 5, 1},  {"depthwise_5x5_s2_56x56x144", 56, 144, 5, 2},
            {"depthwise_5x5_s1_7x7x1152", 7, 1152, 5, 1},   {"depthwise_7x7_s1_56x56x96", 56, 96, 7, 1},
        };
        for (size_t n = 0; n < sizeof cases / sizeof cases[0]; n++) {
            long h = cases[n].h, c = cases[n].c, k = cases[n].k, s = cases[n].s, o = (h + s - 1) / s;
            long total = (o - 1) * s + k - h, pad = total > 0 ? total / 2 : 0;
            float *img = buffer(h * h * c, 22), *ker = buffer(k * k * c, 23), *out = buffer(o * o * c, 24);
            TIME(cases[n].name, reps,
                 for (long oh = 0; oh < o; oh++) kp_depthwise_row(img, h, h, c, ker, k, k, oh, o, s, s, pad, pad, 1, 1, out + oh * o * c, 0, NULL, NULL));
            free(img); free(ker); free(out);
        }
    }
    return 0;
}
