// Fused gate math of the Keras cells (after the recurrent GEMM), written once over the SIMD vocabulary of simd_*.h
// and included after activation_impl.h by gates_portable.c, gates_avx2.c and gates_avx512.c. Each output element is
// the same sequence of IEEE operations in every ISA and in loop tails (separate roundings, no FMA contraction, the
// activations of activation_impl.h), so all paths are bitwise identical, and equal to prnn_activation_f32 applied to
// the same pre-activations. Rows are processed one at a time; within a row, FLANES columns of every gate at once.
//
// The including file defines GATES_FN (function qualifiers, as ACT_FN) before including.

/// act(x), exactly prnn_activation_f32's element formula (linear: x).
GATES_FN VF f_act(prnn_activation act, VF x) {
    switch (act) {
    case PRNN_ACT_TANH: return f_tanh(x);
    case PRNN_ACT_SIGMOID: return f_sigmoid(x);
    case PRNN_ACT_HARD_SIGMOID: return f_hard_sigmoid(x);
    case PRNN_ACT_RELU: return f_relu(x);
    default: return x;
    }
}

/// m lanes at p (m == FLANES: a full vector).
GATES_FN VF ld(const float *p, int m) { return m == FLANES ? fload(p) : fload_part(p, m); }
GATES_FN void st(float *p, VF v, int m) {
    if (m == FLANES) fstore(p, v); else fstore_part(p, v, m);
}

/// Runs CHUNK(j, m) over the columns 0..<units of one row: full vectors, then one partial vector.
#define GATES_COLUMNS(units, CHUNK) do { \
    int j_ = 0; \
    for (; j_ + FLANES <= (units); j_ += FLANES) CHUNK(j_, FLANES); \
    if (j_ < (units)) CHUNK(j_, (units) - j_); } while (0)

/// LSTM: z = (P + R) + b (R NULL: z = P + b); i, f, o = ra(z_i, z_f, z_o), g = a(z_g); c' = f·c + i·g; h' = o·a(c').
GATES_FN void gates_lstm_rows(int n, int units, const float *P, int ldp, const float *R, const float *bias,
                         const float *c, float *newC, float *newH, int ldnh, prnn_activation act,
                         prnn_activation ract) {
    const size_t u = (size_t)units, g = 4 * u;
    for (int row = 0; row < n; row++) {
        const float *p = P + (size_t)row * ldp, *r = R ? R + row * g : NULL, *cr = c + row * u;
        float *nc = newC + row * u, *nh = newH + (size_t)row * ldnh;
#define LSTM_CHUNK(j, m) { \
        VF zi = ld(p + (j), m), zf = ld(p + u + (j), m), zg = ld(p + 2 * u + (j), m), zo = ld(p + 3 * u + (j), m); \
        if (r) { \
            zi = fadd(zi, ld(r + (j), m)); zf = fadd(zf, ld(r + u + (j), m)); \
            zg = fadd(zg, ld(r + 2 * u + (j), m)); zo = fadd(zo, ld(r + 3 * u + (j), m)); \
        } \
        if (bias) { \
            zi = fadd(zi, ld(bias + (j), m)); zf = fadd(zf, ld(bias + u + (j), m)); \
            zg = fadd(zg, ld(bias + 2 * u + (j), m)); zo = fadd(zo, ld(bias + 3 * u + (j), m)); \
        } \
        VF gi = f_act(ract, zi), gf = f_act(ract, zf), gg = f_act(act, zg), go = f_act(ract, zo); \
        VF cn = fadd(fmul(gf, ld(cr + (j), m)), fmul(gi, gg)); \
        st(nc + (j), cn, m); \
        st(nh + (j), fmul(go, f_act(act, cn)), m); }
        GATES_COLUMNS(units, LSTM_CHUNK);
#undef LSTM_CHUNK
    }
}

