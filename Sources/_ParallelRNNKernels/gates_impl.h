// Fused gate math of the Keras cells (after the recurrent GEMM), written once over the SIMD vocabulary of simd_*.h
// and included after activation_impl.h by gates_portable.c, gates_avx2.c and gates_avx512.c. Each output element is
// the same sequence of IEEE operations in every ISA and in loop tails (separate roundings, no FMA contraction, the
// activations of activation_impl.h), so all paths are bitwise identical, and equal to prnn_activation_f32 applied to
// the same pre-activations. Each cell's formulas are written once (the *_k functions below), on k ≤ GATES_K independent
// vectors at a time so that the activations' dependency chains interleave (activation_impl.h); the row-major kernels
// feed them GATES_K·FLANES columns of one row, the transposed ones GATES_K·FLANES lanes of one unit.
//
// The including file defines, before including: GATES_FN (function qualifiers, as ACT_FN), GATES_OUTLINE_FN (the same
// without inlining, for f_more_act) and GATES_K (≤ ACT_K): how
// many vectors the kernels hand the cell formulas at once (Benchmarks/KERNELS.md, ninth round: 2 on AVX2, where it
// measured fastest, 1 with AVX-512's 32 registers, where more made clang spill and re-broadcast constants).

#if GATES_K > ACT_K
#error "GATES_K exceeds ACT_K, the activations' most vectors per call"
#endif

/// The activations beyond the API file's five, one vector per call and out of line: one copy per file rather than one
/// per call site of f_act_k (always inlined, they multiplied the code, and the SIMDe-emulated AVX-512 build took
/// minutes per file). Only models that use them pay the call.
GATES_OUTLINE_FN VF f_more_act(prnn_activation act, VF x) {
#define MORE_ACT_CASE(NAME, F, D) case NAME: return F(x);
    switch (act) {
    PRNN_MORE_ACTIVATIONS(MORE_ACT_CASE)
    default: return x;
    }
#undef MORE_ACT_CASE
}

/// y[q] = act(x[q]) for k vectors (x and y may alias): prnn_activation_f32's element formulas (linear: x).
GATES_FN void f_act_k(prnn_activation act, int k, const VF *x, VF *y) {
    switch (act) {
    case PRNN_ACT_TANH: f_tanh_k(k, x, y); return;
    case PRNN_ACT_SIGMOID: f_sigmoid_k(k, x, y); return;
    case PRNN_ACT_HARD_SIGMOID: PRNN_EACH(q, k) y[q] = f_hard_sigmoid(x[q]); return;
    case PRNN_ACT_RELU: PRNN_EACH(q, k) y[q] = f_relu(x[q]); return;
    case PRNN_ACT_LINEAR: PRNN_EACH(q, k) y[q] = x[q]; return;
    default: PRNN_EACH(q, k) y[q] = f_more_act(act, x[q]); return;
    }
}

// ---------------------------------------------------------------- the cells' formulas on k vectors
/// LSTM from z = pre-activations with biases added (in place): i, f, o = ra(z_i, z_f, z_o), g = a(z_g);
/// c' = f·c + i·g; h' = o·a(c').
GATES_FN void lstm_k(int k, VF *zi, VF *zf, VF *zg, VF *zo, const VF *c, VF *cn, VF *hn, prnn_activation act,
                     prnn_activation ract) {
    f_act_k(ract, k, zi, zi);
    f_act_k(ract, k, zf, zf);
    f_act_k(act, k, zg, zg);
    f_act_k(ract, k, zo, zo);
    PRNN_EACH(q, k) cn[q] = fadd(fmul(zf[q], c[q]), fmul(zi[q], zg[q]));
    f_act_k(act, k, cn, hn);
    PRNN_EACH(q, k) hn[q] = fmul(zo[q], hn[q]);
}

/// GRU, reset after, from x = input part + b_in and inner = recurrent part + b_rec (in place): z, r = ra(x + inner);
/// hh = a(x_h + r·inner_h); h' = z·h + (1 − z)·hh.
GATES_FN void gru_reset_after_k(int k, VF *xz, VF *xr, VF *xh, const VF *iz, const VF *ir, const VF *ih,
                                const VF *h, VF *hn, prnn_activation act, prnn_activation ract) {
    PRNN_EACH(q, k) { xz[q] = fadd(xz[q], iz[q]); xr[q] = fadd(xr[q], ir[q]); }
    f_act_k(ract, k, xz, xz);
    f_act_k(ract, k, xr, xr);
    PRNN_EACH(q, k) xh[q] = fadd(xh[q], fmul(xr[q], ih[q]));
    f_act_k(act, k, xh, xh);
    PRNN_EACH(q, k) hn[q] = fadd(fmul(xz[q], h[q]), fmul(fsub(fset(1.0f), xz[q]), xh[q]));
}

