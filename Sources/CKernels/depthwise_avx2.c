// Depthwise 2-D convolution (depth multiplier 1) over one output row of an NHWC image, AVX2, vectorised across
// channels with the sums kept in registers. Each output value is 0 + x·w + x·w + … over the window's taps that
// fall inside the image, in kernel-row-major order, each a multiply then an add (no fused multiply-add): exactly
// what TensorModule's Swift loop computes, so results are identical bit for bit. Taps outside the image are
// skipped, which is the same value as reading the zeros of an explicitly padded copy.
//
// The row goes P adjacent output pixels at a time per 8-channel block (`tile`), the P sums in registers: each
// weight vector is loaded once per kernel row for all P outputs, and for the common kernel widths 3/5/7 with
// column stride 1 or 2 and no column dilation the row's weights stay in registers and each input vector is loaded
// once and used for every (output, tap) pair that reads it (a 3×3 stride-1 window shares its columns with two
// neighbours on each side). Border groups (some tap column outside the image) skip those taps. Only the order in
// which the P independent sums are advanced changes; each sum still receives its taps in kernel-row-major order,
// so the values are those of a one-pixel loop. Channel counts that are not a multiple of 8 use masked loads and
// stores for the last block (the masked-off lanes are not stored). While a row is computed, the image rows the
// next output row reads first are prefetched into L2 (the groups read each image row strided, by channel block,
// which the hardware prefetchers follow less well than a one-pixel order). 3×3 kernels over channel counts whose
// groups crowd L1 sets keep the one-pixel order (`one_pixel_row`, `crowds_l1`).
//
// With a `pass` (kp_depthwise_pass), each output vector goes through that output pass (a BatchNormalization's
// scale/shift and a ReLU6 / ReLU / swish, as kp_epilogue_rows computes it: the same steps, epilogue_steps.h) in
// registers before it is stored, instead of a second pass over the row (which, at 30–45 KB per MobileNetV2 row,
// came back from L2).
#include "CKernels.h"

#pragma STDC FP_CONTRACT OFF

#include "epilogue_programs.h"

#if defined(__x86_64__) || defined(__i386__)
#include "vector_ops.h"
#include "epilogue_steps.h"

// avx2 and fma: the passes' swish uses fused multiply-adds (explicitly; FP_CONTRACT OFF keeps every x·w + acc of
// the convolution a multiply then an add).
#define TARGET __attribute__((target("avx2,fma")))
#define INLINE static inline __attribute__((always_inline, target("avx2,fma")))
#define VEC __m256
#define MASK __m256i
#define LANES 8
#define VZERO() _mm256_setzero_ps()
#define VLOAD(p) _mm256_loadu_ps(p)
#define VLOADM(p, m) _mm256_maskload_ps((p), (m))
#define VSTORE(p, v) _mm256_storeu_ps((p), (v))
#define VSTOREM(p, m, v) _mm256_maskstore_ps((p), (m), (v))
#define VADD(a, b) _mm256_add_ps((a), (b))
#define VMUL(a, b) _mm256_mul_ps((a), (b))
#define VMAX(a, b) _mm256_max_ps((a), (b))
#define TAIL_MASK(n) _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(n)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7))
#define PROGRAM_STEPS kp_program_steps
#define DEPTHWISE_ROW kp_depthwise_row
#include "depthwise_body.h"

#else

void kp_depthwise_row(const float *image, long in_h, long in_w, long channels, const float *kernel, long kh, long kw,
                      long oh, long out_w, long stride_h, long stride_w, long pad_top, long pad_left, long dil_h,
                      long dil_w, float *out, int pass, const float *sc, const float *sh) {
    (void)pass; (void)sc; (void)sh;
    (void)image; (void)in_h; (void)in_w; (void)channels; (void)kernel; (void)kh; (void)kw; (void)oh; (void)out_w;
    (void)stride_h; (void)stride_w; (void)pad_top; (void)pad_left; (void)dil_h; (void)dil_w; (void)out;
}

#endif

int kp_depthwise_pass(int program) {
#if defined(__x86_64__) || defined(__i386__)
    static const int rows[][8] = {DW_PASSES(KP_PASS_ROW)};
    return kp_pass_number(program, rows, (int)(sizeof rows / sizeof rows[0]));
#else
    (void)program;
#endif
    return 0;
}
