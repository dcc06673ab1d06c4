// The output pass of a Dense / convolution step (bias, the layer's activation, the element-wise layers fused after
// it and the denormal flushes between them) in one pass: each vector of 8 values is loaded once, goes through every
// step in registers and is stored once, where TensorModule's step-by-step path makes one pass per step (in L1, over
// blocks of 4096 values). Each step computes what its stand-alone kernel computes (kp_add_rows, kp_flush_denormals,
// kp_scale_shift_rows, the Swift ReLU / ReLU6 kernels, kp_swish / kp_sigmoid, the residual add), so the results are
// identical bit for bit. See CKernels.h.
//
// A pass is one of the programs of the form
//     [bias] [activation] [flush] [scale/shift, flush] [activation, flush] [residual add, flush] [activation, flush]
// listed in `programs` (those the inference plan makes for Keras models: convolution + BatchNormalization +
// ReLU / ReLU6 / swish / hard silu, with or without bias and a residual Add, Dense / convolution with their own
// activation, …). Each program is compiled as its own loop with the steps as constants (an interpreter that switched on the
// step kind per vector ran 3× slower than the separate passes); kp_epilogue_plan finds a program's number. To add a
// program, add its line to PROGRAMS.
#include "CKernels.h"

#pragma STDC FP_CONTRACT OFF

#include <string.h>

#include "epilogue_programs.h"

#define PROGRAM_FORM(B, A0, F0, SS, A1, ADD, A2) {B, A0, F0, SS, A1, ADD, A2},
static const int programs[][7] = {PROGRAMS(PROGRAM_FORM)};
#define PROGRAM_COUNT ((int)(sizeof programs / sizeof programs[0]))

int kp_epilogue_plan(const int *kinds, int n) {
    int form[7] = {0}, i = 0;
#define IS_ACT(k) ((k) == KP_EP_RELU || (k) == KP_EP_RELU6 || (k) == KP_EP_SWISH || (k) == KP_EP_SIGMOID || \
                    (k) == KP_EP_HARD_SILU)
    if (i < n && kinds[i] == KP_EP_BIAS) { form[0] = 1; i++; }
    if (i < n && IS_ACT(kinds[i])) { form[1] = kinds[i]; i++; }
    if (i < n && kinds[i] == KP_EP_FLUSH) { form[2] = 1; i++; }
    if (i + 1 < n && kinds[i] == KP_EP_SCALE_SHIFT && kinds[i + 1] == KP_EP_FLUSH) { form[3] = 1; i += 2; }
    if (i + 1 < n && IS_ACT(kinds[i]) && kinds[i + 1] == KP_EP_FLUSH) { form[4] = kinds[i]; i += 2; }
    if (i + 1 < n && kinds[i] == KP_EP_ADD && kinds[i + 1] == KP_EP_FLUSH) { form[5] = 1; i += 2; }
    if (i + 1 < n && IS_ACT(kinds[i]) && kinds[i + 1] == KP_EP_FLUSH) { form[6] = kinds[i]; i += 2; }
#undef IS_ACT
    if (i != n) return -1;
    for (int p = 0; p < PROGRAM_COUNT; p++)
        if (memcmp(programs[p], form, sizeof form) == 0) return p;
    return -1;
}

int kp_epilogue_form(int program, int form[7]) {
    if (program < 0 || program >= PROGRAM_COUNT) return 0;
    memcpy(form, programs[program], sizeof programs[program]);
    return 1;
}

int kp_pass_number(int program, const int (*rows)[8], int count) {
    int form[7];
    if (!kp_epilogue_form(program, form)) return 0;
    for (int i = 0; i < count; i++)
        if (memcmp(rows[i] + 1, form, sizeof form) == 0) return rows[i][0];
    return 0;
}

#if defined(__x86_64__) || defined(__i386__)
#include "vector_ops.h"

#include "epilogue_steps.h"

