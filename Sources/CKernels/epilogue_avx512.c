// The fused output-pass programs of epilogue_avx2.c, and kp_sigmoid / kp_swish, on 16 lanes (AVX-512F), chosen at
// run time by TensorModule where the processor has AVX-512F. Every lane runs the 8-lane code's operations in the
// same order (vector_ops512.h), and the last columns of a row go through the same code with masked loads and stores
// where the 8-lane code pads copies with zeros, so the results are identical bit for bit.
//
// Why: swish and sigmoid are long dependency chains (the exponential's polynomial, then a division); on Zen 4 the
// 8-lane loop kept too few vectors in flight, and the fused swish program took about a third of EfficientNetB0's
// single-thread time. With 16 lanes per instruction the same scheduler holds twice the values: about 2× the values
// per second, measured on this program in isolation (1.2–1.5 → 0.60–0.75 ns per value). Fused multiply-adds in the
// exponential (vector_ops.h's kp_sigmoid_denominator) then took swish from 0.55 to about 0.38 ns per value in L1; a
// third of what is left is the division, which stays (reciprocal approximations differ between Intel and AMD).
#include "CKernels.h"

#pragma STDC FP_CONTRACT OFF

#if defined(__x86_64__) || defined(__i386__)
#include "epilogue_programs.h"
#include "vector_ops512.h"
#include "epilogue_steps512.h"

int kp_avx512_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f");
}

// Columns j…j+15 (the lanes in `m`) through a program; r points at the residual values. Lanes outside `m` load as
// zeros (the 8-lane code's zero padding) and are not stored.
KP_INLINE512 void steps16(float *row, const float *in, long j, __mmask16 m, const float *bias, const float *sc, const float *sh,
                          const float *r, const int B, const int A0, const int F0, const int SS, const int A1,
                          const int ADD, const int A2) {
    const __m512 z = _mm512_setzero_ps();
    const __m512 v = kp_program_steps16(_mm512_maskz_loadu_ps(m, in + j), B ? _mm512_maskz_loadu_ps(m, bias + j) : z,
                                        SS ? _mm512_maskz_loadu_ps(m, sc + j) : z,
                                        SS ? _mm512_maskz_loadu_ps(m, sh + j) : z,
                                        ADD ? _mm512_maskz_loadu_ps(m, r + j) : z, B, A0, F0, SS, A1, ADD, A2);
    _mm512_mask_storeu_ps(row + j, m, v);
}

KP_INLINE512 void rows_of16(float *p, const float *src, long rows, long cols, long roff, const float *bias,
                            const float *sc, const float *sh, const float *res, const int B, const int A0,
                            const int F0, const int SS, const int A1, const int ADD, const int A2) {
    const long body = cols & ~15L;
    const __mmask16 tail = (__mmask16)((1u << (cols - body)) - 1u);
    for (long r = 0; r < rows; r++) {
        float *row = p + r * cols;
        const float *in = src + r * cols;
        const float *rr = ADD ? res + roff + r * cols : NULL;
        for (long j = 0; j < body; j += 16)
            steps16(row, in, j, (__mmask16)0xFFFF, bias, sc, sh, rr, B, A0, F0, SS, A1, ADD, A2);
        if (tail) steps16(row, in, body, tail, bias, sc, sh, rr, B, A0, F0, SS, A1, ADD, A2);
    }
}

#define EPILOGUE_ARGS float *p, const float *src, long rows, long cols, const float *bias, const float *sc, \
                      const float *sh, const float *res, long roff
#define PROGRAM_NAME16(B, A0, F0, SS, A1, ADD, A2) program16_##B##_##A0##_##F0##_##SS##_##A1##_##ADD##_##A2
#define PROGRAM_FUNCTION16(B, A0, F0, SS, A1, ADD, A2)                                                          \
    KP_AVX512 __attribute__((noinline)) static void PROGRAM_NAME16(B, A0, F0, SS, A1, ADD, A2)(EPILOGUE_ARGS) { \
        rows_of16(p, src, rows, cols, roff, bias, sc, sh, res, B, A0, F0, SS, A1, ADD, A2);                      \
    }
PROGRAMS(PROGRAM_FUNCTION16)

#define PROGRAM_POINTER16(B, A0, F0, SS, A1, ADD, A2) PROGRAM_NAME16(B, A0, F0, SS, A1, ADD, A2),
static void (*const kernels16[])(EPILOGUE_ARGS) = {PROGRAMS(PROGRAM_POINTER16)};
#define PROGRAM_COUNT16 ((int)(sizeof kernels16 / sizeof kernels16[0]))

KP_AVX512 void kp_epilogue_rows_avx512(int program, float *p, const float *src, long rows, long cols,
                                       const float *bias, const float *sc, const float *sh, const float *res,
                                       long roff) {
    if (program < 0 || program >= PROGRAM_COUNT16) return;
    kernels16[program](p, src, rows, cols, bias, sc, sh, res, roff);
}

KP_INLINE512 void map16(float *p, long count, const int swish) {
    long i = 0;
    for (; i + 16 <= count; i += 16) _mm512_storeu_ps(p + i, kp_sigmoid_step16(_mm512_loadu_ps(p + i), swish));
    if (i < count) {
        const __mmask16 m = (__mmask16)((1u << (count - i)) - 1u);
        _mm512_mask_storeu_ps(p + i, m, kp_sigmoid_step16(_mm512_maskz_loadu_ps(m, p + i), swish));
    }
}

KP_AVX512 void kp_sigmoid_avx512(float *p, long count) { map16(p, count, 0); }
KP_AVX512 void kp_swish_avx512(float *p, long count) { map16(p, count, 1); }

#else

int kp_avx512_available(void) { return 0; }
void kp_epilogue_rows_avx512(int program, float *p, const float *src, long rows, long cols, const float *bias,
                             const float *sc, const float *sh, const float *res, long roff) {
    (void)program; (void)p; (void)src; (void)rows; (void)cols; (void)bias; (void)sc; (void)sh; (void)res;
    (void)roff;
}
void kp_sigmoid_avx512(float *p, long count) { (void)p; (void)count; }
void kp_swish_avx512(float *p, long count) { (void)p; (void)count; }

#endif
