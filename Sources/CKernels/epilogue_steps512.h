// epilogue_steps.h on 16 lanes (AVX-512F): one vector through a fused output pass in registers, the same steps lane
// for lane, so both widths give the same values bit for bit. Shared by epilogue_avx512.c's output passes and
// depthwise_avx512.c's in-register passes. Private to the target; include after vector_ops512.h.
#ifndef KERASPORT_CKERNELS_EPILOGUE_STEPS512_H
#define KERASPORT_CKERNELS_EPILOGUE_STEPS512_H

KP_INLINE512 __m512 activate16(__m512 v, const int kind) {
    switch (kind) {
    case KP_EP_RELU: return kp_vrelu16(v);
    case KP_EP_RELU6: return kp_vrelu6_16(v);
    case KP_EP_SWISH: return kp_sigmoid_step16(v, 1);
    case KP_EP_SIGMOID: return kp_sigmoid_step16(v, 0);
    case KP_EP_HARD_SILU: return kp_vhard_silu16(v);
    default: return v;
    }
}

// As epilogue_avx2.c's `flushes`: the flush after ReLU / ReLU6 (input just flushed) cannot change anything.
KP_INLINE512 int flushes16(const int kind) { return kind != KP_EP_RELU && kind != KP_EP_RELU6; }

// As epilogue_avx2.c's `merges` and `flush_activate`.
KP_INLINE512 int merges16(const int kind) { return kind == KP_EP_RELU || kind == KP_EP_RELU6; }
KP_INLINE512 __m512 flush_activate16(__m512 v, const int kind) {
    return kind == KP_EP_RELU ? kp_vflush_relu16(v) : kp_vflush_relu6_16(v);
}

// kp_program_steps of epilogue_steps.h on 16 lanes (the flush right before a ReLU / ReLU6 done by flush_activate16).
KP_INLINE512 __m512 kp_program_steps16(__m512 v, __m512 b, __m512 s, __m512 t, __m512 r, const int B, const int A0,
                                       const int F0, const int SS, const int A1, const int ADD, const int A2) {
    const int m1 = (F0 || SS) && merges16(A1), m2 = ADD && merges16(A2);
    if (B) v = _mm512_add_ps(v, b);
    if (A0) v = activate16(v, A0);
    if (F0 && (SS || !m1)) v = kp_vflush16(v);
    if (SS) {
        v = _mm512_add_ps(_mm512_mul_ps(v, s), t);
        if (!m1) v = kp_vflush16(v);
    }
    if (A1) v = m1 ? flush_activate16(v, A1) : flushes16(A1) ? kp_vflush16(activate16(v, A1)) : activate16(v, A1);
    if (ADD) {
        v = _mm512_add_ps(v, r);
        if (!m2) v = kp_vflush16(v);
    }
    if (A2) v = m2 ? flush_activate16(v, A2) : flushes16(A2) ? kp_vflush16(activate16(v, A2)) : activate16(v, A2);
    return v;
}

#endif