/// GRU, reset after: x = P + b_in; inner = R + b_rec; z, r = ra(x + inner); hh = a(x_h + r·inner_h);
/// h' = z·h + (1 − z)·hh.
GATES_FN void gates_gru_reset_after_rows(int n, int units, const float *P, int ldp, const float *R, const float *ibias,
                                    const float *rbias, const float *h, int ldh, float *newH, int ldnh,
                                    prnn_activation act, prnn_activation ract) {
    const size_t u = (size_t)units, g = 3 * u;
    const VF one = fset(1.0f);
    for (int row = 0; row < n; row++) {
        const float *p = P + (size_t)row * ldp, *r = R + row * g, *hr = h + (size_t)row * ldh;
        float *nh = newH + (size_t)row * ldnh;
#define GRU_RA_CHUNK(j, m) { \
        VF xz = ld(p + (j), m), xr = ld(p + u + (j), m), xh = ld(p + 2 * u + (j), m); \
        if (ibias) { \
            xz = fadd(xz, ld(ibias + (j), m)); xr = fadd(xr, ld(ibias + u + (j), m)); \
            xh = fadd(xh, ld(ibias + 2 * u + (j), m)); \
        } \
        VF iz = ld(r + (j), m), ir = ld(r + u + (j), m), ih = ld(r + 2 * u + (j), m); \
        if (rbias) { \
            iz = fadd(iz, ld(rbias + (j), m)); ir = fadd(ir, ld(rbias + u + (j), m)); \
            ih = fadd(ih, ld(rbias + 2 * u + (j), m)); \
        } \
        VF gz = f_act(ract, fadd(xz, iz)), gr = f_act(ract, fadd(xr, ir)); \
        VF hh = f_act(act, fadd(xh, fmul(gr, ih))); \
        st(nh + (j), fadd(fmul(gz, ld(hr + (j), m)), fmul(fsub(one, gz), hh)), m); }
        GATES_COLUMNS(units, GRU_RA_CHUNK);
#undef GRU_RA_CHUNK
    }
}

/// GRU, reset before, phase 1 (before the candidate GEMM): x = P + b; z, r = ra(x_zr + R_zr); rh = r·h.
GATES_FN void gates_gru_phase1_rows(int n, int units, const float *P, int ldp, const float *R, const float *bias,
                               const float *h, int ldh, float *zgate, float *rh, prnn_activation ract) {
    const size_t u = (size_t)units, g = 2 * u;
    for (int row = 0; row < n; row++) {
        const float *p = P + (size_t)row * ldp, *r = R + row * g, *hr = h + (size_t)row * ldh;
        float *zo = zgate + row * u, *rho = rh + row * u;
#define GRU_P1_CHUNK(j, m) { \
        VF xz = ld(p + (j), m), xr = ld(p + u + (j), m); \
        if (bias) { xz = fadd(xz, ld(bias + (j), m)); xr = fadd(xr, ld(bias + u + (j), m)); } \
        VF gz = f_act(ract, fadd(xz, ld(r + (j), m))), gr = f_act(ract, fadd(xr, ld(r + u + (j), m))); \
        st(zo + (j), gz, m); \
        st(rho + (j), fmul(gr, ld(hr + (j), m)), m); }
        GATES_COLUMNS(units, GRU_P1_CHUNK);
#undef GRU_P1_CHUNK
    }
}

/// GRU, reset before, phase 2 (after RH = (r·h)·U_h): hh = a((P_h + b_h) + RH); h' = z·h + (1 − z)·hh.
GATES_FN void gates_gru_phase2_rows(int n, int units, const float *P, int ldp, const float *RH, const float *bias,
                               const float *h, int ldh, const float *zgate, float *newH, int ldnh,
                               prnn_activation act) {
    const size_t u = (size_t)units;
    const VF one = fset(1.0f);
    for (int row = 0; row < n; row++) {
        const float *p = P + (size_t)row * ldp + 2 * u, *rhr = RH + row * u, *hr = h + (size_t)row * ldh;
        const float *zr = zgate + row * u;
        const float *bh = bias ? bias + 2 * u : NULL;
        float *nh = newH + (size_t)row * ldnh;
#define GRU_P2_CHUNK(j, m) { \
        VF xh = ld(p + (j), m); \
        if (bh) xh = fadd(xh, ld(bh + (j), m)); \
        VF hh = f_act(act, fadd(xh, ld(rhr + (j), m))); \
        VF gz = ld(zr + (j), m); \
        st(nh + (j), fadd(fmul(gz, ld(hr + (j), m)), fmul(fsub(one, gz), hh)), m); }
        GATES_COLUMNS(units, GRU_P2_CHUNK);
#undef GRU_P2_CHUNK
    }
}