// One vector (columns j…j+7) through a program; r points at its residual values.
KP_INLINE __m256 steps(__m256 v, long j, const float *bias, const float *sc, const float *sh, const float *r,
                       const int B, const int A0, const int F0, const int SS, const int A1, const int ADD, const int A2) {
    const __m256 z = _mm256_setzero_ps();
    return kp_program_steps(v, B ? _mm256_loadu_ps(bias + j) : z, SS ? _mm256_loadu_ps(sc + j) : z,
                            SS ? _mm256_loadu_ps(sh + j) : z, ADD ? _mm256_loadu_ps(r) : z, B, A0, F0, SS, A1, ADD, A2);
}

KP_INLINE void rows_of(float *p, const float *src, long rows, long cols, long roff, const float *bias, const float *sc,
                       const float *sh, const float *res, const int B, const int A0, const int F0, const int SS,
                       const int A1, const int ADD, const int A2) {
    const long body = cols & ~7L;
    for (long r = 0; r < rows; r++) {
        float *row = p + r * cols;
        const float *in = src + r * cols;
        const float *rr = ADD ? res + roff + r * cols : NULL;
        for (long j = 0; j < body; j += 8)
            _mm256_storeu_ps(row + j, steps(_mm256_loadu_ps(in + j), j, bias, sc, sh, ADD ? rr + j : NULL,
                                            B, A0, F0, SS, A1, ADD, A2));
        if (body < cols) {
            // The last columns through the same vector code, from zero-padded copies of the values and operands
            // (every step works lane by lane, so the padding lanes do not touch the real ones).
            const long n = cols - body;
            float v[8] = {0}, b8[8] = {0}, s8[8] = {0}, t8[8] = {0}, r8[8] = {0};
            memcpy(v, in + body, (size_t)n * sizeof(float));
            if (B) memcpy(b8, bias + body, (size_t)n * sizeof(float));
            if (SS) { memcpy(s8, sc + body, (size_t)n * sizeof(float)); memcpy(t8, sh + body, (size_t)n * sizeof(float)); }
            if (ADD) memcpy(r8, rr + body, (size_t)n * sizeof(float));
            _mm256_storeu_ps(v, steps(_mm256_loadu_ps(v), 0, b8, s8, t8, r8, B, A0, F0, SS, A1, ADD, A2));
            memcpy(row + body, v, (size_t)n * sizeof(float));
        }
    }
}

// Each program as its own function (one inlined copy of the loop per program; separate frames keep the stack of
// an unoptimised build small), named after its steps.
#define EPILOGUE_ARGS float *p, const float *src, long rows, long cols, const float *bias, const float *sc, \
                      const float *sh, const float *res, long roff
#define PROGRAM_NAME(B, A0, F0, SS, A1, ADD, A2) program_##B##_##A0##_##F0##_##SS##_##A1##_##ADD##_##A2
#define PROGRAM_FUNCTION(B, A0, F0, SS, A1, ADD, A2)                                                         \
    KP_AVX2 __attribute__((noinline)) static void PROGRAM_NAME(B, A0, F0, SS, A1, ADD, A2)(EPILOGUE_ARGS) {  \
        rows_of(p, src, rows, cols, roff, bias, sc, sh, res, B, A0, F0, SS, A1, ADD, A2);                     \
    }
PROGRAMS(PROGRAM_FUNCTION)

#define PROGRAM_POINTER(B, A0, F0, SS, A1, ADD, A2) PROGRAM_NAME(B, A0, F0, SS, A1, ADD, A2),
static void (*const kernels[])(EPILOGUE_ARGS) = {PROGRAMS(PROGRAM_POINTER)};

KP_AVX2 void kp_epilogue_rows(int program, float *p, const float *src, long rows, long cols, const float *bias,
                              const float *sc, const float *sh, const float *res, long roff) {
    if (program < 0 || program >= PROGRAM_COUNT) return;
    kernels[program](p, src, rows, cols, bias, sc, sh, res, roff);
}

#else

void kp_epilogue_rows(int program, float *p, const float *src, long rows, long cols, const float *bias,
                      const float *sc, const float *sh, const float *res, long roff) {
    (void)program; (void)p; (void)src; (void)rows; (void)cols; (void)bias; (void)sc; (void)sh; (void)res;
    (void)roff;
}

#endif