/// GRU, reset before, phase 1 (before the candidate GEMM), from x = input part + b: z, r = ra(x_zr + R_zr) (in
/// place, z out in xz); rh = r·h.
GATES_FN void gru_phase1_k(int k, VF *xz, VF *xr, const VF *rz, const VF *rr, const VF *h, VF *rh,
                           prnn_activation ract) {
    PRNN_EACH(q, k) { xz[q] = fadd(xz[q], rz[q]); xr[q] = fadd(xr[q], rr[q]); }
    f_act_k(ract, k, xz, xz);
    f_act_k(ract, k, xr, xr);
    PRNN_EACH(q, k) rh[q] = fmul(xr[q], h[q]);
}

/// GRU, reset before, phase 2 (after RH = (r·h)·U_h), from x_h = input part + b_h: hh = a(x_h + RH) (in place);
/// h' = z·h + (1 − z)·hh.
GATES_FN void gru_phase2_k(int k, VF *xh, const VF *rh, const VF *z, const VF *h, VF *hn, prnn_activation act) {
    PRNN_EACH(q, k) xh[q] = fadd(xh[q], rh[q]);
    f_act_k(act, k, xh, xh);
    PRNN_EACH(q, k) hn[q] = fadd(fmul(z[q], h[q]), fmul(fsub(fset(1.0f), z[q]), xh[q]));
}

// ---------------------------------------------------------------- row-major data
/// m lanes at p (m == FLANES: a full vector).
GATES_FN VF ld(const float *p, int m) { return m == FLANES ? fload(p) : fload_part(p, m); }
GATES_FN void st(float *p, VF v, int m) {
    if (m == FLANES) fstore(p, v); else fstore_part(p, v, m);
}
/// v[q] = the m lanes at p + q·FLANES; st_k and add_k (v[q] + those lanes; p NULL: nothing) alike.
GATES_FN void ld_k(int k, const float *p, int m, VF *v) { PRNN_EACH(q, k) v[q] = ld(p + (size_t)q * FLANES, m); }
GATES_FN void st_k(int k, float *p, const VF *v, int m) { PRNN_EACH(q, k) st(p + (size_t)q * FLANES, v[q], m); }
GATES_FN void add_k(int k, VF *v, const float *p, int m) {
    if (p) PRNN_EACH(q, k) v[q] = fadd(v[q], ld(p + (size_t)q * FLANES, m));
}

/// Runs CHUNK(j, k, m) over the columns 0..<units of one row: k vectors of m lanes from column j (GATES_K full vectors,
/// then single full vectors, then one partial vector).
#define GATES_COLUMNS(units, CHUNK) do { \
    int j_ = 0; \
    for (; j_ + GATES_K * FLANES <= (units); j_ += GATES_K * FLANES) CHUNK(j_, GATES_K, FLANES); \
    for (; j_ + FLANES <= (units); j_ += FLANES) CHUNK(j_, 1, FLANES); \
    if (j_ < (units)) CHUNK(j_, 1, (units) - j_); } while (0)

