// One vector through a fused output pass (a program of epilogue_programs.h), in registers: private to CKernels,
// shared by the output pass (epilogue_avx2.c) and the kernels that apply a pass to their results before storing
// them (depthwise_avx2.c), so both compute the same values. Include after vector_ops.h.
#ifndef KERASPORT_CKERNELS_EPILOGUE_STEPS_H
#define KERASPORT_CKERNELS_EPILOGUE_STEPS_H

KP_INLINE __m256 activate(__m256 v, const int kind) {
    switch (kind) {
    case KP_EP_RELU: return kp_vrelu(v);
    case KP_EP_RELU6: return kp_vrelu6(v);
    case KP_EP_SWISH: return kp_sigmoid_step(v, 1);
    case KP_EP_SIGMOID: return kp_sigmoid_step(v, 0);
    case KP_EP_HARD_SILU: return kp_vhard_silu(v);
    default: return v;
    }
}

// Whether the flush after activation `kind` can change anything when its input has just been flushed (every program
// has a flush right before its second and third activation): ReLU and ReLU6 return +0, 6, NaN or their input, so
// never a denormal, and that flush is skipped (the same values, one step less).
KP_INLINE int flushes(const int kind) { return kind != KP_EP_RELU && kind != KP_EP_RELU6; }

// activate(kp_vflush(v), kind) for a ReLU or ReLU6 `kind` (see merges): the flush and the activation in fewer steps.
KP_INLINE __m256 flush_activate(__m256 v, const int kind) {
    return kind == KP_EP_RELU ? kp_vflush_relu(v) : kp_vflush_relu6(v);
}

// Whether a flush right before activation `kind` is run with it (flush_activate: the same values).
KP_INLINE int merges(const int kind) { return kind == KP_EP_RELU || kind == KP_EP_RELU6; }

// One vector through the program (B, A0, F0, SS, A1, ADD, A2) with its operands' vectors already loaded (bias b,
// scale s, shift t, residual r; those the program does not have are not read). The flush before a ReLU / ReLU6
// (F0's or scale/shift's before A1, the residual add's before A2) is done by flush_activate.
KP_INLINE __m256 kp_program_steps(__m256 v, __m256 b, __m256 s, __m256 t, __m256 r, const int B, const int A0,
                                  const int F0, const int SS, const int A1, const int ADD, const int A2) {
    const int m1 = (F0 || SS) && merges(A1), m2 = ADD && merges(A2);
    if (B) v = _mm256_add_ps(v, b);
    if (A0) v = activate(v, A0);
    if (F0 && (SS || !m1)) v = kp_vflush(v);
    if (SS) {
        v = _mm256_add_ps(_mm256_mul_ps(v, s), t);
        if (!m1) v = kp_vflush(v);
    }
    if (A1) v = m1 ? flush_activate(v, A1) : flushes(A1) ? kp_vflush(activate(v, A1)) : activate(v, A1);
    if (ADD) {
        v = _mm256_add_ps(v, r);
        if (!m2) v = kp_vflush(v);
    }
    if (A2) v = m2 ? flush_activate(v, A2) : flushes(A2) ? kp_vflush(activate(v, A2)) : activate(v, A2);
    return v;
}

#endif