/// SimpleRNN: h' = a((P + b) + R) (R NULL: a(P + b)).
GATES_FN void gates_simple_rnn_rows(int n, int units, const float *P, int ldp, const float *R, const float *bias,
                               float *newH, int ldnh, prnn_activation act) {
    const size_t u = (size_t)units;
    for (int row = 0; row < n; row++) {
        const float *p = P + (size_t)row * ldp, *r = R ? R + row * u : NULL;
        float *nh = newH + (size_t)row * ldnh;
#define RNN_CHUNK(j, m) { \
        VF x = ld(p + (j), m); \
        if (bias) x = fadd(x, ld(bias + (j), m)); \
        if (r) x = fadd(x, ld(r + (j), m)); \
        st(nh + (j), f_act(act, x), m); }
        GATES_COLUMNS(units, RNN_CHUNK);
#undef RNN_CHUNK
    }
}

#undef GATES_COLUMNS

// Transposed data (prnn_lstm_gates_t_f32): one unit per row, the batch in the lanes, n a multiple of 16 (so of
// FLANES); element (j, r) of a 16-column panel array of U rows at (r/16)·16·U + j·16 + r%16.
#define GATES_PANEL(base, u, j, r) ((base) + (size_t)((r) / 16) * 16 * (u) + (size_t)(j) * 16 + (r) % 16)

/// LSTM, transposed: the element formulas of gates_lstm_rows with R = NULL.
GATES_FN void gates_lstm_t_rows(int units, int n, const float *Z, int ldz, const float *bias, const float *c,
                                float *newC, float *newH, prnn_activation act, prnn_activation ract) {
    const size_t u = (size_t)units;
    for (int j = 0; j < units; j++) {
        const float *zi = Z + (size_t)j * ldz, *zf = Z + (u + j) * ldz, *zg = Z + (2 * u + j) * ldz,
                    *zo = Z + (3 * u + j) * ldz;
        VF bi = fset(0.0f), bf = bi, bg = bi, bo = bi;
        if (bias) { bi = fset(bias[j]); bf = fset(bias[u + j]); bg = fset(bias[2 * u + j]); bo = fset(bias[3 * u + j]); }
        for (int r = 0; r < n; r += FLANES) {
            VF xi = fload(zi + r), xf = fload(zf + r), xg = fload(zg + r), xo = fload(zo + r);
            if (bias) { xi = fadd(xi, bi); xf = fadd(xf, bf); xg = fadd(xg, bg); xo = fadd(xo, bo); }
            VF gi = f_act(ract, xi), gf = f_act(ract, xf), gg = f_act(act, xg), go = f_act(ract, xo);
            VF cn = fadd(fmul(gf, fload(GATES_PANEL(c, u, j, r))), fmul(gi, gg));
            fstore(GATES_PANEL(newC, u, j, r), cn);
            fstore(GATES_PANEL(newH, u, j, r), fmul(go, f_act(act, cn)));
        }
    }
}

/// GRU with reset_after, transposed: the element formulas of gates_gru_reset_after_rows; Z = x·W and R = h·U rows.
GATES_FN void gates_gru_reset_after_t_rows(int units, int n, const float *Z, int ldz, const float *R, int ldr,
                                           const float *ibias, const float *rbias, const float *h, float *newH,
                                           prnn_activation act, prnn_activation ract) {
    const size_t u = (size_t)units;
    const VF one = fset(1.0f), zero = fset(0.0f);
    for (int j = 0; j < units; j++) {
        const float *pz = Z + (size_t)j * ldz, *pr = Z + (u + j) * ldz, *ph = Z + (2 * u + j) * ldz;
        const float *rz = R + (size_t)j * ldr, *rr = R + (u + j) * ldr, *rh = R + (2 * u + j) * ldr;
        VF bz = ibias ? fset(ibias[j]) : zero, br = ibias ? fset(ibias[u + j]) : zero, bh = ibias ? fset(ibias[2 * u + j]) : zero;
        VF cz = rbias ? fset(rbias[j]) : zero, cr = rbias ? fset(rbias[u + j]) : zero, ch = rbias ? fset(rbias[2 * u + j]) : zero;
        for (int r = 0; r < n; r += FLANES) {
            VF xz = fload(pz + r), xr = fload(pr + r), xh = fload(ph + r);
            if (ibias) { xz = fadd(xz, bz); xr = fadd(xr, br); xh = fadd(xh, bh); }
            VF iz = fload(rz + r), ir = fload(rr + r), ih = fload(rh + r);
            if (rbias) { iz = fadd(iz, cz); ir = fadd(ir, cr); ih = fadd(ih, ch); }
            VF gz = f_act(ract, fadd(xz, iz)), gr = f_act(ract, fadd(xr, ir));
            VF hh = f_act(act, fadd(xh, fmul(gr, ih)));
            fstore(GATES_PANEL(newH, u, j, r), fadd(fmul(gz, fload(GATES_PANEL(h, u, j, r))), fmul(fsub(one, gz), hh)));
        }
    }
}

