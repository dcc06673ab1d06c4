// The fused output-pass programs (private to CKernels): the one list epilogue_avx2.c and epilogue_avx512.c make
// their functions, kp_epilogue_plan's table and the dispatch from. See epilogue_avx2.c.
#ifndef KERASPORT_CKERNELS_EPILOGUE_PROGRAMS_H
#define KERASPORT_CKERNELS_EPILOGUE_PROGRAMS_H

// Every program, one X(bias, activation, flush, scale/shift (+ flush), activation (+ flush), residual add (+ flush),
// activation (+ flush)) per line (0: no such step); its number is its line's position. The table kp_epilogue_plan
// searches, the programs' functions and kp_epilogue_rows' dispatch are all made from this one list.
#define PROGRAMS(X) \
    X(0, 0, 1, 1, 0, 0, 0) \
    X(0, 0, 1, 1, KP_EP_RELU, 0, 0) \
    X(0, 0, 1, 1, KP_EP_RELU6, 0, 0) \
    X(0, 0, 1, 1, KP_EP_SWISH, 0, 0) \
    X(0, 0, 1, 1, 0, 1, 0) \
    X(0, 0, 1, 1, 0, 1, KP_EP_RELU) \
    X(0, 0, 1, 1, 0, 1, KP_EP_RELU6) \
    X(0, 0, 1, 1, 0, 1, KP_EP_SWISH) \
    X(0, 0, 1, 1, KP_EP_RELU, 1, 0) \
    X(0, 0, 1, 1, KP_EP_RELU6, 1, 0) \
    X(0, 0, 1, 1, KP_EP_SWISH, 1, 0) \
    X(0, 0, 1, 0, 0, 1, 0) \
    X(0, 0, 1, 0, 0, 1, KP_EP_RELU) \
    X(0, 0, 1, 0, 0, 1, KP_EP_RELU6) \
    X(0, 0, 1, 0, 0, 1, KP_EP_SWISH) \
    X(0, 0, 1, 0, 0, 0, 0) \
    X(0, 0, 1, 0, KP_EP_RELU, 0, 0) \
    X(0, 0, 1, 0, KP_EP_RELU6, 0, 0) \
    X(0, 0, 1, 0, KP_EP_SWISH, 0, 0) \
    X(0, KP_EP_RELU, 1, 0, 0, 0, 0) \
    X(0, KP_EP_RELU, 0, 0, 0, 0, 0) \
    X(0, KP_EP_RELU, 1, 0, KP_EP_RELU, 0, 0) \
    X(0, KP_EP_RELU, 1, 0, KP_EP_RELU6, 0, 0) \
    X(0, KP_EP_RELU, 1, 0, KP_EP_SWISH, 0, 0) \
    X(0, KP_EP_RELU6, 1, 0, 0, 0, 0) \
    X(0, KP_EP_RELU6, 0, 0, 0, 0, 0) \
    X(0, KP_EP_RELU6, 1, 0, KP_EP_RELU, 0, 0) \
    X(0, KP_EP_RELU6, 1, 0, KP_EP_RELU6, 0, 0) \
    X(0, KP_EP_RELU6, 1, 0, KP_EP_SWISH, 0, 0) \
    X(0, KP_EP_SWISH, 1, 0, 0, 0, 0) \
    X(0, KP_EP_SWISH, 0, 0, 0, 0, 0) \
    X(0, KP_EP_SWISH, 1, 0, KP_EP_RELU, 0, 0) \
    X(0, KP_EP_SWISH, 1, 0, KP_EP_RELU6, 0, 0) \
    X(0, KP_EP_SWISH, 1, 0, KP_EP_SWISH, 0, 0) \
    X(0, KP_EP_SIGMOID, 1, 0, 0, 0, 0) \
    X(0, KP_EP_SIGMOID, 0, 0, 0, 0, 0) \
    X(0, KP_EP_SIGMOID, 1, 0, KP_EP_RELU, 0, 0) \
    X(0, KP_EP_SIGMOID, 1, 0, KP_EP_RELU6, 0, 0) \
    X(0, KP_EP_SIGMOID, 1, 0, KP_EP_SWISH, 0, 0) \
    X(1, 0, 1, 1, 0, 0, 0) \
    X(1, 0, 1, 1, KP_EP_RELU, 0, 0) \
    X(1, 0, 1, 1, KP_EP_RELU6, 0, 0) \
    X(1, 0, 1, 1, KP_EP_SWISH, 0, 0) \
    X(1, 0, 1, 1, 0, 1, 0) \
    X(1, 0, 1, 1, 0, 1, KP_EP_RELU) \
    X(1, 0, 1, 1, 0, 1, KP_EP_RELU6) \
    X(1, 0, 1, 1, 0, 1, KP_EP_SWISH) \
    X(1, 0, 1, 1, KP_EP_RELU, 1, 0) \
    X(1, 0, 1, 1, KP_EP_RELU6, 1, 0) \
    X(1, 0, 1, 1, KP_EP_SWISH, 1, 0) \
    X(1, 0, 1, 0, 0, 1, 0) \
    X(1, 0, 1, 0, 0, 1, KP_EP_RELU) \
    X(1, 0, 1, 0, 0, 1, KP_EP_RELU6) \
    X(1, 0, 1, 0, 0, 1, KP_EP_SWISH) \
    X(1, 0, 1, 0, 0, 0, 0) \
    X(1, 0, 0, 0, 0, 0, 0) \
    X(1, 0, 1, 0, KP_EP_RELU, 0, 0) \
    X(1, 0, 1, 0, KP_EP_RELU6, 0, 0) \
    X(1, 0, 1, 0, KP_EP_SWISH, 0, 0) \
    X(1, KP_EP_RELU, 1, 0, 0, 0, 0) \
    X(1, KP_EP_RELU, 0, 0, 0, 0, 0) \
    X(1, KP_EP_RELU, 1, 0, KP_EP_RELU, 0, 0) \
    X(1, KP_EP_RELU, 1, 0, KP_EP_RELU6, 0, 0) \
    X(1, KP_EP_RELU, 1, 0, KP_EP_SWISH, 0, 0) \
    X(1, KP_EP_RELU6, 1, 0, 0, 0, 0) \
    X(1, KP_EP_RELU6, 0, 0, 0, 0, 0) \
    X(1, KP_EP_RELU6, 1, 0, KP_EP_RELU, 0, 0) \
    X(1, KP_EP_RELU6, 1, 0, KP_EP_RELU6, 0, 0) \
    X(1, KP_EP_RELU6, 1, 0, KP_EP_SWISH, 0, 0) \
    X(1, KP_EP_SWISH, 1, 0, 0, 0, 0) \
    X(1, KP_EP_SWISH, 0, 0, 0, 0, 0) \
    X(1, KP_EP_SWISH, 1, 0, KP_EP_RELU, 0, 0) \
    X(1, KP_EP_SWISH, 1, 0, KP_EP_RELU6, 0, 0) \
    X(1, KP_EP_SWISH, 1, 0, KP_EP_SWISH, 0, 0) \
    X(1, KP_EP_SIGMOID, 1, 0, 0, 0, 0) \
    X(1, KP_EP_SIGMOID, 0, 0, 0, 0, 0) \
    X(1, KP_EP_SIGMOID, 1, 0, KP_EP_RELU, 0, 0) \
    X(1, KP_EP_SIGMOID, 1, 0, KP_EP_RELU6, 0, 0) \
    X(1, KP_EP_SIGMOID, 1, 0, KP_EP_SWISH, 0, 0) \
    X(0, 0, 0, 1, 0, 0, 0) \
    X(0, 0, 0, 1, KP_EP_RELU, 0, 0) \
    X(0, 0, 0, 1, KP_EP_RELU6, 0, 0) \
    X(0, 0, 0, 1, KP_EP_SWISH, 0, 0) \
    X(0, 0, 0, 1, 0, 1, 0) \
    X(0, 0, 0, 1, 0, 1, KP_EP_RELU) \
    X(0, 0, 0, 1, 0, 1, KP_EP_RELU6) \
    X(0, 0, 0, 1, 0, 1, KP_EP_SWISH) \
    X(0, 0, 1, 1, KP_EP_HARD_SILU, 0, 0) \
    X(0, 0, 0, 1, KP_EP_HARD_SILU, 0, 0)

/// The form of program `program` (kp_epilogue_plan's number) in `form` (its line of PROGRAMS); 0 when there is
/// no such program. Defined in epilogue_avx2.c.
int kp_epilogue_form(int program, int form[7]);

/// One row {N, form} of a kernel's list of the passes it applies in registers (an X-macro list X(N, B, A0, F0, SS,
/// A1, ADD, A2): depthwise_body.h's DW_PASSES, gemm_avx512.c's GEMM_PASSES).
#define KP_PASS_ROW(N, B, A0, F0, SS, A1, ADD, A2) {N, B, A0, F0, SS, A1, ADD, A2},
/// The number N of the row of `rows` (`count` of them, made with KP_PASS_ROW) whose form is program `program`'s, or
/// 0 when none is (or there is no such program). Defined in epilogue_avx2.c.
int kp_pass_number(int program, const int (*rows)[8], int count);

#endif
