// The depthwise row kernel of depthwise_avx2.c on 16 lanes (AVX-512F): the same body (depthwise_body.h), each lane
// the same operations in the same order, so the same values bit for bit. TensorModule takes it where 512-bit
// arithmetic measures at least 0.9× the 256-bit throughput per float (`Ops.wideArithmetic`: Intel cores with two
// 512-bit FMA units, Zen 4); the multiplies and adds of a depthwise window are then half the instructions.
#include "CKernels.h"

#pragma STDC FP_CONTRACT OFF

#include "epilogue_programs.h"

#if defined(__x86_64__) || defined(__i386__)
#include "vector_ops512.h"
#include "epilogue_steps512.h"

#define TARGET __attribute__((target("avx512f")))
#define INLINE static inline __attribute__((always_inline, target("avx512f")))
#define VEC __m512
#define MASK __mmask16
#define LANES 16
#define VZERO() _mm512_setzero_ps()
#define VLOAD(p) _mm512_loadu_ps(p)
#define VLOADM(p, m) _mm512_maskz_loadu_ps((m), (p))
#define VSTORE(p, v) _mm512_storeu_ps((p), (v))
#define VSTOREM(p, m, v) _mm512_mask_storeu_ps((p), (m), (v))
#define VADD(a, b) _mm512_add_ps((a), (b))
#define VMUL(a, b) _mm512_mul_ps((a), (b))
#define VMAX(a, b) _mm512_max_ps((a), (b))
#define TAIL_MASK(n) ((__mmask16)((1u << (n)) - 1u))
#define PROGRAM_STEPS kp_program_steps16
#define DEPTHWISE_ROW kp_depthwise_row_avx512
#include "depthwise_body.h"

#else

void kp_depthwise_row_avx512(const float *image, long in_h, long in_w, long channels, const float *kernel, long kh,
                             long kw, long oh, long out_w, long stride_h, long stride_w, long pad_top, long pad_left,
                             long dil_h, long dil_w, float *out, int pass, const float *sc, const float *sh) {
    (void)image; (void)in_h; (void)in_w; (void)channels; (void)kernel; (void)kh; (void)kw; (void)oh; (void)out_w;
    (void)stride_h; (void)stride_w; (void)pad_top; (void)pad_left; (void)dil_h; (void)dil_w; (void)out; (void)pass;
    (void)sc; (void)sh;
}

#endif