/// LSTM: z = (P + R) + b (R NULL: z = P + b), then lstm_k.
GATES_FN void gates_lstm_rows(int n, int units, const float *P, int ldp, const float *R, const float *bias,
                         const float *c, float *newC, float *newH, int ldnh, prnn_activation act,
                         prnn_activation ract) {
    const size_t u = (size_t)units, g = 4 * u;
    for (int row = 0; row < n; row++) {
        const float *p = P + (size_t)row * ldp, *r = R ? R + row * g : NULL, *cr = c + row * u;
        float *nc = newC + row * u, *nh = newH + (size_t)row * ldnh;
#define LSTM_CHUNK(j, k, m) { \
        VF zi[GATES_K], zf[GATES_K], zg[GATES_K], zo[GATES_K], cc[GATES_K], cn[GATES_K], hn[GATES_K]; \
        ld_k(k, p + (j), m, zi); ld_k(k, p + u + (j), m, zf); ld_k(k, p + 2 * u + (j), m, zg); \
        ld_k(k, p + 3 * u + (j), m, zo); \
        if (r) { add_k(k, zi, r + (j), m); add_k(k, zf, r + u + (j), m); add_k(k, zg, r + 2 * u + (j), m); \
                 add_k(k, zo, r + 3 * u + (j), m); } \
        if (bias) { add_k(k, zi, bias + (j), m); add_k(k, zf, bias + u + (j), m); add_k(k, zg, bias + 2 * u + (j), m); \
                    add_k(k, zo, bias + 3 * u + (j), m); } \
        ld_k(k, cr + (j), m, cc); \
        lstm_k(k, zi, zf, zg, zo, cc, cn, hn, act, ract); \
        st_k(k, nc + (j), cn, m); st_k(k, nh + (j), hn, m); }
        GATES_COLUMNS(units, LSTM_CHUNK);
#undef LSTM_CHUNK
    }
}

/// GRU, reset after: x = P + b_in; inner = R + b_rec; then gru_reset_after_k.
GATES_FN void gates_gru_reset_after_rows(int n, int units, const float *P, int ldp, const float *R, const float *ibias,
                                    const float *rbias, const float *h, int ldh, float *newH, int ldnh,
                                    prnn_activation act, prnn_activation ract) {
    const size_t u = (size_t)units, g = 3 * u;
    for (int row = 0; row < n; row++) {
        const float *p = P + (size_t)row * ldp, *r = R + row * g, *hr = h + (size_t)row * ldh;
        float *nh = newH + (size_t)row * ldnh;
#define GRU_RA_CHUNK(j, k, m) { \
        VF xz[GATES_K], xr[GATES_K], xh[GATES_K], iz[GATES_K], ir[GATES_K], ih[GATES_K], hh[GATES_K], hn[GATES_K]; \
        ld_k(k, p + (j), m, xz); ld_k(k, p + u + (j), m, xr); ld_k(k, p + 2 * u + (j), m, xh); \
        if (ibias) { add_k(k, xz, ibias + (j), m); add_k(k, xr, ibias + u + (j), m); add_k(k, xh, ibias + 2 * u + (j), m); } \
        ld_k(k, r + (j), m, iz); ld_k(k, r + u + (j), m, ir); ld_k(k, r + 2 * u + (j), m, ih); \
        if (rbias) { add_k(k, iz, rbias + (j), m); add_k(k, ir, rbias + u + (j), m); add_k(k, ih, rbias + 2 * u + (j), m); } \
        ld_k(k, hr + (j), m, hh); \
        gru_reset_after_k(k, xz, xr, xh, iz, ir, ih, hh, hn, act, ract); \
        st_k(k, nh + (j), hn, m); }
        GATES_COLUMNS(units, GRU_RA_CHUNK);
#undef GRU_RA_CHUNK
    }
}

/// GRU, reset before, phase 1: x = P + b, then gru_phase1_k; z to zgate, r·h to rh.
GATES_FN void gates_gru_phase1_rows(int n, int units, const float *P, int ldp, const float *R, const float *bias,
                               const float *h, int ldh, float *zgate, float *rh, prnn_activation ract) {
    const size_t u = (size_t)units, g = 2 * u;
    for (int row = 0; row < n; row++) {
        const float *p = P + (size_t)row * ldp, *r = R + row * g, *hr = h + (size_t)row * ldh;
        float *zo = zgate + row * u, *rho = rh + row * u;
#define GRU_P1_CHUNK(j, k, m) { \
        VF xz[GATES_K], xr[GATES_K], rz[GATES_K], rr[GATES_K], hh[GATES_K], o[GATES_K]; \
        ld_k(k, p + (j), m, xz); ld_k(k, p + u + (j), m, xr); \
        if (bias) { add_k(k, xz, bias + (j), m); add_k(k, xr, bias + u + (j), m); } \
        ld_k(k, r + (j), m, rz); ld_k(k, r + u + (j), m, rr); ld_k(k, hr + (j), m, hh); \
        gru_phase1_k(k, xz, xr, rz, rr, hh, o, ract); \
        st_k(k, zo + (j), xz, m); st_k(k, rho + (j), o, m); }
        GATES_COLUMNS(units, GRU_P1_CHUNK);
#undef GRU_P1_CHUNK
    }
}