/// GRU without reset_after, transposed phase 1: gates_gru_phase1_rows' formulas; zgate [U, n] (rows n apart), rh in
/// panels (the candidate product's operand).
GATES_FN void gates_gru_phase1_t_rows(int units, int n, const float *Z, int ldz, const float *R, int ldr,
                                      const float *bias, const float *h, float *zgate, float *rh, prnn_activation ract) {
    const size_t u = (size_t)units;
    const VF zero = fset(0.0f);
    for (int j = 0; j < units; j++) {
        const float *pz = Z + (size_t)j * ldz, *pr = Z + (u + j) * ldz, *rz = R + (size_t)j * ldr, *rr = R + (u + j) * ldr;
        VF bz = bias ? fset(bias[j]) : zero, br = bias ? fset(bias[u + j]) : zero;
        for (int r = 0; r < n; r += FLANES) {
            VF xz = fload(pz + r), xr = fload(pr + r);
            if (bias) { xz = fadd(xz, bz); xr = fadd(xr, br); }
            VF gz = f_act(ract, fadd(xz, fload(rz + r))), gr = f_act(ract, fadd(xr, fload(rr + r)));
            fstore(zgate + (size_t)j * n + r, gz);
            fstore(GATES_PANEL(rh, u, j, r), fmul(gr, fload(GATES_PANEL(h, u, j, r))));
        }
    }
}

/// GRU without reset_after, transposed phase 2: gates_gru_phase2_rows' formulas; RH [U, n] (rows ldrh apart).
GATES_FN void gates_gru_phase2_t_rows(int units, int n, const float *Z, int ldz, const float *RH, int ldrh,
                                      const float *bias, const float *h, const float *zgate, float *newH,
                                      prnn_activation act) {
    const size_t u = (size_t)units;
    const VF one = fset(1.0f);
    for (int j = 0; j < units; j++) {
        const float *ph = Z + (2 * u + j) * ldz, *rhr = RH + (size_t)j * ldrh;
        VF bh = bias ? fset(bias[2 * u + j]) : fset(0.0f);
        for (int r = 0; r < n; r += FLANES) {
            VF xh = fload(ph + r);
            if (bias) xh = fadd(xh, bh);
            VF hh = f_act(act, fadd(xh, fload(rhr + r)));
            VF gz = fload(zgate + (size_t)j * n + r);
            fstore(GATES_PANEL(newH, u, j, r), fadd(fmul(gz, fload(GATES_PANEL(h, u, j, r))), fmul(fsub(one, gz), hh)));
        }
    }
}

/// SimpleRNN, transposed: the element formula of gates_simple_rnn_rows with R = NULL.
GATES_FN void gates_simple_rnn_t_rows(int units, int n, const float *Z, int ldz, const float *bias, float *newH,
                                      prnn_activation act) {
    for (int j = 0; j < units; j++) {
        const float *z = Z + (size_t)j * ldz;
        VF b = bias ? fset(bias[j]) : fset(0.0f);
        for (int r = 0; r < n; r += FLANES) {
            VF x = fload(z + r);
            if (bias) x = fadd(x, b);
            fstore(GATES_PANEL(newH, units, j, r), f_act(act, x));
        }
    }
}
#undef GATES_PANEL

// Keras's default activations (tanh, sigmoid) get their own instances with the activations known at compile time
// (no per-vector dispatch); the arithmetic is the same, so are the bits.
#define GATES_DEFAULT(act, ract) ((act) == PRNN_ACT_TANH && (ract) == PRNN_ACT_SIGMOID)

