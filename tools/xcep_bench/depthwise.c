// The depthwise row kernel (kp_depthwise_row_avx512, 3×3, stride 1, `same`) over a batch of H×H×C images on two
// threads, each taking half the images, the way a prediction splits a batch: the median time per image of each
// thread over 15 runs. Knobs for the memory effects seen in models:
//   MODE      0: the input as the last run left it (in L3); 1: each thread rewrites its own images first (its lines
//             modified in its cache); 2: each rewrites the other thread's images (lines modified in the other core).
//   IN_OFF / OUT_OFF   floats past a 64-byte boundary where the input / output start (a tensor's floats start
//             wherever the allocator put them, in 16-byte steps).
//   ROTATE    0: one output buffer (stays in cache between runs); n > 0: n output buffers in turn (each run writes
//             memory that has left the caches, as a model's fresh output tensors can).
// usage: depthwise H C IMAGES [MODE [IN_OFF [OUT_OFF [ROTATE]]]]   (e.g. depthwise 19 728 8 0 0 0 12)
// build: clang -O2 -mavx2 -I Sources/CKernels/include tools/xcep_bench/depthwise.c Sources/CKernels/*.c -lpthread -lm
#include "CKernels.h"
#include "bench_common.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define RUNS 15
#define MAX_ROTATE 16

static long H, C, images, mode, rotate;
static float *x, *k, *outs[MAX_ROTATE];
static pthread_barrier_t barrier;
static double times[2][RUNS];

static void *run(void *arg) {
    const long t = (long)arg, per = images / 2, size = H * H * C;
    for (int rep = 0; rep < RUNS; rep++) {
        if (mode) {
            const long w = mode == 1 ? t : 1 - t;
            for (long n = w * per; n < (w + 1) * per; n++)
                for (long i = 0; i < size; i += 16) x[n * size + i] += 1e-3f;
        }
        float *o = outs[rotate ? rep % rotate : 0];
        pthread_barrier_wait(&barrier);
        const double t0 = now();
        for (long n = t * per; n < (t + 1) * per; n++)
            for (long oh = 0; oh < H; oh++)
                kp_depthwise_row_avx512(x + n * size, H, H, C, k, 3, 3, oh, H, 1, 1, 1, 1, 1, 1,
                                        o + (n * H + oh) * H * C, 0, NULL, NULL);
        times[t][rep] = now() - t0;
        pthread_barrier_wait(&barrier);
    }
    return NULL;
}

static int ascending(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: depthwise H C IMAGES [MODE [IN_OFF [OUT_OFF [ROTATE]]]]\n");
        return 2;
    }
    if (!kp_avx512_available()) {
        fprintf(stderr, "depthwise: this processor has no AVX-512F\n");
        return 2;
    }
    H = atol(argv[1]); C = atol(argv[2]); images = atol(argv[3]);
    mode = argc > 4 ? atol(argv[4]) : 0;
    const long in_off = argc > 5 ? atol(argv[5]) : 0, out_off = argc > 6 ? atol(argv[6]) : 0;
    rotate = argc > 7 ? atol(argv[7]) : 0;
    if (H < 1 || C < 1 || images < 2 || images % 2 || rotate < 0 || rotate > MAX_ROTATE || in_off < 0 || in_off > 15 ||
        out_off < 0 || out_off > 15) {
        fprintf(stderr, "depthwise: H, C ≥ 1, an even IMAGES ≥ 2, offsets 0…15, ROTATE 0…%d\n", MAX_ROTATE);
        return 2;
    }
    const long count = images * H * H * C;
    x = buffer(count + 16, 1) + in_off;
    k = buffer(9 * C, 2);
    for (long i = 0; i < (rotate ? rotate : 1); i++) outs[i] = buffer(count + 16, 3 + (unsigned)i) + out_off;
    pthread_barrier_init(&barrier, NULL, 2);
    pthread_t other;
    pthread_create(&other, NULL, run, (void *)1);
    run((void *)0);
    pthread_join(other, NULL);
    qsort(times[0], RUNS, sizeof(double), ascending);
    qsort(times[1], RUNS, sizeof(double), ascending);
    printf("%ld×%ld×%ld, %ld images, mode %ld, offsets %ld / %ld, rotate %ld: median %.1f / %.1f µs per image\n", H, H,
           C, images, mode, in_off, out_off, rotate, times[0][RUNS / 2] * 1e6 / (images / 2),
           times[1][RUNS / 2] * 1e6 / (images / 2));
    return 0;
}