/// GRU, reset before, phase 2: x_h = P_h + b_h, then gru_phase2_k.
GATES_FN void gates_gru_phase2_rows(int n, int units, const float *P, int ldp, const float *RH, const float *bias,
                               const float *h, int ldh, const float *zgate, float *newH, int ldnh,
                               prnn_activation act) {
    const size_t u = (size_t)units;
    for (int row = 0; row < n; row++) {
        const float *p = P + (size_t)row * ldp + 2 * u, *rhr = RH + row * u, *hr = h + (size_t)row * ldh;
        const float *zr = zgate + row * u;
        const float *bh = bias ? bias + 2 * u : NULL;
        float *nh = newH + (size_t)row * ldnh;
#define GRU_P2_CHUNK(j, k, m) { \
        VF xh[GATES_K], rr[GATES_K], zz[GATES_K], hh[GATES_K], hn[GATES_K]; \
        ld_k(k, p + (j), m, xh); \
        if (bh) add_k(k, xh, bh + (j), m); \
        ld_k(k, rhr + (j), m, rr); ld_k(k, zr + (j), m, zz); ld_k(k, hr + (j), m, hh); \
        gru_phase2_k(k, xh, rr, zz, hh, hn, act); \
        st_k(k, nh + (j), hn, m); }
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
#define RNN_CHUNK(j, k, m) { \
        VF x[GATES_K]; \
        ld_k(k, p + (j), m, x); \
        if (bias) add_k(k, x, bias + (j), m); \
        if (r) add_k(k, x, r + (j), m); \
        f_act_k(act, k, x, x); \
        st_k(k, nh + (j), x, m); }
        GATES_COLUMNS(units, RNN_CHUNK);
#undef RNN_CHUNK
    }
}

#undef GATES_COLUMNS

// ---------------------------------------------------------------- transposed data
// prnn_lstm_gates_t_f32 and friends: one unit per row, the batch in the lanes, n a multiple of 16 (so of FLANES);
// element (j, r) of a 16-column panel array of U rows at (r/16)·16·U + j·16 + r%16.
#define GATES_PANEL_LD(base, ld, j, r) ((base) + (size_t)((r) / 16) * (ld) + (size_t)(j) * 16 + (r) % 16)
#define GATES_PANEL(base, u, j, r) GATES_PANEL_LD(base, 16 * (size_t)(u), j, r)

/// Runs CHUNK(j, r, k) for every unit j over its n lanes: k vectors from lane r (GATES_K at a time, then single ones).
#define GATES_T_VECTORS(units, n, CHUNK) do { \
    for (int j_ = 0; j_ < (units); j_++) { \
        int r_ = 0; \
        for (; r_ + GATES_K * FLANES <= (n); r_ += GATES_K * FLANES) CHUNK(j_, r_, GATES_K); \
        for (; r_ < (n); r_ += FLANES) CHUNK(j_, r_, 1); \
    } } while (0)

/// v + the bias of unit j (bias NULL: v).
GATES_FN VF add_b(VF v, const float *bias, size_t j) { return bias ? fadd(v, fset(bias[j])) : v; }
/// Lanes r + q·FLANES of unit j in a panel array (panels ld floats apart: GATES_T_AT_LD), and in an array of rows
/// ld apart.
#define GATES_T_AT(base, u, j, r, q) GATES_PANEL(base, u, j, (r) + (q) * FLANES)
#define GATES_T_AT_LD(base, ld, j, r, q) GATES_PANEL_LD(base, ld, j, (r) + (q) * FLANES)
#define GATES_T_ROW(base, ld, j, r, q) ((base) + (size_t)(j) * (ld) + (r) + (q) * FLANES)

