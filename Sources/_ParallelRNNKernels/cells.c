// Public entry points of the cell gate kernels (prnn_cells.h): forward to the active ISA's gates_*.c (AVX-512: the
// variant prnn_avx512_gates_k() names).
#include "prnn_internal.h"
#include <stdio.h>
#include <stdlib.h>

/// The transposed kernels load and store whole 16-lane panels: a batch that is not a multiple of 16 would read and
/// write past the caller's rows. The only caller pads its batch; anything else is a bug, stopped in every build.
#define PRNN_REQUIRE_PANELS(name, n) do { \
    if ((n) % 16 != 0) { \
        fprintf(stderr, "%s: batch lanes n = %d is not a multiple of 16\n", name, (n)); \
        abort(); \
    } } while (0)

#if PRNN_X86
#define PRNN_GATES_DISPATCH(name, ...) do { \
    switch (prnn_active_isa()) { \
    case PRNN_ISA_AVX512: \
        if (prnn_avx512_gates_k() == 2) name##_avx512k2(__VA_ARGS__); else name##_avx512(__VA_ARGS__); return; \
    case PRNN_ISA_AVX2: name##_avx2(__VA_ARGS__); return; \
    default: name##_portable(__VA_ARGS__); return; \
    } } while (0)
#else
#define PRNN_GATES_DISPATCH(name, ...) do { name##_portable(__VA_ARGS__); return; } while (0)
#endif

void prnn_lstm_gates_f32(int n, int units, const float *P, int ldp, const float *R, const float *bias,
                         const float *c, float *newC, float *newH, int ldnh, prnn_activation act,
                         prnn_activation rec_act) {
    if (n <= 0 || units <= 0) return;
    PRNN_GATES_DISPATCH(prnn_lstm_gates_f32, n, units, P, ldp, R, bias, c, newC, newH, ldnh, act, rec_act);
}

void prnn_gru_gates_reset_after_f32(int n, int units, const float *P, int ldp, const float *R,
                                    const float *input_bias, const float *recurrent_bias, const float *h, int ldh,
                                    float *newH, int ldnh, prnn_activation act, prnn_activation rec_act) {
    if (n <= 0 || units <= 0) return;
    PRNN_GATES_DISPATCH(prnn_gru_gates_reset_after_f32, n, units, P, ldp, R, input_bias, recurrent_bias, h, ldh, newH,
                        ldnh, act, rec_act);
}

void prnn_gru_gates_phase1_f32(int n, int units, const float *P, int ldp, const float *R, const float *bias,
                               const float *h, int ldh, float *zgate, float *rh, prnn_activation rec_act) {
    if (n <= 0 || units <= 0) return;
    PRNN_GATES_DISPATCH(prnn_gru_gates_phase1_f32, n, units, P, ldp, R, bias, h, ldh, zgate, rh, rec_act);
}

void prnn_gru_gates_phase2_f32(int n, int units, const float *P, int ldp, const float *RH, const float *bias,
                               const float *h, int ldh, const float *zgate, float *newH, int ldnh,
                               prnn_activation act) {
    if (n <= 0 || units <= 0) return;
    PRNN_GATES_DISPATCH(prnn_gru_gates_phase2_f32, n, units, P, ldp, RH, bias, h, ldh, zgate, newH, ldnh, act);
}

void prnn_lstm_gates_t_f32(int units, int n, const float *Z, int ldz, const float *bias, const float *c, float *newC,
                           float *newH, int ldnh, prnn_activation act, prnn_activation rec_act) {
    if (n <= 0 || units <= 0) return;
    PRNN_REQUIRE_PANELS("prnn_lstm_gates_t_f32", n);
    PRNN_GATES_DISPATCH(prnn_lstm_gates_t_f32, units, n, Z, ldz, bias, c, newC, newH, ldnh, act, rec_act);
}

void prnn_gru_gates_reset_after_t_f32(int units, int n, const float *Z, int ldz, const float *R, int ldr,
                                      const float *input_bias, const float *recurrent_bias, const float *h, float *newH,
                                      prnn_activation act, prnn_activation rec_act) {
    if (n <= 0 || units <= 0) return;
    PRNN_REQUIRE_PANELS("prnn_gru_gates_reset_after_t_f32", n);
    PRNN_GATES_DISPATCH(prnn_gru_gates_reset_after_t_f32, units, n, Z, ldz, R, ldr, input_bias, recurrent_bias, h, newH,
                        act, rec_act);
}

void prnn_gru_gates_phase1_t_f32(int units, int n, const float *Z, int ldz, const float *R, int ldr, const float *bias,
                                 const float *h, float *zgate, float *rh, prnn_activation rec_act) {
    if (n <= 0 || units <= 0) return;
    PRNN_REQUIRE_PANELS("prnn_gru_gates_phase1_t_f32", n);
    PRNN_GATES_DISPATCH(prnn_gru_gates_phase1_t_f32, units, n, Z, ldz, R, ldr, bias, h, zgate, rh, rec_act);
}

void prnn_gru_gates_phase2_t_f32(int units, int n, const float *Z, int ldz, const float *RH, int ldrh, const float *bias,
                                 const float *h, const float *zgate, float *newH, prnn_activation act) {
    if (n <= 0 || units <= 0) return;
    PRNN_REQUIRE_PANELS("prnn_gru_gates_phase2_t_f32", n);
    PRNN_GATES_DISPATCH(prnn_gru_gates_phase2_t_f32, units, n, Z, ldz, RH, ldrh, bias, h, zgate, newH, act);
}

void prnn_simple_rnn_t_f32(int units, int n, const float *Z, int ldz, const float *R, int ldr, const float *bias,
                           float *newH, int ldnh, prnn_activation act) {
    if (n <= 0 || units <= 0) return;
    PRNN_REQUIRE_PANELS("prnn_simple_rnn_t_f32", n);
    PRNN_GATES_DISPATCH(prnn_simple_rnn_t_f32, units, n, Z, ldz, R, ldr, bias, newH, ldnh, act);
}

void prnn_simple_rnn_f32(int n, int units, const float *P, int ldp, const float *R, const float *bias, float *newH,
                         int ldnh, prnn_activation act) {
    if (n <= 0 || units <= 0) return;
    PRNN_GATES_DISPATCH(prnn_simple_rnn_f32, n, units, P, ldp, R, bias, newH, ldnh, act);
}
