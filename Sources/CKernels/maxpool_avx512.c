// Max pooling over one output row of an NHWC image on 16 lanes (AVX-512F): the body of maxpool_body.h, so
// kp_max_pool_row's values bit for bit, with 64 channels per pass over the window where the 8-lane kernel takes 32,
// and the input columns a later window adds prefetched. Round 32, Xception b1 on two cores (`bench --profile`, three
// alternating runs against the 8-lane kernel): block2_pool (147×147×128, 3×3 stride 2) 0.45–0.49 → 0.29–0.30 ms,
// block3_pool (74×74×256) 0.16–0.25 → 0.12–0.14 ms; ResNet50's pool1 (112×112×64, folded zeros) 0.084–0.093 →
// 0.069–0.075 ms; one thread, input in L3 (tools/xcep_bench/maxpool.c, means of 20): 147×147×128 0.43–0.57 →
// 0.31–0.42 ms, 74×74×256 0.15–0.26 → 0.12–0.18 ms, 37×37×728 about the same.
#include "CKernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define TARGET __attribute__((target("avx512f")))
#define VEC __m512
#define MASK __mmask16
#define LANES 16
#define VSET1(x) _mm512_set1_ps(x)
#define VLOAD(p) _mm512_loadu_ps(p)
#define VLOADM(p, m) _mm512_maskz_loadu_ps((m), (p))
#define VSTORE(p, v) _mm512_storeu_ps((p), (v))
#define VSTOREM(p, m, v) _mm512_mask_storeu_ps((p), (m), (v))
#define VMAX(a, b) _mm512_max_ps((a), (b))
#define TAIL_MASK(n) ((__mmask16)((1u << (n)) - 1u))
#define POOL_PREFETCH 1
#define MAX_POOL_ROW kp_max_pool_row_avx512
#include "maxpool_body.h"

#else

void kp_max_pool_row_avx512(const float *image, long in_h, long in_w, long channels, long kh, long kw, long stride_h,
                            long stride_w, long pad_top, long pad_left, long zeros_top, long zeros_bottom,
                            long zeros_left, long zeros_right, long oh, long out_w, float *out) {
    (void)image; (void)in_h; (void)in_w; (void)channels; (void)kh; (void)kw; (void)stride_h; (void)stride_w;
    (void)pad_top; (void)pad_left; (void)zeros_top; (void)zeros_bottom; (void)zeros_left; (void)zeros_right;
    (void)oh; (void)out_w; (void)out;
}

#endif