/// LSTM, transposed: gates_lstm_rows with R = NULL; Z = x·W + h·U rows (ldz apart), c and the outputs in panels
/// (newH's ldnh floats apart).
GATES_FN void gates_lstm_t_rows(int units, int n, const float *Z, int ldz, const float *bias, const float *c,
                                float *newC, float *newH, int ldnh, prnn_activation act, prnn_activation ract) {
    const size_t u = (size_t)units, gz = u * (size_t)ldz;
#define LSTM_T_CHUNK(j, r, k) { \
        VF zi[GATES_K], zf[GATES_K], zg[GATES_K], zo[GATES_K], cc[GATES_K], cn[GATES_K], hn[GATES_K]; \
        PRNN_EACH(q, k) { \
            const float *z = GATES_T_ROW(Z, ldz, j, r, q); \
            zi[q] = add_b(fload(z), bias, j); zf[q] = add_b(fload(z + gz), bias, u + j); \
            zg[q] = add_b(fload(z + 2 * gz), bias, 2 * u + j); zo[q] = add_b(fload(z + 3 * gz), bias, 3 * u + j); \
            cc[q] = fload(GATES_T_AT(c, u, j, r, q)); \
        } \
        lstm_k(k, zi, zf, zg, zo, cc, cn, hn, act, ract); \
        PRNN_EACH(q, k) { fstore(GATES_T_AT(newC, u, j, r, q), cn[q]); fstore(GATES_T_AT_LD(newH, ldnh, j, r, q), hn[q]); } }
    GATES_T_VECTORS(units, n, LSTM_T_CHUNK);
#undef LSTM_T_CHUNK
}

/// GRU with reset_after, transposed: gates_gru_reset_after_rows; Z = x·W and R = h·U rows, h and h' in panels.
GATES_FN void gates_gru_reset_after_t_rows(int units, int n, const float *Z, int ldz, const float *R, int ldr,
                                           const float *ibias, const float *rbias, const float *h, float *newH,
                                           prnn_activation act, prnn_activation ract) {
    const size_t u = (size_t)units, gz = u * (size_t)ldz, gr = u * (size_t)ldr;
#define GRU_RA_T_CHUNK(j, r, k) { \
        VF xz[GATES_K], xr[GATES_K], xh[GATES_K], iz[GATES_K], ir[GATES_K], ih[GATES_K], hh[GATES_K], hn[GATES_K]; \
        PRNN_EACH(q, k) { \
            const float *z = GATES_T_ROW(Z, ldz, j, r, q), *rc = GATES_T_ROW(R, ldr, j, r, q); \
            xz[q] = add_b(fload(z), ibias, j); xr[q] = add_b(fload(z + gz), ibias, u + j); \
            xh[q] = add_b(fload(z + 2 * gz), ibias, 2 * u + j); \
            iz[q] = add_b(fload(rc), rbias, j); ir[q] = add_b(fload(rc + gr), rbias, u + j); \
            ih[q] = add_b(fload(rc + 2 * gr), rbias, 2 * u + j); \
            hh[q] = fload(GATES_T_AT(h, u, j, r, q)); \
        } \
        gru_reset_after_k(k, xz, xr, xh, iz, ir, ih, hh, hn, act, ract); \
        PRNN_EACH(q, k) fstore(GATES_T_AT(newH, u, j, r, q), hn[q]); }
    GATES_T_VECTORS(units, n, GRU_RA_T_CHUNK);
#undef GRU_RA_T_CHUNK
}

/// GRU without reset_after, transposed phase 1: gates_gru_phase1_rows; zgate [U, n] (rows n apart), rh in panels
/// (the candidate product's operand).
GATES_FN void gates_gru_phase1_t_rows(int units, int n, const float *Z, int ldz, const float *R, int ldr,
                                      const float *bias, const float *h, float *zgate, float *rh, prnn_activation ract) {
    const size_t u = (size_t)units, gz = u * (size_t)ldz, gr = u * (size_t)ldr;
#define GRU_P1_T_CHUNK(j, r, k) { \
        VF xz[GATES_K], xr[GATES_K], rz[GATES_K], rrv[GATES_K], hh[GATES_K], o[GATES_K]; \
        PRNN_EACH(q, k) { \
            const float *z = GATES_T_ROW(Z, ldz, j, r, q), *rc = GATES_T_ROW(R, ldr, j, r, q); \
            xz[q] = add_b(fload(z), bias, j); xr[q] = add_b(fload(z + gz), bias, u + j); \
            rz[q] = fload(rc); rrv[q] = fload(rc + gr); \
            hh[q] = fload(GATES_T_AT(h, u, j, r, q)); \
        } \
        gru_phase1_k(k, xz, xr, rz, rrv, hh, o, ract); \
        PRNN_EACH(q, k) { fstore(GATES_T_ROW(zgate, n, j, r, q), xz[q]); fstore(GATES_T_AT(rh, u, j, r, q), o[q]); } }
    GATES_T_VECTORS(units, n, GRU_P1_T_CHUNK);
