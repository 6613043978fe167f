// Standalone harness for _ParallelRNNKernels: correctness checks and GFLOP/s benchmarks, one core.
//
//   clang -O2 -I Sources/_ParallelRNNKernels/include Sources/_ParallelRNNKernels/*.c Scripts/kernel_bench.c -lm -o /tmp/kb
//   /tmp/kb check          # GEMM vs double reference, ISA vs portable bitwise, activations vs libm
//   /tmp/kb check gates    # the gate kernels and the transposed path only
//   /tmp/kb bench [isa]    # GFLOP/s, median of 7 runs (isa: avx512 | avx2 | portable; default: detected)
//   /tmp/kb quick [isa]    # a few representative shapes only
//   /tmp/kb cells [isa]    # the cells' shapes: recurrent/input packed GEMMs, tiny 32³, and the gate kernels
//   /tmp/kb gates [isa]    # the gate kernels and the activations alone (PRNN_KB_ACT=k: the LSTM's activation)
//   /tmp/kb shapes [isa]   # the packed GEMMs of two-core w1/w2/w5 shards (recurrent and input projections)
//   /tmp/kb tiles avx512   # the AVX-512 register tiles (12×32, 6×64, 12×32e) side by side, then prnn_avx512_tune's pick
//   /tmp/kb loop isa rows T I U blockRows   # one LSTM shard's fused time loop, per phase (see bench_loop)
//   /tmp/kb pack [avx2|avx512]             # A packing: scalar vs register transposes, the w1 shard's blocks
//   /tmp/kb loopt isa rows T I U           # the same shard on the transposed path (batch in the lanes), per phase
//   /tmp/kb tilechoice                     # the tiles short and tall products use (PRNN_AVX512_TILE, tuner), and
//                                          # the AVX-512 gate kernels' vectors per call (PRNN_AVX512_GATES_K, tuner)
#define _GNU_SOURCE
#include "prnn_kernels.h"
#include "prnn_cells.h"
#if defined(__x86_64__)
#include <immintrin.h>
#endif
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/// Wall clock by default; PRNN_BENCH_CPUTIME=1 uses this thread's CPU time (less sensitive to other processes on a
/// shared VM, still not to cache/frequency interference).
static int use_cputime = -1;
static double now(void) {
    if (use_cputime < 0) { const char *e = getenv("PRNN_BENCH_CPUTIME"); use_cputime = e && *e == '1'; }
    struct timespec t;
    clock_gettime(use_cputime ? CLOCK_THREAD_CPUTIME_ID : CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}
static double last_min = 0;
static uint64_t rng = 0x9E3779B97F4A7C15ull;
static double urand(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return (rng >> 11) * (1.0 / 9007199254740992.0); }
static void fill(float *p, size_t n) { for (size_t i = 0; i < n; i++) p[i] = (float)(urand() * 2 - 1); }
static void *amalloc(size_t bytes) { void *p = NULL; if (posix_memalign(&p, 64, bytes ? bytes : 64)) abort(); return p; }
static int failures = 0;
#define FAIL(...) do { failures++; if (failures < 20) { printf("FAIL: "); printf(__VA_ARGS__); printf("\n"); } } while (0)

// ---------------------------------------------------------------- checks
static void check_gemm_shape(int M, int N, int K, int pad, int accumulate) {
    int lda = K + pad, ldb = N + pad, ldc = N + pad;
    float *A = amalloc(sizeof(float) * (size_t)M * lda), *B = amalloc(sizeof(float) * (size_t)K * ldb);
    float *C0 = amalloc(sizeof(float) * (size_t)M * ldc), *C = amalloc(sizeof(float) * (size_t)M * ldc);
    float *Cp = amalloc(sizeof(float) * (size_t)M * ldc), *Cref = amalloc(sizeof(float) * (size_t)M * ldc);
    fill(A, (size_t)M * lda); fill(B, (size_t)K * ldb); fill(C0, (size_t)M * ldc);
    float *packed = amalloc(sizeof(float) * (prnn_sgemm_packed_b_count(K, N) + 1));
    prnn_sgemm_pack_b(K, N, B, ldb, packed);
    // portable reference (bitwise target)
    prnn_isa best = prnn_detected_isa();
    prnn_force_isa(PRNN_ISA_PORTABLE);
    memcpy(Cref, C0, sizeof(float) * (size_t)M * ldc);
    prnn_sgemm(M, N, K, A, lda, B, ldb, Cref, ldc, accumulate);
    // double-precision tolerance check of the portable result
    for (int i = 0; i < M; i++) for (int j = 0; j < N; j++) {
        double acc = accumulate ? C0[(size_t)i * ldc + j] : 0, mag = fabs(acc);
        for (int k = 0; k < K; k++) { double t = (double)A[(size_t)i * lda + k] * B[(size_t)k * ldb + j]; acc += t; mag += fabs(t); }
        double err = fabs(Cref[(size_t)i * ldc + j] - acc);
        if (err > 1e-6 * mag + 1e-30) { FAIL("gemm %dx%dx%d acc=%d (%d,%d) err %g mag %g", M, N, K, accumulate, i, j, err, mag); goto done; }
    }
    for (int isa = 0; isa <= (int)best; isa++) {
        prnn_force_isa((prnn_isa)isa);
        memcpy(C, C0, sizeof(float) * (size_t)M * ldc);
        prnn_sgemm(M, N, K, A, lda, B, ldb, C, ldc, accumulate);
        memcpy(Cp, C0, sizeof(float) * (size_t)M * ldc);
        prnn_sgemm_packed(M, N, K, A, lda, packed, Cp, ldc, accumulate);
        if (memcmp(C, Cref, sizeof(float) * (size_t)M * ldc)) FAIL("sgemm %s %dx%dx%d pad %d acc %d differs from portable (incl. padding)", prnn_isa_name(isa), M, N, K, pad, accumulate);
        if (memcmp(Cp, Cref, sizeof(float) * (size_t)M * ldc)) FAIL("sgemm_packed %s %dx%dx%d pad %d acc %d differs from portable", prnn_isa_name(isa), M, N, K, pad, accumulate);
        // row independence: each of a few rows computed alone
        for (int t = 0; t < 3 && M > 1; t++) {
            int i = (int)(urand() * M);
            float *row = amalloc(sizeof(float) * (size_t)ldc);
            memcpy(row, C0 + (size_t)i * ldc, sizeof(float) * (size_t)ldc);
            prnn_sgemm_packed(1, N, K, A + (size_t)i * lda, lda, packed, row, ldc, accumulate);
            if (memcmp(row, Cref + (size_t)i * ldc, sizeof(float) * (size_t)N)) FAIL("row %d alone differs (%s %dx%dx%d)", i, prnn_isa_name(isa), M, N, K);
            free(row);
        }
    }
    // prnn_sgemm_packed_add: C0 + (the chain from +0), one rounding for the sum; padding untouched. Over several k
    // blocks the chain runs in scratch first.
    prnn_force_isa(PRNN_ISA_PORTABLE);
    float *prod = amalloc(sizeof(float) * (size_t)M * ldc), *Cadd = amalloc(sizeof(float) * (size_t)M * ldc);
    prnn_sgemm(M, N, K, A, lda, B, ldb, prod, ldc, 0);
    memcpy(Cref, C0, sizeof(float) * (size_t)M * ldc);
    for (int i = 0; i < M; i++) for (int j = 0; j < N; j++) Cref[(size_t)i * ldc + j] = C0[(size_t)i * ldc + j] + prod[(size_t)i * ldc + j];
    for (int isa = 0; isa <= (int)best; isa++) {
        prnn_force_isa((prnn_isa)isa);
        memcpy(Cadd, C0, sizeof(float) * (size_t)M * ldc);
        prnn_sgemm_packed_add(M, N, K, A, lda, packed, Cadd, ldc);
        if (memcmp(Cadd, Cref, sizeof(float) * (size_t)M * ldc)) FAIL("sgemm_packed_add %s %dx%dx%d pad %d differs from C + portable product", prnn_isa_name(isa), M, N, K, pad);
    }
    free(prod); free(Cadd);
done:
    prnn_force_isa(best);
    free(A); free(B); free(C0); free(C); free(Cp); free(Cref); free(packed);
}

static void check_dgemm_shape(int M, int N, int K, int pad, int accumulate) {
    int lda = K + pad, ldb = N + pad, ldc = N + pad;
    double *A = amalloc(8 * (size_t)M * lda), *B = amalloc(8 * (size_t)K * ldb), *C0 = amalloc(8 * (size_t)M * ldc);
    double *C = amalloc(8 * (size_t)M * ldc), *Cref = amalloc(8 * (size_t)M * ldc);
    for (size_t i = 0; i < (size_t)M * lda; i++) A[i] = urand() * 2 - 1;
    for (size_t i = 0; i < (size_t)K * ldb; i++) B[i] = urand() * 2 - 1;
    for (size_t i = 0; i < (size_t)M * ldc; i++) C0[i] = urand() * 2 - 1;
    prnn_isa best = prnn_detected_isa();
    prnn_force_isa(PRNN_ISA_PORTABLE);
    memcpy(Cref, C0, 8 * (size_t)M * ldc);
    prnn_dgemm(M, N, K, A, lda, B, ldb, Cref, ldc, accumulate);
    for (int i = 0; i < M; i++) for (int j = 0; j < N; j++) {
        long double acc = accumulate ? C0[(size_t)i * ldc + j] : 0, mag = fabsl(acc);
        for (int k = 0; k < K; k++) { long double t = (long double)A[(size_t)i * lda + k] * B[(size_t)k * ldb + j]; acc += t; mag += fabsl(t); }
        if (fabsl(Cref[(size_t)i * ldc + j] - acc) > 1e-14L * mag + 1e-300L) { FAIL("dgemm %dx%dx%d (%d,%d)", M, N, K, i, j); goto done; }
    }
    for (int isa = 0; isa <= (int)best; isa++) {
        prnn_force_isa((prnn_isa)isa);
        memcpy(C, C0, 8 * (size_t)M * ldc);
        prnn_dgemm(M, N, K, A, lda, B, ldb, C, ldc, accumulate);
        if (memcmp(C, Cref, 8 * (size_t)M * ldc)) FAIL("dgemm %s %dx%dx%d pad %d acc %d differs from portable", prnn_isa_name(isa), M, N, K, pad, accumulate);
    }
done:
    prnn_force_isa(best);
    free(A); free(B); free(C0); free(C); free(Cref);
}

static double ref_act(int act, double x) {
    switch (act) {
    case PRNN_ACT_TANH: return tanh(x);
    case PRNN_ACT_SIGMOID: return x >= 0 ? 1.0 / (1.0 + exp(-x)) : exp(x) / (1.0 + exp(x));
    case PRNN_ACT_SOFTSIGN: return x / (fabs(x) + 1);
    case PRNN_ACT_SOFTPLUS: return x > 40 ? x : log1p(exp(x));
    case PRNN_ACT_ELU: return x < 0 ? expm1(x) : x;
    case PRNN_ACT_SELU: return 1.0507009873554804934193349852946 * (x < 0 ? 1.6732632423543772848170429916717 * expm1(x) : x);
    case PRNN_ACT_EXPONENTIAL: return exp(x);
    case PRNN_ACT_SWISH: return x >= 0 ? x / (1.0 + exp(-x)) : x * exp(x) / (1.0 + exp(x));
    case PRNN_ACT_GELU: return 0.5 * x * erfc(-x / sqrt(2.0));
    case PRNN_ACT_MISH: return x * tanh(x > 40 ? x : log1p(exp(x)));
    case PRNN_ACT_RELU6: return x > 0 ? (x < 6 ? x : 6) : 0;
    case PRNN_ACT_LEAKY_RELU: return x > 0 ? x : x * (double)0.2f;  // TF's alpha is a float attribute
    default: return x;
    }
}

/// The error measure of check_activations: |y - r| / max(|r|, floor). Relative, except where TensorFlow's own formula
/// is only absolutely accurate near the scale 1 (exp(x) - 1 for elu/selu cancels; gelu's
/// erfc(-x·0.7071…) magnifies the rounding of its argument by 2·x²/2 in its left tail): floor 1.
static double act_floor(int act) {
    switch (act) {
    case PRNN_ACT_ELU: case PRNN_ACT_SELU: case PRNN_ACT_GELU: case PRNN_ACT_MISH: return 1;
    default: return 0;
    }
}

static void check_activations(void) {
    const char *names[] = {"tanh", "sigmoid", "hard_sigmoid", "relu", "linear", "softsign", "softplus", "elu", "selu",
                           "exponential", "swish", "gelu", "mish", "relu6", "leaky_relu"};
    size_t n = 200003;
    float *x = amalloc(4 * n), *y = amalloc(4 * n), *yp = amalloc(4 * n);
    double *xd = amalloc(8 * n), *yd = amalloc(8 * n), *ydp = amalloc(8 * n);
    const float specials[] = {0.0f, -0.0f, INFINITY, -INFINITY, NAN, -NAN, 1e-40f, -1e-40f, 1e-30f, 0.625f, -0.625f,
                              0.62499997f, 9.0f, 87.0f, -87.0f, -88.7f, -100.0f, -103.0f, -104.5f, 1e30f, -1e30f, 3.4e38f, -3.4e38f, 2.5f, -2.5f};
    size_t ns = sizeof specials / sizeof specials[0];
    for (size_t i = 0; i < n; i++) {
        if (i < ns) x[i] = specials[i];
        else if (i < n / 2) x[i] = (float)((urand() * 2 - 1) * 12);
        else { float v = (float)exp((urand() * 2 - 1) * 80); x[i] = urand() < 0.5 ? -v : v; }
        xd[i] = i < n / 4 ? (double)x[i] : (i < n / 2 ? (urand() * 2 - 1) * 40 : (double)x[i] * (1 + 1e-9));
    }
    prnn_isa best = prnn_detected_isa();
    for (int act = 0; act <= PRNN_ACT_LEAKY_RELU; act++) {
        const double floor = act_floor(act);
        // swish and gelu scale a result that underflowed (sigmoid's, erfc's) by |x|: so does its denormal rounding.
        const int scaled = act == PRNN_ACT_SWISH || act == PRNN_ACT_GELU;
        prnn_force_isa(PRNN_ISA_PORTABLE);
        prnn_activation_f32((prnn_activation)act, x, yp, n);
        prnn_activation_f64((prnn_activation)act, xd, ydp, n);
        double maxrel = 0, maxreld = 0;
        for (size_t i = 0; i < n; i++) {
            double r;
            if (act == PRNN_ACT_HARD_SIGMOID) { float v = x[i] * 0.2f; v = v + 0.5f; r = v < 0 ? 0 : (v > 1 ? 1 : v); }
            else if (act == PRNN_ACT_RELU) r = x[i] > 0 ? x[i] : 0;
            else r = ref_act(act, x[i]);
            if (fabs(r) > 3.4028234663852886e38 && isfinite(r)) r = copysign(INFINITY, r);  // overflows in float
            if (isnan(x[i]) || isnan(r)) { if (!isnan(yp[i])) FAIL("%s(%g) = %g want NaN", names[act], x[i], yp[i]); continue; }
            if (r == 0 || !isfinite(r)) { if (yp[i] != r && !(fabs(yp[i]) < 1.2e-38 && fabs(r) < 1.2e-38)) FAIL("%s(%g) = %g want %g", names[act], x[i], yp[i], r); continue; }
            // Denormal results: the normal range's relative bound, or one denormal ulp where that is finer (a relative
            // error of 2.6e-7 is 1.1 ulp at 2^-127, whose ulp is 2^-22 of the value).
            if ((scaled ? fabs(r) / fmax(1, fabs(x[i])) : fabs(r)) < 1.18e-38 && floor < 1.18e-38) {
                if (fabs(yp[i] - r) > fmax(1e-6 * fabs(r), 1.5e-45 * (scaled ? fmax(1, fabs(x[i])) : 1))) FAIL("%s(%a) denormal %a want %a", names[act], x[i], yp[i], r);
                continue;
            }
            double rel = fabs(yp[i] - r) / fmax(fabs(r), floor);
            if (rel > maxrel) maxrel = rel;
            if (rel > 1e-6) FAIL("%s(%.9g) = %.9g want %.9g rel %g", names[act], x[i], yp[i], r, rel);
            if (act == PRNN_ACT_TANH && signbit(yp[i]) != signbit(x[i])) FAIL("tanh sign %g", x[i]);
        }
        for (size_t i = 0; i < n; i++) {
            double r;
            if (act == PRNN_ACT_HARD_SIGMOID) { double v = xd[i] * 0.2; v = v + 0.5; r = v < 0 ? 0 : (v > 1 ? 1 : v); }
            else if (act == PRNN_ACT_RELU) r = xd[i] > 0 ? xd[i] : 0;
            else r = ref_act(act, xd[i]);
            if (isnan(xd[i]) || isnan(r)) { if (!isnan(ydp[i])) FAIL("f64 %s(%g) = %g want NaN", names[act], xd[i], ydp[i]); continue; }
            if (r == 0 || !isfinite(r) || (fabs(r) < 2.3e-308 && floor < 2.3e-308)) {
                if (fabs(ydp[i] - r) > 5e-324 * 4 * (scaled ? fmax(1, fabs(xd[i])) : 1) && !(ydp[i] == r)) FAIL("f64 %s(%g) = %g want %g", names[act], xd[i], ydp[i], r);
                continue;
            }
            double rel = fabs(ydp[i] - r) / fmax(fabs(r), floor);
            if (rel > maxreld) maxreld = rel;
            if (rel > 2e-15) FAIL("f64 %s(%.17g) = %.17g want %.17g rel %g", names[act], xd[i], ydp[i], r, rel);
        }
        printf("  %-12s max rel err vs libm: f32 %.3g  f64 %.3g\n", names[act], maxrel, maxreld);
        for (int isa = 1; isa <= (int)best; isa++) {
            prnn_force_isa((prnn_isa)isa);
            for (size_t len = 0; len < 40; len++) {  // tails
                prnn_activation_f32((prnn_activation)act, x + 3, y, len);
                if (memcmp(y, yp + 3, 4 * len)) FAIL("%s %s f32 tail len %zu differs", names[act], prnn_isa_name(isa), len);
                prnn_activation_f64((prnn_activation)act, xd + 1, yd, len);
                if (memcmp(yd, ydp + 1, 8 * len)) FAIL("%s %s f64 tail len %zu differs", names[act], prnn_isa_name(isa), len);
            }
            prnn_activation_f32((prnn_activation)act, x, y, n);
            prnn_activation_f64((prnn_activation)act, xd, yd, n);
            for (size_t i = 0; i < n; i++) if (memcmp(y + i, yp + i, 4)) { FAIL("%s %s f32 x=%a: %a vs portable %a", names[act], prnn_isa_name(isa), x[i], y[i], yp[i]); break; }
            for (size_t i = 0; i < n; i++) if (memcmp(yd + i, ydp + i, 8)) { FAIL("%s %s f64 x=%a: %a vs portable %a", names[act], prnn_isa_name(isa), xd[i], yd[i], ydp[i]); break; }
            memcpy(y, x, 4 * n);  // in place
            prnn_activation_f32((prnn_activation)act, y, y, n);
            if (memcmp(y, yp, 4 * n)) FAIL("%s %s in-place differs", names[act], prnn_isa_name(isa));
        }
    }
    prnn_force_isa(best);
    free(x); free(y); free(yp); free(xd); free(yd); free(ydp);
}

/// Gate kernels: every ISA bitwise equal to portable, over odd widths (tails) and with/without bias.
static void check_gates(void) {
    prnn_isa best = prnn_detected_isa();
    int widths[] = {1, 3, 7, 8, 9, 15, 16, 17, 31, 33, 64, 100};
    // Activation pairs (a, ra): the defaults, then every other kind in some pair.
    const prnn_activation pairs[][2] = {{PRNN_ACT_TANH, PRNN_ACT_SIGMOID}, {PRNN_ACT_RELU, PRNN_ACT_HARD_SIGMOID},
        {PRNN_ACT_LINEAR, PRNN_ACT_TANH}, {PRNN_ACT_SOFTPLUS, PRNN_ACT_SWISH}, {PRNN_ACT_ELU, PRNN_ACT_GELU},
        {PRNN_ACT_SELU, PRNN_ACT_SOFTSIGN}, {PRNN_ACT_EXPONENTIAL, PRNN_ACT_SIGMOID}, {PRNN_ACT_MISH, PRNN_ACT_TANH}};
    for (int w = 0; w < 12; w++) for (int withBias = 0; withBias < 2; withBias++) for (int acts = 0; acts < 8; acts++) {
        int n = 3, u = widths[w], ldp = 4 * u + 5;
        prnn_activation a = pairs[acts][0], ra = pairs[acts][1];
        size_t nu = (size_t)n * u;
        float *P = amalloc(4 * (size_t)n * ldp), *R = amalloc(16 * nu), *b = amalloc(16 * (size_t)u), *b2 = amalloc(16 * (size_t)u);
        float *h = amalloc(4 * nu), *c = amalloc(4 * nu), *z = amalloc(4 * nu);
        float *out[2][6];
        fill(P, (size_t)n * ldp); fill(R, 4 * nu); fill(b, 4 * (size_t)u); fill(b2, 4 * (size_t)u); fill(h, nu); fill(c, nu); fill(z, nu);
        for (size_t i = 0; i < (size_t)n * ldp; i++) P[i] *= 4;
        const float *bias = withBias ? b : NULL, *rbias = withBias ? b2 : NULL;
        for (int isa = 0; isa <= (int)best; isa++) {
            int slot = isa == 0 ? 0 : 1;
            for (int k = 0; k < 6; k++) { out[slot][k] = amalloc(4 * nu); memset(out[slot][k], 0xff, 4 * nu); }
            prnn_force_isa((prnn_isa)isa);
            prnn_lstm_gates_f32(n, u, P, ldp, R, bias, c, out[slot][0], out[slot][1], u, a, ra);
            prnn_gru_gates_reset_after_f32(n, u, P, ldp, R, bias, rbias, h, u, out[slot][2], u, a, ra);
            prnn_gru_gates_phase1_f32(n, u, P, ldp, R, bias, h, u, out[slot][3], out[slot][4], ra);
            prnn_gru_gates_phase2_f32(n, u, P, ldp, R, bias, h, u, z, out[slot][5], u, a);
            prnn_simple_rnn_f32(n, u, P, ldp, R, bias, out[slot][0], u, a);
            // Strided h (row stride u + 3) and new h (u + 5), as the fused cells use the output rows: the same bits
            // as the contiguous portable call, and the gaps between rows untouched.
            {
                const int ldh = u + 3, ldnh = u + 5;
                float *hs = amalloc(4 * (size_t)n * ldh), *ns = amalloc(4 * (size_t)n * ldnh), *tmp = amalloc(4 * nu);
                for (int r = 0; r < n; r++) memcpy(hs + (size_t)r * ldh, h + (size_t)r * u, 4 * (size_t)u);
                for (int kind = 0; kind < 4; kind++) {
                    for (size_t i = 0; i < (size_t)n * ldnh; i++) ns[i] = -7.0f;
                    int ref = 1;  // index into out[0] of the contiguous newH
                    if (kind == 0) prnn_lstm_gates_f32(n, u, P, ldp, R, bias, c, tmp, ns, ldnh, a, ra);
                    if (kind == 1) { prnn_gru_gates_reset_after_f32(n, u, P, ldp, R, bias, rbias, hs, ldh, ns, ldnh, a, ra); ref = 2; }
                    if (kind == 2) { prnn_gru_gates_phase2_f32(n, u, P, ldp, R, bias, hs, ldh, z, ns, ldnh, a); ref = 5; }
                    if (kind == 3) {  // phase 1 reads strided h; its outputs are contiguous
                        prnn_gru_gates_phase1_f32(n, u, P, ldp, R, bias, hs, ldh, tmp, ns, ra);
                        if (memcmp(ns, out[0][4], 4 * nu)) FAIL("gates %s phase1 strided h U=%d differs", prnn_isa_name(isa), u);
                        continue;
                    }
                    for (int r = 0; r < n; r++) {
                        if (memcmp(ns + (size_t)r * ldnh, out[0][ref] + (size_t)r * u, 4 * (size_t)u))
                            FAIL("gates %s kernel %d strided rows U=%d differ from portable", prnn_isa_name(isa), kind, u);
                        for (int j = u; j < ldnh; j++)
                            if (ns[(size_t)r * ldnh + j] != -7.0f) FAIL("gates %s kernel %d wrote between rows", prnn_isa_name(isa), kind);
                    }
                }
                free(hs); free(ns); free(tmp);
            }
            if (isa > 0) {
                for (int k = 0; k < 6; k++)
                    if (memcmp(out[0][k], out[1][k], 4 * nu)) FAIL("gates %s output %d U=%d bias=%d acts=%d differs from portable", prnn_isa_name(isa), k, u, withBias, acts);
                for (int k = 0; k < 6; k++) free(out[1][k]);
            }
        }
        for (int k = 0; k < 6; k++) free(out[0][k]);
        prnn_force_isa(best);
        free(P); free(R); free(b); free(b2); free(h); free(c); free(z);
    }
    printf("  gates: %s\n", failures ? "FAILED" : "ok (every ISA bitwise = portable, all tails, contiguous and strided h rows)");
}

/// An empty part of a split product is +0 and is added: a chain that rounds to −0 (products underflowing) comes out
/// +0 whichever part is empty, as Keras's (+0) + (−0) does (an LSTM with I = 0).
static void check_split_empty_part(void) {
    const int n = 16, K = 4, N = 12;
    float *X = amalloc(4 * (size_t)n * K), *W = amalloc(4 * (size_t)K * N), *C = amalloc(4 * (size_t)N * n);
    float *packed = amalloc(4 * prnn_sgemm_packed_t_count(K, N)), *panels = amalloc(4 * prnn_rows_t_count(n, K));
    for (int i = 0; i < n * K; i++) X[i] = 1e-30f;
    for (int i = 0; i < K * N; i++) W[i] = -1e-30f;
    prnn_sgemm_pack_t(K, N, W, N, packed);
    prnn_pack_rows_t(n, K, X, K, panels);
    prnn_isa best = prnn_detected_isa();
    for (int isa = 0; isa <= (int)best; isa++)
        for (int sp = 0; sp <= K; sp += K) {
            prnn_force_isa((prnn_isa)isa);
            prnn_sgemm_t_split(N, n, K, sp, packed, panels, C, n);
            for (int i = 0; i < N * n; i++)
                if (signbit(C[i]) || C[i] != 0) { FAIL("sgemm_t_split %s split %d of K %d: an empty part's +0 not added (%g)", prnn_isa_name(isa), sp, K, C[i]); break; }
        }
    prnn_force_isa(best);
    free(X); free(W); free(C); free(packed); free(panels);
}

/// The transposed product and gates (a small batch in the lanes) against the row-major ones, every ISA, bitwise:
/// C^T = W^T·X^T must hold the bits of X·W, the transposed LSTM, GRU and SimpleRNN gates those of the row-major kernels.
/// Whether C [N, ldc] (prnn_sgemm_t's layout) differs bitwise from ref [n, N] (row-major) in its first n columns, or
/// from C0 in the others (which the product must not touch).
static int t_result_differs(const float *C, const float *C0, const float *ref, int N, int n, int ldc) {
    for (int j = 0; j < N; j++) {
        for (int r = 0; r < n; r++) if (memcmp(&C[(size_t)j * ldc + r], &ref[(size_t)r * N + j], 4)) return 1;
        for (int r = n; r < ldc; r++) if (memcmp(&C[(size_t)j * ldc + r], &C0[(size_t)j * ldc + r], 4)) return 1;
    }
    return 0;
}

static void check_transposed(int n, int K, int N, int accumulate) {
    int ldx = K + 3, ldc = n + 5, np = (n + 15) / 16 * 16;
    float *X = amalloc(4 * (size_t)n * ldx), *W = amalloc(4 * (size_t)K * N), *C0 = amalloc(4 * (size_t)N * ldc);
    float *C = amalloc(4 * (size_t)N * ldc), *ref = amalloc(4 * (size_t)n * N), *Y = amalloc(4 * (size_t)n * ldx);
    float *packed = amalloc(4 * (prnn_sgemm_packed_t_count(K, N) + 1)), *panels = amalloc(4 * (prnn_rows_t_count(n, K) + 1));
    fill(X, (size_t)n * ldx); fill(W, (size_t)K * N); fill(C0, (size_t)N * ldc);
    prnn_sgemm_pack_t(K, N, W, N, packed);
    prnn_pack_rows_t(n, K, X, ldx, panels);
    prnn_unpack_rows_t(n, K, panels, Y, ldx);
    for (int r = 0; r < n; r++)
        if (memcmp(Y + (size_t)r * ldx, X + (size_t)r * ldx, 4 * (size_t)K)) { FAIL("unpack(pack(X)) row %d (n %d K %d)", r, n, K); break; }
    prnn_isa best = prnn_detected_isa();
    prnn_force_isa(PRNN_ISA_PORTABLE);
    for (int r = 0; r < n; r++) for (int j = 0; j < N; j++) ref[(size_t)r * N + j] = C0[(size_t)j * ldc + r];
    prnn_sgemm(n, N, K, X, ldx, W, N, ref, N, accumulate);
    // K in one block, in blocks of ≤ 256 (timed on the Xeon) and in uneven ones (prnn_force_t_kc): the same bits.
    const int kcs[] = {0, 256, 100, 7};
    for (int isa = 0; isa <= (int)best; isa++)
        for (size_t q = 0; q < sizeof kcs / sizeof kcs[0]; q++) {
            prnn_force_isa((prnn_isa)isa);
            prnn_force_t_kc(kcs[q]);
            memcpy(C, C0, 4 * (size_t)N * ldc);
            prnn_sgemm_t(N, n, K, packed, panels, C, ldc, accumulate);
            prnn_force_t_kc(-1);
            if (t_result_differs(C, C0, ref, N, n, ldc)) FAIL("sgemm_t %s N %d n %d K %d acc %d k blocks ≤ %d differs from X·W (or wrote outside n columns)",
                          prnn_isa_name(isa), N, n, K, accumulate, kcs[q]);
        }
    // Split products (prnn_sgemm_t_split): X[:, :s]·W[:s] + X[:, s:]·W[s:], two chains from zero, summed once.
    if (!accumulate && K > 1) {
        const int splits[] = {0, 1, K / 3 > 0 ? K / 3 : 1, K - 1, K};  // 0 and K: an empty part, +0 added
        float *lo = amalloc(4 * (size_t)n * N), *hi = amalloc(4 * (size_t)n * N);
        for (size_t si = 0; si < sizeof splits / sizeof splits[0]; si++) {
            const int sp = splits[si];
            prnn_force_isa(PRNN_ISA_PORTABLE);
            prnn_sgemm(n, N, sp, X, ldx, W, N, lo, N, 0);
            prnn_sgemm(n, N, K - sp, X + sp, ldx, W + (size_t)sp * N, N, hi, N, 0);
            for (size_t i = 0; i < (size_t)n * N; i++) lo[i] = lo[i] + hi[i];
            for (int isa = 0; isa <= (int)best; isa++)
                for (size_t q = 0; q < sizeof kcs / sizeof kcs[0]; q++) {
                    prnn_force_isa((prnn_isa)isa);
                    prnn_force_t_kc(kcs[q]);
                    memcpy(C, C0, 4 * (size_t)N * ldc);
                    prnn_sgemm_t_split(N, n, K, sp, packed, panels, C, ldc);
                    prnn_force_t_kc(-1);
                    if (t_result_differs(C, C0, lo, N, n, ldc)) FAIL("sgemm_t_split %s N %d n %d K %d split %d k blocks ≤ %d differs from X·W's two parts summed",
                                  prnn_isa_name(isa), N, n, K, sp, kcs[q]);
                }
        }
        free(lo); free(hi);
    }
    // Gates: GRU (U = N / 3; reset after, then phases 1 and 2 of reset before) on Z [3U, np] and R [3U, np] (random
    // stand-ins for the products) against the row-major kernels on their transposes.
    if (n % 16 == 0 && N % 3 == 0) {
        int U = N / 3, G = N;
        float *Z = amalloc(4 * (size_t)G * np), *Rt = amalloc(4 * (size_t)G * np), *P = amalloc(4 * (size_t)n * G);
        float *Rr = amalloc(4 * (size_t)n * G), *ib = amalloc(4 * (size_t)G), *rb = amalloc(4 * (size_t)G);
        float *hrow = amalloc(4 * (size_t)n * U), *hp = amalloc(4 * (size_t)U * np), *want = amalloc(4 * (size_t)n * U);
        float *want2 = amalloc(4 * (size_t)n * U), *nh = amalloc(4 * (size_t)U * np), *zg = amalloc(4 * (size_t)U * np);
        float *rhp = amalloc(4 * (size_t)U * np), *got = amalloc(4 * (size_t)n * U);
        for (size_t i = 0; i < (size_t)G * np; i++) { Z[i] = (float)((urand() * 2 - 1) * 6); Rt[i] = (float)((urand() * 2 - 1) * 6); }
        fill(ib, G); fill(rb, G); fill(hrow, (size_t)n * U);
        prnn_pack_rows_t(n, U, hrow, U, hp);
        for (int r = 0; r < n; r++) for (int g = 0; g < G; g++) {
            P[(size_t)r * G + g] = Z[(size_t)g * np + r]; Rr[(size_t)r * G + g] = Rt[(size_t)g * np + r];
        }
        for (int variant = 0; variant < 2; variant++) {
            // reset after; or reset before with R's first 2U rows as h·U_zr and its last U rows as (r·h)·U_h
            prnn_force_isa(PRNN_ISA_PORTABLE);
            float *zrow = amalloc(4 * (size_t)n * U), *rhrow = amalloc(4 * (size_t)n * U), *RHrow = amalloc(4 * (size_t)n * U);
            for (int r = 0; r < n; r++) for (int j = 0; j < U; j++) RHrow[(size_t)r * U + j] = Rr[(size_t)r * G + 2 * U + j];
            float *Rzr = amalloc(4 * (size_t)n * 2 * U);
            for (int r = 0; r < n; r++) for (int j = 0; j < 2 * U; j++) Rzr[(size_t)r * 2 * U + j] = Rr[(size_t)r * G + j];
            if (variant == 0)
                prnn_gru_gates_reset_after_f32(n, U, P, G, Rr, ib, rb, hrow, U, want, U, PRNN_ACT_TANH, PRNN_ACT_SIGMOID);
            else {
                prnn_gru_gates_phase1_f32(n, U, P, G, Rzr, ib, hrow, U, zrow, rhrow, PRNN_ACT_SIGMOID);
                prnn_gru_gates_phase2_f32(n, U, P, G, RHrow, ib, hrow, U, zrow, want, U, PRNN_ACT_TANH);
                memcpy(want2, rhrow, 4 * (size_t)n * U);
            }
            for (int isa = 0; isa <= (int)best; isa++) {
                prnn_force_isa((prnn_isa)isa);
                if (variant == 0)
                    prnn_gru_gates_reset_after_t_f32(U, n, Z, np, Rt, np, ib, rb, hp, nh, PRNN_ACT_TANH, PRNN_ACT_SIGMOID);
                else {
                    prnn_gru_gates_phase1_t_f32(U, n, Z, np, Rt, np, ib, hp, zg, rhp, PRNN_ACT_SIGMOID);
                    prnn_unpack_rows_t(n, U, rhp, got, U);
                    if (memcmp(got, want2, 4 * (size_t)n * U)) FAIL("gru phase1_t %s n %d U %d: r·h differs from row-major", prnn_isa_name(isa), n, U);
                    prnn_gru_gates_phase2_t_f32(U, n, Z, np, Rt + (size_t)2 * U * np, np, ib, hp, zg, nh, PRNN_ACT_TANH);
                }
                prnn_unpack_rows_t(n, U, nh, got, U);
                if (memcmp(got, want, 4 * (size_t)n * U)) FAIL("gru (%s) gates_t %s n %d U %d: h differs from row-major", variant ? "reset before" : "reset after", prnn_isa_name(isa), n, U);
            }
            free(zrow); free(rhrow); free(RHrow); free(Rzr);
        }
        free(Z); free(Rt); free(P); free(Rr); free(ib); free(rb); free(hrow); free(hp); free(want); free(want2); free(nh);
        free(zg); free(rhp); free(got);
    }
    // Gates: LSTM (U = N / 4) and SimpleRNN (U = N; without, then with R = h·U [U, np]) on Z [G, np] against the
    // row-major kernels on Z^T.
    if (n % 16 == 0 && N % 4 == 0) {
        for (int cell = 0; cell < 3; cell++) {
            int U = cell == 0 ? N / 4 : N, G = N;
            float *Z = amalloc(4 * (size_t)G * np), *P = amalloc(4 * (size_t)n * G), *bias = amalloc(4 * (size_t)G);
            float *cp = amalloc(4 * (size_t)U * np), *crow = amalloc(4 * (size_t)n * U), *hrow = amalloc(4 * (size_t)n * U);
            float *c2row = amalloc(4 * (size_t)n * U), *nc = amalloc(4 * (size_t)U * np), *nh = amalloc(4 * (size_t)U * np);
            float *got = amalloc(4 * (size_t)n * U), *Rz = amalloc(4 * (size_t)U * np), *Rrow = amalloc(4 * (size_t)n * U);
            for (size_t i = 0; i < (size_t)G * np; i++) Z[i] = (float)((urand() * 2 - 1) * 6);
            for (size_t i = 0; i < (size_t)U * np; i++) Rz[i] = (float)((urand() * 2 - 1) * 3);
            for (int r = 0; r < n; r++) for (int j = 0; j < U; j++) Rrow[(size_t)r * U + j] = Rz[(size_t)j * np + r];
            fill(bias, G); fill(crow, (size_t)n * U);
            prnn_pack_rows_t(n, U, crow, U, cp);
            for (int r = 0; r < n; r++) for (int g = 0; g < G; g++) P[(size_t)r * G + g] = Z[(size_t)g * np + r];
            prnn_force_isa(PRNN_ISA_PORTABLE);
            if (cell == 0) prnn_lstm_gates_f32(n, U, P, G, NULL, bias, crow, c2row, hrow, U, PRNN_ACT_TANH, PRNN_ACT_SIGMOID);
            else prnn_simple_rnn_f32(n, U, P, G, cell == 2 ? Rrow : NULL, bias, hrow, U, PRNN_ACT_TANH);
            for (int isa = 0; isa <= (int)best; isa++) {
                prnn_force_isa((prnn_isa)isa);
                if (cell == 0) prnn_lstm_gates_t_f32(U, n, Z, np, bias, cp, nc, nh, 16 * U, PRNN_ACT_TANH, PRNN_ACT_SIGMOID);
                else prnn_simple_rnn_t_f32(U, n, Z, np, cell == 2 ? Rz : NULL, np, bias, nh, 16 * U, PRNN_ACT_TANH);
                prnn_unpack_rows_t(n, U, nh, got, U);
                if (memcmp(got, hrow, 4 * (size_t)n * U)) FAIL("%s gates_t %s n %d U %d: h differs from row-major", cell ? "simple_rnn" : "lstm", prnn_isa_name(isa), n, U);
                if (cell == 0) {
                    prnn_unpack_rows_t(n, U, nc, got, U);
                    if (memcmp(got, c2row, 4 * (size_t)n * U)) FAIL("lstm gates_t %s n %d U %d: c differs from row-major", prnn_isa_name(isa), n, U);
                }
            }
            free(Z); free(P); free(bias); free(cp); free(crow); free(hrow); free(c2row); free(nc); free(nh); free(got);
            free(Rz); free(Rrow);
        }
    }
    prnn_force_isa(best);
    free(X); free(W); free(C0); free(C); free(ref); free(Y); free(packed); free(panels);
}

/// All checks; `gates_only`: the gate kernels and the transposed path only (`kb check gates`: Scripts/emulate-avx512
/// reruns those with the other AVX-512 gate variant).
static int run_checks(int gates_only) {
    printf("detected ISA: %s\n", prnn_isa_name(prnn_detected_isa()));
    if (gates_only) goto gates;
    int dims[] = {1, 2, 3, 5, 7, 8, 11, 12, 13, 16, 17, 24, 31, 32, 33, 47, 63, 64, 65, 97, 128, 193, 257, 300};
    int nd = sizeof dims / sizeof dims[0];
    // AVX-512 has three register tiles (prnn_avx512_tile: 12x32, 6x64, 12x32e), each checked; other ISAs run once.
    int tiles = prnn_detected_isa() == PRNN_ISA_AVX512 ? 3 : 1;
    for (int tile = 1; tile <= tiles; tile++) {
        if (tiles > 1) prnn_force_avx512_tile((prnn_avx512_tile)tile);
        for (int t = 0; t < 160; t++) {
            int M = dims[(int)(urand() * nd)], N = dims[(int)(urand() * nd)], K = dims[(int)(urand() * nd)];
            check_gemm_shape(M, N, K, (int)(urand() * 3) * 5, t & 1);
        }
        check_gemm_shape(300, 530, 700, 3, 1);   // K spans several KC blocks
        check_gemm_shape(200, 1000, 257, 0, 0);
        check_gemm_shape(600, 70, 300, 1, 1);    // M spans several MC blocks
        check_gemm_shape(15, 300, 257, 0, 1);    // packed, K > 256: short products per k block (AVX-512 8 + 7)
        check_gemm_shape(27, 530, 300, 2, 0);    // the same, AVX-512 8·3 + 3, a masked last strip
        check_gemm_shape(38, 1024, 256, 0, 1);   // AVX-512 12·2 + 10 + 4, AVX2 6·5 + 4 + 4
        check_gemm_shape(19, 96, 300, 0, 1);     // short, two k blocks (AVX-512 8 + 8 + 3)
        check_gemm_shape(39, 300, 200, 1, 1);    // blocked (33–64 rows): AVX-512 12·2 + 11 + 4, 6×64 6·6 + 3
        check_gemm_shape(43, 96, 250, 0, 0);     // 6×64: rows 6·6 + 4 + 3, a 64- and a 32-column strip
        check_gemm_shape(13, 100, 129, 1, 0);    // short, one k block (AVX-512 7 + 6), a masked last strip
        check_gemm_shape(32, 40, 256, 0, 1);     // AVX-512 short, one k block, 8·4; AVX2 blocked; 40 columns
        check_gemm_shape(9, 300, 129, 0, 1);     // packed, 9–32 rows, K ≤ 256: AVX-512 even direct tiles of ≤ 8 rows (5 + 4)
        check_gemm_shape(12, 1024, 256, 3, 0);   // 6 + 6
        check_gemm_shape(14, 70, 33, 1, 1);      // 7 + 7, a masked last strip
        check_gemm_shape(16, 257, 200, 0, 0);    // 8 + 8
        check_gemm_shape(17, 300, 129, 2, 0);    // 6 + 6 + 5
        check_gemm_shape(24, 1024, 256, 0, 1);   // 8·3
        check_gemm_shape(16, 100, 257, 2, 1);    // packed, 12–32 rows, K > 256: AVX-512 ≤ 8-row direct tiles per k block
        check_gemm_shape(12, 2048, 512, 0, 0);   // 8 + 4, two k blocks
        check_gemm_shape(20, 257, 513, 3, 1);    // 8 + 8 + 4, three k blocks, a masked last strip
        check_gemm_shape(32, 70, 1024, 1, 0);    // 8 · 4, four k blocks
        check_gemm_shape(13, 33, 300, 0, 1);     // 8 + 5, two k blocks, one masked strip
        check_gemm_shape(7, 100, 300, 0, 1);     // AVX2 (7–32 rows, K > 256, per k block): 3 + 4, a masked strip
        check_gemm_shape(9, 64, 513, 2, 0);      // AVX2 5 + 4, three k blocks
        check_gemm_shape(1, 1024, 256, 0, 1);    // ≤ 4 rows: wide strips first (tile_wide; AVX2 ≤ 2 rows), then tiles
        check_gemm_shape(2, 300, 129, 3, 0);
        check_gemm_shape(3, 257, 5, 1, 1);
        check_gemm_shape(4, 1024, 256, 0, 1);    // AVX-512 four rows: 64-column strips
        check_gemm_shape(4, 300, 129, 3, 0);
        check_gemm_shape(5, 7, 0, 0, 0);
        check_gemm_shape(5, 7, 0, 0, 1);
        check_transposed(32, 256, 1024, 1);      // the transposed product (12x32e forced: embedded broadcasts)
        check_transposed(32, 37, 100, 0);
        printf("  sgemm%s%s: %s\n", tiles > 1 ? ", AVX-512 tile " : "",
               tiles > 1 ? prnn_avx512_tile_name(prnn_avx512_active_tile(1)) : "",
               failures ? "FAILED" : "ok (vs double reference, every ISA bitwise = portable, packed = unpacked, rows independent)");
    }
    prnn_force_avx512_tile(PRNN_AVX512_TILE_DEFAULT);
    for (int t = 0; t < 60; t++) {
        int M = dims[(int)(urand() * nd)], N = dims[(int)(urand() * nd)], K = dims[(int)(urand() * 18)];
        check_dgemm_shape(M, N, K, (int)(urand() * 3), t & 1);
    }
    printf("  dgemm: %s\n", failures ? "FAILED" : "ok");
    check_activations();
gates:
    check_gates();
    {
        const int tshapes[][4] = {{32, 256, 1024, 1}, {32, 128, 1024, 0}, {16, 256, 1024, 1}, {48, 37, 100, 1},
                                  {32, 256, 768, 1}, {16, 7, 39, 0},
                                  {64, 5, 28, 0}, {32, 300, 44, 1}, {16, 1, 12, 0}, {32, 64, 13, 1}, {5, 20, 30, 1},
                                  {20, 9, 7, 0}, {1, 3, 1, 1}, {32, 384, 1024, 0}, {16, 513, 24, 1}};
        for (size_t i = 0; i < sizeof tshapes / sizeof tshapes[0]; i++)
            check_transposed(tshapes[i][0], tshapes[i][1], tshapes[i][2], tshapes[i][3]);
        check_split_empty_part();
        printf("  transposed: %s\n", failures ? "FAILED" : "ok (sgemm_t = X·W bitwise, LSTM/GRU/SimpleRNN gates_t = row-major gates bitwise, every ISA; pack/unpack round trip)");
    }
    printf("%s (%d failures)\n", failures ? "CHECK FAILED" : "ALL CHECKS PASSED", failures);
    return failures != 0;
}

// ---------------------------------------------------------------- benchmarks
static int cmpd(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return x < y ? -1 : x > y; }

/// Median over 7 runs of the mean time per call (each run ≥ ~30 ms or 1 call).
static double time_median(void (*fn)(void *), void *ctx) {
    fn(ctx);
    double t0 = now(); fn(ctx); double one = now() - t0;
    int reps = one > 0.03 ? 1 : (int)(0.03 / (one > 1e-9 ? one : 1e-9)) + 1;
    double runs[7];
    for (int r = 0; r < 7; r++) {
        double s = now();
        for (int i = 0; i < reps; i++) fn(ctx);
        runs[r] = (now() - s) / reps;
    }
    qsort(runs, 7, sizeof(double), cmpd);
    last_min = runs[0];
    return runs[3];
}

/// FMA peak of one core for the active ISA: 12 (AVX2) or 24 (AVX-512) independent FMA chains, GFLOP/s.
/// Measured next to every benchmark row, so a shared/throttled machine shows up as a lower peak, not a worse kernel.
#if defined(__x86_64__)
__attribute__((target("avx512f"))) static double peak512(long it) {
    __m512 a[24], b = _mm512_set1_ps(0.9999f), c = _mm512_set1_ps(1e-6f);
    for (int i = 0; i < 24; i++) a[i] = _mm512_set1_ps(i * 1e-3f);
    double t = now();
    for (long k = 0; k < it; k++) {
        _Pragma("GCC unroll 24") for (int i = 0; i < 24; i++) a[i] = _mm512_fmadd_ps(a[i], b, c);
    }
    t = now() - t;
    float s = 0; for (int i = 0; i < 24; i++) s += _mm512_reduce_add_ps(a[i]);
    if (s == 12345.f) puts("");
    return it * 24.0 * 32 / t * 1e-9;
}
__attribute__((target("avx2,fma"))) static double peak256(long it) {
    __m256 a[12], b = _mm256_set1_ps(0.9999f), c = _mm256_set1_ps(1e-6f);
    for (int i = 0; i < 12; i++) a[i] = _mm256_set1_ps(i * 1e-3f);
    double t = now();
    for (long k = 0; k < it; k++) {
        _Pragma("GCC unroll 12") for (int i = 0; i < 12; i++) a[i] = _mm256_fmadd_ps(a[i], b, c);
    }
    t = now() - t;
    float v[8], s = 0; for (int i = 0; i < 12; i++) { _mm256_storeu_ps(v, a[i]); s += v[0]; }
    if (s == 12345.f) puts("");
    return it * 12.0 * 16 / t * 1e-9;
}
#endif
static double fma_peak(void) {
    double best = 0;
    for (int r = 0; r < 3; r++) {
        double g = 0;
#if defined(__x86_64__)
        if (prnn_active_isa() == PRNN_ISA_AVX512) g = peak512(400000);
        else if (prnn_active_isa() == PRNN_ISA_AVX2) g = peak256(400000);
#endif
        if (g > best) best = g;
    }
    return best;
}

typedef struct { int M, N, K; float *A, *B, *C, *P; } gctx;
static void run_packed(void *p) { gctx *g = p; prnn_sgemm_packed(g->M, g->N, g->K, g->A, g->K, g->P, g->C, g->N, 1); }
static void run_plain(void *p) { gctx *g = p; prnn_sgemm(g->M, g->N, g->K, g->A, g->K, g->B, g->N, g->C, g->N, 1); }

static void bench_gemm(const char *what, int M, int N, int K) {
    gctx g = {M, N, K, amalloc(4 * (size_t)M * K), amalloc(4 * (size_t)K * N), amalloc(4 * (size_t)M * N), NULL};
    fill(g.A, (size_t)M * K); fill(g.B, (size_t)K * N); memset(g.C, 0, 4 * (size_t)M * N);
    int packed = !strcmp(what, "packed");
    if (packed) { g.P = amalloc(4 * prnn_sgemm_packed_b_count(K, N)); prnn_sgemm_pack_b(K, N, g.B, N, g.P); }
    double peak = fma_peak();
    double t = time_median(packed ? run_packed : run_plain, &g);
    double gf = 2.0 * M * N * K / t * 1e-9;
    printf("| %-8s | %5d | %5d | %4d | %10.2f | %7.1f | %7.1f | %6.1f | %3.0f %% |\n", what, M, N, K, t * 1e6, gf,
           2.0 * M * N * K / last_min * 1e-9, peak, peak > 0 ? 100 * gf / peak : 0.0);
    fflush(stdout);
    free(g.A); free(g.B); free(g.C); free(g.P);
}

typedef struct { int act, f64; size_t n; float *x, *y; double *xd, *yd; } actx;
static void run_act(void *p) {
    actx *a = p;
    if (a->f64) prnn_activation_f64((prnn_activation)a->act, a->xd, a->yd, a->n);
    else prnn_activation_f32((prnn_activation)a->act, a->x, a->y, a->n);
}

static void bench_acts(void) {
    const char *names[] = {"tanh", "sigmoid", "hard_sigmoid", "relu", "linear", "softsign", "softplus", "elu", "selu",
                           "exponential", "swish", "gelu", "mish", "relu6", "leaky_relu"};
    size_t n = 8192;
    actx a = {0, 0, n, amalloc(4 * n), amalloc(4 * n), amalloc(8 * n), amalloc(8 * n)};
    for (size_t i = 0; i < n; i++) { a.x[i] = (float)((urand() * 2 - 1) * 6); a.xd[i] = a.x[i]; }
    printf("\n| activation | f32 elements/ns | f64 elements/ns |\n|---|---|---|\n");
    for (int act = 0; act <= PRNN_ACT_LEAKY_RELU; act++) {
        a.act = act; a.f64 = 0; double t = time_median(run_act, &a);
        a.f64 = 1; double td = time_median(run_act, &a);
        printf("| %-12s | %6.2f | %6.2f |\n", names[act], n / t * 1e-9, n / td * 1e-9);
    }
    free(a.x); free(a.y); free(a.xd); free(a.yd);
}

typedef struct { int kind, n, u; float *P, *R, *b, *h, *c, *o1, *o2; prnn_activation act; } gatectx;
static void run_gates(void *p) {
    gatectx *g = p;
    if (g->kind == 0)
        prnn_lstm_gates_f32(g->n, g->u, g->P, 4 * g->u, g->R, g->b, g->c, g->o1, g->o2, g->u, g->act, PRNN_ACT_SIGMOID);
    else if (g->kind == 1)
        prnn_gru_gates_reset_after_f32(g->n, g->u, g->P, 3 * g->u, g->R, g->b, g->b, g->h, g->u, g->o1, g->u, PRNN_ACT_TANH, PRNN_ACT_SIGMOID);
    else if (g->kind == 2)
        prnn_simple_rnn_f32(g->n, g->u, g->P, g->u, g->R, g->b, g->o1, g->u, PRNN_ACT_TANH);
    else  // transposed: Z [4U, n], c and the outputs in 16-column panels (the w1 shard's step on the transposed path)
        prnn_lstm_gates_t_f32(g->u, g->n, g->P, g->n, g->b, g->c, g->o1, g->o2, 16 * g->u, PRNN_ACT_TANH, PRNN_ACT_SIGMOID);
}

static void bench_gates(int n, int u) {
    const char *names[] = {"lstm", "gru (reset after)", "simple_rnn", "lstm transposed"};
    size_t nu = (size_t)n * u;
    // PRNN_KB_ACT=k: the LSTM's activation (prnn_activation number; default 0, tanh), e.g. 11 for gelu.
    const char *act_env = getenv("PRNN_KB_ACT");
    gatectx g = {0, n, u, amalloc(16 * nu), amalloc(16 * nu), amalloc(16 * (size_t)u), amalloc(4 * nu), amalloc(4 * nu),
                 amalloc(4 * nu), amalloc(4 * nu), act_env ? (prnn_activation)atoi(act_env) : PRNN_ACT_TANH};
    fill(g.P, 4 * nu); fill(g.R, 4 * nu); fill(g.b, 4 * (size_t)u); fill(g.h, nu); fill(g.c, nu);
    for (int kind = 0; kind < 4; kind++) {
        if (kind == 3 && n % 16) continue;
        g.kind = kind;
        double t = time_median(run_gates, &g);
        printf("| %-17s | %4d | %4d | %8.2f | %6.2f |\n", names[kind], n, u, t * 1e6, nu / t * 1e-9);
    }
    free(g.P); free(g.R); free(g.b); free(g.h); free(g.c); free(g.o1); free(g.o2);
}

/// One LSTM shard's fused time loop as FusedCellKernel runs it unmasked (x·W per block of steps over the gathered
/// rows, then per step h·U added onto the block's projections (prnn_sgemm_packed_add: x·W + h·U) and the gate kernel
/// writing h into the output rows, which the next step's GEMM reads), timed per phase; then the same calls on hot,
/// isolated buffers. PRNN_KB_CHAIN=1: h·U's chain continuing x·W's instead (the engine before the eighteenth round);
/// PRNN_KB_CHAIN=r: h·U into its own buffer, summed by the gate kernel.
/// Runs with denormals flushed, as the engine's work items do. Usage: kb loop isa rows T I U blockRows
static void bench_loop(int n, int T, int I, int U, int blockRows) {
    unsigned mxcsr = prnn_flush_denormals_enter();
    int G = 4 * U, bs = blockRows / n; if (bs < 1) bs = 1; if (bs > T) bs = T;
    float *x = amalloc(4 * (size_t)n * T * I), *W = amalloc(4 * (size_t)I * G), *R = amalloc(4 * (size_t)U * G);
    float *Wp = amalloc(4 * prnn_sgemm_packed_b_count(I, G)), *Rp = amalloc(4 * prnn_sgemm_packed_b_count(U, G));
    float *bias = amalloc(4 * (size_t)G), *out = amalloc(4 * (size_t)n * T * U), *proj = amalloc(4 * (size_t)bs * n * G);
    float *gath = amalloc(4 * (size_t)bs * n * I), *h0 = amalloc(4 * (size_t)n * U), *c = amalloc(4 * (size_t)n * U),
          *c2 = amalloc(4 * (size_t)n * U), *hu = amalloc(4 * (size_t)n * G);
    const char *chain_env = getenv("PRNN_KB_CHAIN");
    const int chain = chain_env && chain_env[0] == '1', rbuf = chain_env && chain_env[0] == 'r';
    fill(x, (size_t)n * T * I); fill(W, (size_t)I * G); fill(R, (size_t)U * G); fill(bias, G);
    for (size_t i = 0; i < (size_t)I * G; i++) W[i] *= 0.1f;
    for (size_t i = 0; i < (size_t)U * G; i++) R[i] *= 0.1f;
    prnn_sgemm_pack_b(I, G, W, G, Wp); prnn_sgemm_pack_b(U, G, R, G, Rp);
    double tot[5] = {0}, best = 1e9;  // gather, projection, recurrent, gates, all
    for (int rep = 0; rep < 9; rep++) {
        double ph[4] = {0}, t0 = now();
        memset(h0, 0, 4 * (size_t)n * U); memset(c, 0, 4 * (size_t)n * U);
        const float *h = h0; int ldh = U;
        for (int k = 0; k < T; k++) {
            if (k % bs == 0) {
                int steps = T - k < bs ? T - k : bs;
                double a = now();
                for (int j = 0; j < steps; j++)
                    for (int r = 0; r < n; r++) memcpy(gath + ((size_t)j * n + r) * I, x + ((size_t)r * T + k + j) * I, 4 * (size_t)I);
                double b = now();
                prnn_sgemm_packed(steps * n, G, I, gath, I, Wp, proj, G, 0);
                double e = now(); ph[0] += b - a; ph[1] += e - b;
            }
            float *P = proj + (size_t)(k % bs) * n * G, *nh = out + (size_t)k * U;
            double a = now();
            if (rbuf) prnn_sgemm_packed(n, G, U, h, ldh, Rp, hu, G, 0);
            else if (chain) prnn_sgemm_packed(n, G, U, h, ldh, Rp, P, G, 1);
            else prnn_sgemm_packed_add(n, G, U, h, ldh, Rp, P, G);
            double b = now();
            prnn_lstm_gates_f32(n, U, P, G, rbuf ? hu : NULL, bias, c, c2, nh, T * U, PRNN_ACT_TANH, PRNN_ACT_SIGMOID);
            double e = now(); ph[2] += b - a; ph[3] += e - b;
            float *tmp = c; c = c2; c2 = tmp; h = nh; ldh = T * U;
        }
        double all = now() - t0;
        if (rep >= 2) { for (int i = 0; i < 4; i++) tot[i] += ph[i] / 7; tot[4] += all / 7; }
        if (all < best) best = all;
    }
    double fp = 2.0 * n * T * I * G, fr = 2.0 * n * T * U * G, peak = fma_peak();
    printf("loop rows %d T %d I %d U %d, %d steps per block (%.2f MB of projections), h·U %s; FMA peak %.1f GFLOP/s\n",
           n, T, I, U, bs, 4e-6 * bs * n * G, chain ? "continuing x·W's chains" : rbuf ? "in its own buffer" : "added onto x·W",
           peak);
    printf("  in the loop (mean of 7): all %.3f ms (best %.3f) = %.1f GFLOP/s (%.0f %% of peak); gather %.3f ms, "
           "x·W %.3f ms (%.1f GFLOP/s), h·U %.3f ms (%.1f GFLOP/s), gates %.3f ms, rest %.3f ms\n",
           tot[4] * 1e3, best * 1e3, (fp + fr) / tot[4] * 1e-9, 100 * (fp + fr) / tot[4] * 1e-9 / peak, tot[0] * 1e3,
           tot[1] * 1e3, fp / tot[1] * 1e-9, tot[2] * 1e3, fr / tot[2] * 1e-9, tot[3] * 1e3,
           (tot[4] - tot[0] - tot[1] - tot[2] - tot[3]) * 1e3);
    // The hot GEMMs accumulate onto the projections again and again: the gate kernel gets a saved copy of the
    // loop's last pre-activations, not those sums.
    float *pre = amalloc(4 * (size_t)bs * n * G);
    memcpy(pre, proj, 4 * (size_t)bs * n * G);
    gctx g = {n, G, U, h0, NULL, proj, Rp};
    double tr = time_median(run_packed, &g) * T;
    gctx gp = {bs * n, G, I, gath, NULL, proj, Wp};
    double tp = time_median(run_packed, &gp) * ((double)T / bs);
    gatectx gg = {0, n, U, pre, NULL, bias, h0, c, c2, out, PRNN_ACT_TANH};
    double tg = time_median(run_gates, &gg) * T;
    printf("  same calls on hot buffers:  x·W %.3f ms (%.1f GFLOP/s), h·U %.3f ms (%.1f GFLOP/s), gates %.3f ms; "
           "sum %.3f ms\n", tp * 1e3, fp / tp * 1e-9, tr * 1e3, fr / tr * 1e-9, tg * 1e3, (tp + tr + tg) * 1e3);
    fflush(stdout);
    free(x); free(W); free(R); free(Wp); free(Rp); free(bias); free(out); free(proj); free(gath); free(h0); free(c); free(c2);
    free(pre); free(hu);
    prnn_flush_denormals_restore(mxcsr);
}

/// One LSTM shard's unmasked loop on the transposed path (FusedCellKernel.runShardTransposed: per step x_t packed
/// into the stacked operand [x_t; h], Z = [W; U]^T·[x_t; h]^T in one product split at x's rows (x·W + h·U, two
/// chains), transposed gates writing c panels and h into the other operand's h rows, h copied out into the output
/// rows), timed per phase; the same product as one chain (x·W ⊕ h·U: the engine from the ninth to the seventeenth
/// round); then the row-major loop of `kb loop` with one step per block on the same data, which the split product
/// must match bitwise. Usage: kb loopt isa rows T I U
typedef struct {
    int n, T, I, U, stacked, split;
    const float *x, *bias, *Wt, *Rt, *St;  // St: [W; U] packed for prnn_sgemm_t (K = I + U)
    float *op[2], *xt, *h[2], *c[2], *Z, *out;
} looptctx;

/// T steps; phases (pack x, products, gates, output) added to ph[0..3]. Returns the total seconds.
static double run_loopt(looptctx *L, double ph[4]) {
    const int n = L->n, I = L->I, U = L->U, G = 4 * U, np = (n + 15) / 16 * 16, K = I + U;
    const size_t ldop = 16 * (size_t)K;  // the stacked operand's panels
    int cur = 0;
    double t0 = now();
    if (L->stacked) { for (int p = 0; p < np / 16; p++) memset(L->op[0] + p * ldop + 16 * (size_t)I, 0, 4 * 16 * (size_t)U); }
    else memset(L->h[0], 0, 4 * prnn_rows_t_count(n, U));
    memset(L->c[0], 0, 4 * prnn_rows_t_count(n, U));
    for (int k = 0; k < L->T; k++) {
        const float *xk = L->x + (size_t)k * I;
        float *c = L->c[cur], *nc = L->c[1 - cur];
        double a = now(), b, d, e;
        if (L->stacked) {
            prnn_pack_rows_t_ld(n, I, xk, L->T * I, L->op[cur], ldop);
            b = now();
            if (L->split) prnn_sgemm_t_split(G, np, K, I, L->St, L->op[cur], L->Z, np);
            else prnn_sgemm_t(G, np, K, L->St, L->op[cur], L->Z, np, 0);
            d = now();
            prnn_lstm_gates_t_f32(U, np, L->Z, np, L->bias, c, nc, L->op[1 - cur] + 16 * (size_t)I, (int)ldop,
                                  PRNN_ACT_TANH, PRNN_ACT_SIGMOID);
        } else {
            prnn_pack_rows_t(n, I, xk, L->T * I, L->xt);
            b = now();
            prnn_sgemm_t(G, np, I, L->Wt, L->xt, L->Z, np, 0);
            prnn_sgemm_t(G, np, U, L->Rt, L->h[cur], L->Z, np, 1);
            d = now();
            prnn_lstm_gates_t_f32(U, np, L->Z, np, L->bias, c, nc, L->h[1 - cur], 16 * U, PRNN_ACT_TANH, PRNN_ACT_SIGMOID);
        }
        e = now();
        cur = 1 - cur;
        if (L->stacked) prnn_unpack_rows_t_ld(n, U, L->op[cur] + 16 * (size_t)I, ldop, L->out + (size_t)k * U, L->T * U);
        else prnn_unpack_rows_t(n, U, L->h[cur], L->out + (size_t)k * U, L->T * U);
        double f = now();
        ph[0] += b - a; ph[1] += d - b; ph[2] += e - d; ph[3] += f - e;
    }
    return now() - t0;
}

static void bench_loopt(int n, int T, int I, int U) {
    unsigned mxcsr = prnn_flush_denormals_enter();
    int G = 4 * U, np = (n + 15) / 16 * 16;
    float *x = amalloc(4 * (size_t)n * T * I), *W = amalloc(4 * (size_t)I * G), *R = amalloc(4 * (size_t)U * G);
    float *bias = amalloc(4 * (size_t)G), *out = amalloc(4 * (size_t)n * T * U), *ref = amalloc(4 * (size_t)n * T * U);
    float *out2 = amalloc(4 * (size_t)n * T * U);
    fill(x, (size_t)n * T * I); fill(W, (size_t)I * G); fill(R, (size_t)U * G); fill(bias, G);
    for (size_t i = 0; i < (size_t)I * G; i++) W[i] *= 0.1f;
    for (size_t i = 0; i < (size_t)U * G; i++) R[i] *= 0.1f;
    float *WR = amalloc(4 * (size_t)(I + U) * G);  // [W; U]
    memcpy(WR, W, 4 * (size_t)I * G); memcpy(WR + (size_t)I * G, R, 4 * (size_t)U * G);
    float *Wt = amalloc(4 * prnn_sgemm_packed_t_count(I, G)), *Rt = amalloc(4 * prnn_sgemm_packed_t_count(U, G));
    float *St = amalloc(4 * prnn_sgemm_packed_t_count(I + U, G));
    prnn_sgemm_pack_t(I, G, W, G, Wt); prnn_sgemm_pack_t(U, G, R, G, Rt); prnn_sgemm_pack_t(I + U, G, WR, G, St);
    size_t hc = prnn_rows_t_count(n, U), oc = prnn_rows_t_count(n, I + U);
    looptctx L = {n, T, I, U, 1, 1, x, bias, Wt, Rt, St, {amalloc(4 * oc), amalloc(4 * oc)}, amalloc(4 * prnn_rows_t_count(n, I)),
                  {amalloc(4 * hc), amalloc(4 * hc)}, {amalloc(4 * hc), amalloc(4 * hc)}, amalloc(4 * (size_t)G * np), out};
    double tot[2][5] = {{0}}, best[2] = {1e9, 1e9};  // [split, one chain][pack x, products, gates, output, all]
    for (int rep = 0; rep < 9; rep++)
        for (int mode = 0; mode < 2; mode++) {  // alternated
            double ph[4] = {0};
            L.split = mode == 0; L.out = mode == 0 ? out : out2;
            double all = run_loopt(&L, ph);
            if (rep >= 2) { for (int i = 0; i < 4; i++) tot[mode][i] += ph[i] / 7; tot[mode][4] += all / 7; }
            if (all < best[mode]) best[mode] = all;
        }
    // The row-major loop, one step per block: the bits to match.
    float *Wp = amalloc(4 * prnn_sgemm_packed_b_count(I, G)), *Rp = amalloc(4 * prnn_sgemm_packed_b_count(U, G));
    float *P = amalloc(4 * (size_t)n * G), *h0 = amalloc(4 * (size_t)n * U), *cr = amalloc(4 * (size_t)n * U),
          *cr2 = amalloc(4 * (size_t)n * U);
    prnn_sgemm_pack_b(I, G, W, G, Wp); prnn_sgemm_pack_b(U, G, R, G, Rp);
    memset(h0, 0, 4 * (size_t)n * U); memset(cr, 0, 4 * (size_t)n * U);
    const float *hr = h0; int ldh = U;
    double r0 = now();
    for (int k = 0; k < T; k++) {
        prnn_sgemm_packed(n, G, I, x + (size_t)k * I, T * I, Wp, P, G, 0);
        prnn_sgemm_packed_add(n, G, U, hr, ldh, Rp, P, G);
        prnn_lstm_gates_f32(n, U, P, G, NULL, bias, cr, cr2, ref + (size_t)k * U, T * U, PRNN_ACT_TANH, PRNN_ACT_SIGMOID);
        float *t = cr; cr = cr2; cr2 = t; hr = ref + (size_t)k * U; ldh = T * U;
    }
    double rowMajor = now() - r0;
    double fl = 2.0 * n * T * (I + U) * G, peak = fma_peak();
    printf("loopt rows %d T %d I %d U %d; FMA peak %.1f GFLOP/s\n", n, T, I, U, peak);
    printf("  transposed (mean of 7): all %.3f ms (best %.3f) = %.1f GFLOP/s (%.0f %% of peak); pack x %.3f ms, "
           "[x;h]·[W;U] split %.3f ms, gates %.3f ms, output %.3f ms | one chain (x·W ⊕ h·U): all %.3f ms (best %.3f), "
           "product %.3f ms | row-major, 1-step blocks, once: %.3f ms | %s\n",
           tot[0][4] * 1e3, best[0] * 1e3, fl / tot[0][4] * 1e-9, 100 * fl / tot[0][4] * 1e-9 / peak, tot[0][0] * 1e3,
           tot[0][1] * 1e3, tot[0][2] * 1e3, tot[0][3] * 1e3, tot[1][4] * 1e3, best[1] * 1e3, tot[1][1] * 1e3,
           rowMajor * 1e3, memcmp(out, ref, 4 * (size_t)n * T * U) ? "DIFFERENT BITS"
                                                                    : "split: bitwise the row-major outputs");
    fflush(stdout);
    free(x); free(W); free(R); free(bias); free(out); free(out2); free(ref); free(WR); free(Wt); free(Rt); free(St);
    free(L.op[0]); free(L.op[1]); free(L.xt); free(L.h[0]); free(L.h[1]); free(L.c[0]); free(L.c[1]); free(L.Z);
    free(Wp); free(Rp); free(P); free(h0); free(cr); free(cr2);
    prnn_flush_denormals_restore(mxcsr);
}

// ---------------------------------------------------------------- A packing (kernels' internal entry points)
void prnn_pack_a_panels_avx2(int mc, int kc, const float *A, int lda, float *dst, int (*row_tile)(int rows_left));
void prnn_pack_a_panels_avx512(int mc, int kc, const float *A, int lda, float *dst, int (*row_tile)(int rows_left));
static int row_tile6(int rem) { return rem <= 6 ? rem : rem <= 9 ? rem - 4 : 6; }     // the AVX2 tile's rows
static int row_tile12(int rem) { return rem <= 12 ? rem : rem <= 15 ? rem - 4 : 12; }  // the AVX-512 12×32 tile's

/// The scalar packing the register-transpose versions replaced (the reference for `kb pack`).
static void pack_scalar(int mc, int kc, const float *A, int lda, float *dst, int (*row_tile)(int)) {
    for (int i0 = 0, mr; i0 < mc; i0 += mr) {
        mr = row_tile(mc - i0);
        for (int r = 0; r < mr; r++)
            for (int k = 0; k < kc; k++) dst[(size_t)i0 * kc + (size_t)k * mr + r] = A[(size_t)(i0 + r) * lda + k];
    }
}

typedef struct { int mc, kc, lda, simd; const float *A; float *dst; int (*rt)(int); } packctx;
static void run_pack(void *p) {
    packctx *c = p;
    if (!c->simd) pack_scalar(c->mc, c->kc, c->A, c->lda, c->dst, c->rt);
#if defined(__x86_64__)  // only built there (main refuses `kb pack` on other CPUs)
    else if (c->simd == 2) prnn_pack_a_panels_avx512(c->mc, c->kc, c->A, c->lda, c->dst, c->rt);
    else prnn_pack_a_panels_avx2(c->mc, c->kc, c->A, c->lda, c->dst, c->rt);
#endif
}

/// `kb pack [avx2|avx512]`: µs per packing of the w1 shard's A blocks (rows T·U = 25,600 floats apart), scalar vs
/// register transposes, 3 rounds; checks the two agree.
static int bench_pack(int simd) {
    const int lda = 100 * 256, shapes[][2] = {{32, 256}, {128, 128}};
    float *A = amalloc(4 * (size_t)128 * lda), *d0 = amalloc(4 * 128 * 256), *d1 = amalloc(4 * 128 * 256);
    fill(A, (size_t)128 * lda);
    int (*rt)(int) = simd == 2 ? row_tile12 : row_tile6;
    for (int round = 0; round < 3; round++)
        for (int s = 0; s < 2; s++) {
            packctx c0 = {shapes[s][0], shapes[s][1], lda, 0, A, d0, rt}, c1 = c0;
            c1.simd = simd; c1.dst = d1;
            double ts = time_median(run_pack, &c0), tv = time_median(run_pack, &c1);
            int same = !memcmp(d0, d1, 4 * (size_t)shapes[s][0] * shapes[s][1]);
            printf("pack %3d × %3d (%s rows): scalar %.2f µs, %s %.2f µs%s\n", shapes[s][0], shapes[s][1],
                   simd == 2 ? "12" : "6", ts * 1e6, simd == 2 ? "avx512" : "avx2", tv * 1e6, same ? "" : "  MISMATCH");
            if (!same) return 1;
        }
    free(A); free(d0); free(d1);
    return 0;
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "check";
    if (!strcmp(mode, "check")) return run_checks(argc > 2 && !strcmp(argv[2], "gates"));
    if (!strcmp(mode, "loop")) {
        if (argc < 8 || atoi(argv[3]) < 1 || atoi(argv[4]) < 1 || atoi(argv[5]) < 1 || atoi(argv[6]) < 1) {
            fprintf(stderr, "usage: kb loop isa rows T I U blockRows (rows, T, I, U ≥ 1)\n");
            return 2;
        }
        prnn_force_isa(!strcmp(argv[2], "avx512") ? PRNN_ISA_AVX512 : !strcmp(argv[2], "avx2") ? PRNN_ISA_AVX2 : PRNN_ISA_PORTABLE);
        bench_loop(atoi(argv[3]), atoi(argv[4]), atoi(argv[5]), atoi(argv[6]), atoi(argv[7]));
        return 0;
    }
    if (!strcmp(mode, "loopt")) {
        if (argc < 7 || atoi(argv[3]) < 1 || atoi(argv[4]) < 1 || atoi(argv[5]) < 1 || atoi(argv[6]) < 1) {
            fprintf(stderr, "usage: kb loopt isa rows T I U (all ≥ 1)\n");
            return 2;
        }
        prnn_force_isa(!strcmp(argv[2], "avx512") ? PRNN_ISA_AVX512 : !strcmp(argv[2], "avx2") ? PRNN_ISA_AVX2 : PRNN_ISA_PORTABLE);
        bench_loopt(atoi(argv[3]), atoi(argv[4]), atoi(argv[5]), atoi(argv[6]));
        return 0;
    }
    if (!strcmp(mode, "tilechoice")) {  // the tiles short and tall products would use (Scripts/emulate-avx512 checks)
        printf("short=%s tall=%s gates_k=%d t_kc=%d\n", prnn_avx512_tile_name(prnn_avx512_active_tile(PRNN_AVX512_SHORT_ROWS)),
               prnn_avx512_tile_name(prnn_avx512_active_tile(PRNN_AVX512_SHORT_ROWS + 1)), prnn_avx512_gates_k(), prnn_t_kc());
        return 0;
    }
    if (!strcmp(mode, "pack")) {
        int simd = argc > 2 && !strcmp(argv[2], "avx512") ? 2 : 1;
        if ((simd == 2 && prnn_detected_isa() < PRNN_ISA_AVX512) || prnn_detected_isa() < PRNN_ISA_AVX2) {
            fprintf(stderr, "kb pack: this CPU lacks %s\n", simd == 2 ? "AVX-512" : "AVX2");
            return 2;
        }
        return bench_pack(simd);
    }
    if (argc > 2) {
        prnn_isa want = !strcmp(argv[2], "avx512") ? PRNN_ISA_AVX512 : !strcmp(argv[2], "avx2") ? PRNN_ISA_AVX2 : PRNN_ISA_PORTABLE;
        prnn_force_isa(want);
    }
    printf("ISA: %s (detected %s; AVX-512 tiles %s for ≤ %d rows, %s taller; PRNN_AVX512_TILE chooses)\n\n",
           prnn_isa_name(prnn_active_isa()), prnn_isa_name(prnn_detected_isa()),
           prnn_avx512_tile_name(prnn_avx512_active_tile(PRNN_AVX512_SHORT_ROWS)), PRNN_AVX512_SHORT_ROWS,
           prnn_avx512_tile_name(prnn_avx512_active_tile(PRNN_AVX512_SHORT_ROWS + 1)));
    if (!strcmp(mode, "gates")) {
        printf("| gate kernel | rows | U | µs/call (median) | rows·U/ns |\n|---|---|---|---|---|\n");
        bench_gates(32, 256);
        bench_gates(64, 256);
        bench_gates(256, 512);
        bench_acts();
        return 0;
    }
    printf("| kernel   |     M |     N |    K | µs/call (median) | GFLOP/s (median) | GFLOP/s (best) | FMA peak now | median/peak |\n"
           "|---|---|---|---|---|---|---|---|---|\n");
    if (!strcmp(mode, "cells")) {
        int Ms[] = {32, 64, 256, 512}, NKs[][2] = {{768, 256}, {1024, 256}, {1024, 512}, {2048, 256}, {2048, 512}, {1024, 128}, {2048, 256}};
        for (int m = 0; m < 4; m++) for (int q = 0; q < 6; q++) bench_gemm("packed", Ms[m], NKs[q][0], NKs[q][1]);
        bench_gemm("plain", 32, 32, 32);
        bench_gemm("packed", 32, 32, 32);
        printf("\n| gate kernel | rows | U | µs/call (median) | rows·U/ns |\n|---|---|---|---|---|\n");
        bench_gates(64, 256);
        bench_gates(32, 32);
        bench_gates(256, 512);
        bench_acts();
        return 0;
    }
    // The cells' packed GEMMs on two cores: w1/w2 shards' recurrent (32 rows) and input (128: 4-step blocks)
    // products, w5 shards' (256 rows, K = 512) and its 2-step input blocks (512 rows, K = 256).
    const int cell_shapes[][3] = {{32, 1024, 256}, {32, 768, 256}, {128, 1024, 128}, {256, 2048, 512},
                                  {512, 2048, 256}};
    const size_t cell_shape_count = sizeof cell_shapes / sizeof cell_shapes[0];
    if (!strcmp(mode, "shapes")) {
        for (size_t i = 0; i < cell_shape_count; i++)
            bench_gemm("packed", cell_shapes[i][0], cell_shapes[i][1], cell_shapes[i][2]);
        return 0;
    }
    if (!strcmp(mode, "tiles")) {  // the AVX-512 register tiles side by side on the same GEMMs, 3 rounds
        const prnn_avx512_tile order[] = {PRNN_AVX512_TILE_12X32, PRNN_AVX512_TILE_6X64, PRNN_AVX512_TILE_12X32E};
        for (int round = 0; round < 3; round++)
            for (int q = 0; q < 3; q++) {
                prnn_avx512_tile t = order[(q + round) % 3];
                prnn_force_avx512_tile(t);
                printf("| round %d, tile %s |||||||||\n", round + 1, prnn_avx512_tile_name(t));
                for (size_t i = 0; i < cell_shape_count; i++)
                    bench_gemm("packed", cell_shapes[i][0], cell_shapes[i][1], cell_shapes[i][2]);
            }
        prnn_force_avx512_tile(PRNN_AVX512_TILE_DEFAULT);
        prnn_avx512_tune();
        printf("prnn_avx512_tune() picks: %s for ≤ %d rows, %s taller; transposed product for 32 rows: %s, k blocks "
               "≤ %d (0: one); gate kernels: %d vector(s) per call\n",
               prnn_avx512_tile_name(prnn_avx512_active_tile(PRNN_AVX512_SHORT_ROWS)), PRNN_AVX512_SHORT_ROWS,
               prnn_avx512_tile_name(prnn_avx512_active_tile(PRNN_AVX512_SHORT_ROWS + 1)),
               prnn_sgemm_t_preferred(32) ? "on" : "off (measured slower)", prnn_t_kc(), prnn_avx512_gates_k());
        return 0;
    }
    if (!strcmp(mode, "quick")) {
        bench_gemm("packed", 64, 1024, 256);
        bench_gemm("packed", 256, 2048, 512);
        bench_gemm("plain", 6400, 1024, 256);
        bench_gemm("plain", 32, 32, 32);
        bench_gemm("packed", 8, 1024, 256);
        return 0;
    }
    int Ms[] = {32, 64, 128, 256}, NKs[][2] = {{1024, 256}, {1024, 512}, {2048, 256}, {2048, 512}};
    for (int m = 0; m < 4; m++) for (int q = 0; q < 4; q++) bench_gemm("packed", Ms[m], NKs[q][0], NKs[q][1]);
    int sm[] = {1, 2, 4, 8, 16};
    for (int m = 0; m < 5; m++) bench_gemm("packed", sm[m], 1024, 256);
    int bNKs[][2] = {{1024, 128}, {1024, 256}, {1024, 512}, {2048, 128}, {2048, 256}, {2048, 512}};
    for (int q = 0; q < 6; q++) bench_gemm("plain", 6400, bNKs[q][0], bNKs[q][1]);
    bench_gemm("plain", 25600, 1024, 256);
    bench_gemm("plain", 25600, 2048, 512);
    bench_gemm("plain", 32, 32, 32);
    bench_gemm("plain", 64, 64, 64);
    bench_gemm("plain", 8, 512, 128);
    bench_acts();
    return 0;
}