GATES_FN void gates_lstm(int n, int units, const float *P, int ldp, const float *R, const float *bias,
                         const float *c, float *newC, float *newH, int ldnh, prnn_activation act,
                         prnn_activation ract) {
    if (GATES_DEFAULT(act, ract))
        gates_lstm_rows(n, units, P, ldp, R, bias, c, newC, newH, ldnh, PRNN_ACT_TANH, PRNN_ACT_SIGMOID);
    else
        gates_lstm_rows(n, units, P, ldp, R, bias, c, newC, newH, ldnh, act, ract);
}
GATES_FN void gates_gru_reset_after(int n, int units, const float *P, int ldp, const float *R, const float *ibias,
                                    const float *rbias, const float *h, int ldh, float *newH, int ldnh,
                                    prnn_activation act, prnn_activation ract) {
    if (GATES_DEFAULT(act, ract))
        gates_gru_reset_after_rows(n, units, P, ldp, R, ibias, rbias, h, ldh, newH, ldnh, PRNN_ACT_TANH,
                                   PRNN_ACT_SIGMOID);
    else
        gates_gru_reset_after_rows(n, units, P, ldp, R, ibias, rbias, h, ldh, newH, ldnh, act, ract);
}
GATES_FN void gates_gru_phase1(int n, int units, const float *P, int ldp, const float *R, const float *bias,
                               const float *h, int ldh, float *zgate, float *rh, prnn_activation ract) {
    if (ract == PRNN_ACT_SIGMOID)
        gates_gru_phase1_rows(n, units, P, ldp, R, bias, h, ldh, zgate, rh, PRNN_ACT_SIGMOID);
    else gates_gru_phase1_rows(n, units, P, ldp, R, bias, h, ldh, zgate, rh, ract);
}
GATES_FN void gates_gru_phase2(int n, int units, const float *P, int ldp, const float *RH, const float *bias,
                               const float *h, int ldh, const float *zgate, float *newH, int ldnh,
                               prnn_activation act) {
    if (act == PRNN_ACT_TANH)
        gates_gru_phase2_rows(n, units, P, ldp, RH, bias, h, ldh, zgate, newH, ldnh, PRNN_ACT_TANH);
    else gates_gru_phase2_rows(n, units, P, ldp, RH, bias, h, ldh, zgate, newH, ldnh, act);
}
GATES_FN void gates_simple_rnn(int n, int units, const float *P, int ldp, const float *R, const float *bias,
                               float *newH, int ldnh, prnn_activation act) {
    if (act == PRNN_ACT_TANH) gates_simple_rnn_rows(n, units, P, ldp, R, bias, newH, ldnh, PRNN_ACT_TANH);
    else gates_simple_rnn_rows(n, units, P, ldp, R, bias, newH, ldnh, act);
}
GATES_FN void gates_lstm_t(int units, int n, const float *Z, int ldz, const float *bias, const float *c, float *newC,
                           float *newH, prnn_activation act, prnn_activation ract) {
    if (GATES_DEFAULT(act, ract))
        gates_lstm_t_rows(units, n, Z, ldz, bias, c, newC, newH, PRNN_ACT_TANH, PRNN_ACT_SIGMOID);
    else
        gates_lstm_t_rows(units, n, Z, ldz, bias, c, newC, newH, act, ract);
}
GATES_FN void gates_gru_reset_after_t(int units, int n, const float *Z, int ldz, const float *R, int ldr,
                                      const float *ibias, const float *rbias, const float *h, float *newH,
                                      prnn_activation act, prnn_activation ract) {
    if (GATES_DEFAULT(act, ract))
        gates_gru_reset_after_t_rows(units, n, Z, ldz, R, ldr, ibias, rbias, h, newH, PRNN_ACT_TANH, PRNN_ACT_SIGMOID);
    else
        gates_gru_reset_after_t_rows(units, n, Z, ldz, R, ldr, ibias, rbias, h, newH, act, ract);
}
GATES_FN void gates_gru_phase1_t(int units, int n, const float *Z, int ldz, const float *R, int ldr, const float *bias,
                                 const float *h, float *zgate, float *rh, prnn_activation ract) {
    if (ract == PRNN_ACT_SIGMOID) gates_gru_phase1_t_rows(units, n, Z, ldz, R, ldr, bias, h, zgate, rh, PRNN_ACT_SIGMOID);
    else gates_gru_phase1_t_rows(units, n, Z, ldz, R, ldr, bias, h, zgate, rh, ract);
}
GATES_FN void gates_gru_phase2_t(int units, int n, const float *Z, int ldz, const float *RH, int ldrh, const float *bias,
                                 const float *h, const float *zgate, float *newH, prnn_activation act) {
    if (act == PRNN_ACT_TANH) gates_gru_phase2_t_rows(units, n, Z, ldz, RH, ldrh, bias, h, zgate, newH, PRNN_ACT_TANH);
    else gates_gru_phase2_t_rows(units, n, Z, ldz, RH, ldrh, bias, h, zgate, newH, act);
}
GATES_FN void gates_simple_rnn_t(int units, int n, const float *Z, int ldz, const float *bias, float *newH,
                                 prnn_activation act) {
    if (act == PRNN_ACT_TANH) gates_simple_rnn_t_rows(units, n, Z, ldz, bias, newH, PRNN_ACT_TANH);
    else gates_simple_rnn_t_rows(units, n, Z, ldz, bias, newH, act);
}
#undef GATES_DEFAULT