#undef GRU_P1_T_CHUNK
}

/// GRU without reset_after, transposed phase 2: gates_gru_phase2_rows; RH [U, n] (rows ldrh apart).
GATES_FN void gates_gru_phase2_t_rows(int units, int n, const float *Z, int ldz, const float *RH, int ldrh,
                                      const float *bias, const float *h, const float *zgate, float *newH,
                                      prnn_activation act) {
    const size_t u = (size_t)units;
    const float *Zh = Z + 2 * u * (size_t)ldz;
#define GRU_P2_T_CHUNK(j, r, k) { \
        VF xh[GATES_K], rhv[GATES_K], zz[GATES_K], hh[GATES_K], hn[GATES_K]; \
        PRNN_EACH(q, k) { \
            xh[q] = add_b(fload(GATES_T_ROW(Zh, ldz, j, r, q)), bias, 2 * u + j); \
            rhv[q] = fload(GATES_T_ROW(RH, ldrh, j, r, q)); \
            zz[q] = fload(GATES_T_ROW(zgate, n, j, r, q)); \
            hh[q] = fload(GATES_T_AT(h, u, j, r, q)); \
        } \
        gru_phase2_k(k, xh, rhv, zz, hh, hn, act); \
        PRNN_EACH(q, k) fstore(GATES_T_AT(newH, u, j, r, q), hn[q]); }
    GATES_T_VECTORS(units, n, GRU_P2_T_CHUNK);
#undef GRU_P2_T_CHUNK
}

/// SimpleRNN, transposed: gates_simple_rnn_rows; R [U, n] (rows ldr apart) or NULL.
GATES_FN void gates_simple_rnn_t_rows(int units, int n, const float *Z, int ldz, const float *R, int ldr,
                                      const float *bias, float *newH, int ldnh, prnn_activation act) {
#define RNN_T_CHUNK(j, r, k) { \
        VF x[GATES_K]; \
        PRNN_EACH(q, k) { \
            x[q] = add_b(fload(GATES_T_ROW(Z, ldz, j, r, q)), bias, j); \
            if (R) x[q] = fadd(x[q], fload(GATES_T_ROW(R, ldr, j, r, q))); \
        } \
        f_act_k(act, k, x, x); \
        PRNN_EACH(q, k) fstore(GATES_T_AT_LD(newH, ldnh, j, r, q), x[q]); }
    GATES_T_VECTORS(units, n, RNN_T_CHUNK);
#undef RNN_T_CHUNK
}
#undef GATES_T_ROW
#undef GATES_T_AT_LD
#undef GATES_T_AT
#undef GATES_T_VECTORS
#undef GATES_PANEL
#undef GATES_PANEL_LD

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
                           float *newH, int ldnh, prnn_activation act, prnn_activation ract) {
    if (GATES_DEFAULT(act, ract))
        gates_lstm_t_rows(units, n, Z, ldz, bias, c, newC, newH, ldnh, PRNN_ACT_TANH, PRNN_ACT_SIGMOID);
    else
        gates_lstm_t_rows(units, n, Z, ldz, bias, c, newC, newH, ldnh, act, ract);
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
GATES_FN void gates_simple_rnn_t(int units, int n, const float *Z, int ldz, const float *R, int ldr,
                                 const float *bias, float *newH, int ldnh, prnn_activation act) {
    if (act == PRNN_ACT_TANH) gates_simple_rnn_t_rows(units, n, Z, ldz, R, ldr, bias, newH, ldnh, PRNN_ACT_TANH);
    else gates_simple_rnn_t_rows(units, n, Z, ldz, R, ldr, bias, newH, ldnh, act);
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
                                    float *newC, float *newH, int ldnh, prnn_activation act, prnn_activation ract) {
    gates_lstm_t(units, n, Z, ldz, bias, c, newC, newH, ldnh, act, ract);
}
GATES_EXPORT(prnn_simple_rnn_t_f32)(int units, int n, const float *Z, int ldz, const float *R, int ldr,
                                    const float *bias, float *newH, int ldnh, prnn_activation act) {
    gates_simple_rnn_t(units, n, Z, ldz, R, ldr, bias, newH, ldnh, act);
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
