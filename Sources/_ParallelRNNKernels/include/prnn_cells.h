#ifndef PRNN_CELLS_H
#define PRNN_CELLS_H
// Fused gate math of the Keras cells, run after the recurrent GEMM: one call per time step for all n rows.
//
// Layouts (row-major, f32): P = x·W is [n, G] with row stride ldp (G = 4U LSTM, 3U GRU, U SimpleRNN); the state h
// and the new state newH are [n, U] with row strides ldh and ldnh (≥ U: the fused cells write newH straight into
// the rows of the output sequence, and read the previous step's h from there); the recurrent products R, c, newC and
// the other outputs are contiguous [n, width]. Biases are nullable (NULL: no bias add at all, which differs from
// adding +0 for a -0 input). Outputs must not alias inputs.
//
// Determinism: every output element is a fixed sequence of IEEE operations with separate roundings (no FMA
// contraction), in the operand order written below, with activations computed by exactly prnn_activation_f32's element
// formula (linear: identity). Results are bitwise identical for every ISA, every n and every column position.
#include "prnn_kernels.h"

#ifdef __cplusplus
extern "C" {
#endif

/// LSTM (tf_keras implementation 2, gates i, f, g, o). R = h·U [n, 4U], bias [4U], c/newC/newH [n, U]
/// (newH rows ldnh apart):
/// z = (P + R) + b; i = ra(z_i), f = ra(z_f), g = a(z_g), o = ra(z_o); c' = f·c + i·g; h' = o·a(c').
/// R may be NULL when P already holds the sum (x·W + h·U): then z = P + b.
void prnn_lstm_gates_f32(int n, int units, const float *P, int ldp, const float *R, const float *bias,
                         const float *c, float *newC, float *newH, int ldnh, prnn_activation act,
                         prnn_activation rec_act);

/// GRU with reset_after (gates z, r, h). R = h·U [n, 3U], input_bias/recurrent_bias [3U], h/newH [n, U]
/// (rows ldh/ldnh apart):
/// x = P + b_in; inner = R + b_rec; z = ra(x_z + inner_z); r = ra(x_r + inner_r); hh = a(x_h + r·inner_h);
/// h' = z·h + (1 − z)·hh.
void prnn_gru_gates_reset_after_f32(int n, int units, const float *P, int ldp, const float *R,
                                    const float *input_bias, const float *recurrent_bias, const float *h, int ldh,
                                    float *newH, int ldnh, prnn_activation act, prnn_activation rec_act);

/// GRU without reset_after, phase 1 (before the candidate product). R = h·U_zr [n, 2U], bias [3U]:
/// x = P + b; zgate = ra(x_z + R_z) [n, U]; rh = ra(x_r + R_r)·h [n, U] (the left operand of (r·h)·U_h).
void prnn_gru_gates_phase1_f32(int n, int units, const float *P, int ldp, const float *R, const float *bias,
                               const float *h, int ldh, float *zgate, float *rh, prnn_activation rec_act);

/// GRU without reset_after, phase 2. RH = (r·h)·U_h [n, U], zgate from phase 1:
/// hh = a((P_h + b_h) + RH); h' = z·h + (1 − z)·hh.
void prnn_gru_gates_phase2_f32(int n, int units, const float *P, int ldp, const float *RH, const float *bias,
                               const float *h, int ldh, const float *zgate, float *newH, int ldnh, prnn_activation act);

/// SimpleRNN. R = h·U [n, U], bias [U]: h' = a((P + b) + R) (Keras's order); R NULL: h' = a(P + b).
void prnn_simple_rnn_f32(int n, int units, const float *P, int ldp, const float *R, const float *bias, float *newH,
                         int ldnh, prnn_activation act);

/// LSTM on transposed data (the batch in the vector lanes; prnn_sgemm_t): Z [4U, n] (rows ldz apart) holds each
/// gate row's x·W + h·U for the n batch columns (prnn_sgemm_t_split); c, newC and newH are in X^T panels of 16 columns ([U] rows of 16
/// lanes per 16 batch rows: element (j, r) at (r/16)·16·U + j·16 + r%16; newH's panels ldnh floats apart instead,
/// ldnh ≥ 16·U, so that it can be the h part of the next step's stacked [x; h] prnn_sgemm_t operand). n a multiple
/// of 16. The element formulas of prnn_lstm_gates_f32 with R = NULL and the bias broadcast per unit: the same bits.
void prnn_lstm_gates_t_f32(int units, int n, const float *Z, int ldz, const float *bias, const float *c, float *newC,
                           float *newH, int ldnh, prnn_activation act, prnn_activation rec_act);

/// GRU with reset_after on transposed data (as prnn_lstm_gates_t_f32): Z = x·W [3U, n] (rows ldz apart), R = h·U
/// [3U, n] (rows ldr apart), h and newH in panels; prnn_gru_gates_reset_after_f32's formulas.
void prnn_gru_gates_reset_after_t_f32(int units, int n, const float *Z, int ldz, const float *R, int ldr,
                                      const float *input_bias, const float *recurrent_bias, const float *h, float *newH,
                                      prnn_activation act, prnn_activation rec_act);

/// GRU without reset_after on transposed data, phase 1: R = h·U_zr [2U, n]; zgate [U, n] (rows n apart) and rh in
/// panels (the operand of the candidate product (r·h)·U_h); prnn_gru_gates_phase1_f32's formulas.
void prnn_gru_gates_phase1_t_f32(int units, int n, const float *Z, int ldz, const float *R, int ldr, const float *bias,
                                 const float *h, float *zgate, float *rh, prnn_activation rec_act);

/// Phase 2: RH = (r·h)·U_h [U, n] (rows ldrh apart), zgate from phase 1, h and newH in panels.
void prnn_gru_gates_phase2_t_f32(int units, int n, const float *Z, int ldz, const float *RH, int ldrh, const float *bias,
                                 const float *h, const float *zgate, float *newH, prnn_activation act);

/// SimpleRNN on transposed data (as prnn_lstm_gates_t_f32): Z = x·W [U, n], R = h·U [U, n] (rows ldr apart) or
/// NULL; h' = a((Z + b) + R) (prnn_simple_rnn_f32's formula) into X^T panels ldnh floats apart.
void prnn_simple_rnn_t_f32(int units, int n, const float *Z, int ldz, const float *R, int ldr, const float *bias,
                           float *newH, int ldnh, prnn_activation act);

#ifdef __cplusplus
}
#endif
#endif