// ---------------------------------------------------------------- the ISA's entry points (GATES_EXPORT(name) names them)
GATES_EXPORT(prnn_lstm_gates_f32)(int n, int units, const float *P, int ldp, const float *R, const float *bias,
                                  const float *c, float *newC, float *newH, int ldnh, prnn_activation act,
                                  prnn_activation ract) {
    gates_lstm(n, units, P, ldp, R, bias, c, newC, newH, ldnh, act, ract);
}
GATES_EXPORT(prnn_gru_gates_reset_after_f32)(int n, int units, const float *P, int ldp, const float *R,
                                             const float *ibias, const float *rbias, const float *h, int ldh,
                                             float *newH, int ldnh, prnn_activation act, prnn_activation ract) {
    gates_gru_reset_after(n, units, P, ldp, R, ibias, rbias, h, ldh, newH, ldnh, act, ract);
}
GATES_EXPORT(prnn_gru_gates_phase1_f32)(int n, int units, const float *P, int ldp, const float *R, const float *bias,
                                        const float *h, int ldh, float *zgate, float *rh, prnn_activation ract) {
    gates_gru_phase1(n, units, P, ldp, R, bias, h, ldh, zgate, rh, ract);
}
GATES_EXPORT(prnn_gru_gates_phase2_f32)(int n, int units, const float *P, int ldp, const float *RH, const float *bias,
                                        const float *h, int ldh, const float *zgate, float *newH, int ldnh,
                                        prnn_activation act) {
    gates_gru_phase2(n, units, P, ldp, RH, bias, h, ldh, zgate, newH, ldnh, act);
}
GATES_EXPORT(prnn_simple_rnn_f32)(int n, int units, const float *P, int ldp, const float *R, const float *bias,
                                  float *newH, int ldnh, prnn_activation act) {
    gates_simple_rnn(n, units, P, ldp, R, bias, newH, ldnh, act);
}
GATES_EXPORT(prnn_lstm_gates_t_f32)(int units, int n, const float *Z, int ldz, const float *bias, const float *c,
                                    float *newC, float *newH, prnn_activation act, prnn_activation ract) {
    gates_lstm_t(units, n, Z, ldz, bias, c, newC, newH, act, ract);
}
GATES_EXPORT(prnn_simple_rnn_t_f32)(int units, int n, const float *Z, int ldz, const float *bias, float *newH,
                                    prnn_activation act) {
    gates_simple_rnn_t(units, n, Z, ldz, bias, newH, act);
}
GATES_EXPORT(prnn_gru_gates_reset_after_t_f32)(int units, int n, const float *Z, int ldz, const float *R, int ldr,
                                               const float *ibias, const float *rbias, const float *h, float *newH,
                                               prnn_activation act, prnn_activation ract) {
    gates_gru_reset_after_t(units, n, Z, ldz, R, ldr, ibias, rbias, h, newH, act, ract);
}
GATES_EXPORT(prnn_gru_gates_phase1_t_f32)(int units, int n, const float *Z, int ldz, const float *R, int ldr,
                                          const float *bias, const float *h, float *zgate, float *rh,
                                          prnn_activation ract) {
    gates_gru_phase1_t(units, n, Z, ldz, R, ldr, bias, h, zgate, rh, ract);
}
GATES_EXPORT(prnn_gru_gates_phase2_t_f32)(int units, int n, const float *Z, int ldz, const float *RH, int ldrh,
                                          const float *bias, const float *h, const float *zgate, float *newH,
                                          prnn_activation act) {
    gates_gru_phase2_t(units, n, Z, ldz, RH, ldrh, bias, h, zgate, newH, act);
}
