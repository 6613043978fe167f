// Portable reference kernels (temporary; replaced by the dispatching implementation).
#include "prnn_kernels.h"
#include <math.h>
#include <string.h>

prnn_isa prnn_detected_isa(void) { return PRNN_ISA_PORTABLE; }
prnn_isa prnn_active_isa(void) { return PRNN_ISA_PORTABLE; }
prnn_isa prnn_force_isa(prnn_isa isa) { (void)isa; return PRNN_ISA_PORTABLE; }
const char *prnn_isa_name(prnn_isa isa) {
    switch (isa) { case PRNN_ISA_AVX512: return "avx512"; case PRNN_ISA_AVX2: return "avx2+fma"; default: return "portable"; }
}

void prnn_sgemm(int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C, int ldc, int accumulate) {
    for (int i = 0; i < M; i++) for (int j = 0; j < N; j++) {
        float acc = accumulate ? C[(size_t)i * ldc + j] : 0.0f;
        for (int k = 0; k < K; k++) acc = fmaf(A[(size_t)i * lda + k], B[(size_t)k * ldb + j], acc);
        C[(size_t)i * ldc + j] = acc;
    }
}
void prnn_dgemm(int M, int N, int K, const double *A, int lda, const double *B, int ldb, double *C, int ldc, int accumulate) {
    for (int i = 0; i < M; i++) for (int j = 0; j < N; j++) {
        double acc = accumulate ? C[(size_t)i * ldc + j] : 0.0;
        for (int k = 0; k < K; k++) acc = fma(A[(size_t)i * lda + k], B[(size_t)k * ldb + j], acc);
        C[(size_t)i * ldc + j] = acc;
    }
}
size_t prnn_sgemm_packed_b_count(int K, int N) { return (size_t)K * (size_t)((N + PRNN_PACK_NR - 1) / PRNN_PACK_NR * PRNN_PACK_NR); }
void prnn_sgemm_pack_b(int K, int N, const float *B, int ldb, float *packed) {
    int strips = (N + PRNN_PACK_NR - 1) / PRNN_PACK_NR;
    for (int s = 0; s < strips; s++) for (int k = 0; k < K; k++) for (int c = 0; c < PRNN_PACK_NR; c++) {
        int j = s * PRNN_PACK_NR + c;
        packed[((size_t)s * K + k) * PRNN_PACK_NR + c] = j < N ? B[(size_t)k * ldb + j] : 0.0f;
    }
}
void prnn_sgemm_packed(int M, int N, int K, const float *A, int lda, const float *packed, float *C, int ldc, int accumulate) {
    for (int i = 0; i < M; i++) for (int j = 0; j < N; j++) {
        int s = j / PRNN_PACK_NR, c = j % PRNN_PACK_NR;
        float acc = accumulate ? C[(size_t)i * ldc + j] : 0.0f;
        for (int k = 0; k < K; k++) acc = fmaf(A[(size_t)i * lda + k], packed[((size_t)s * K + k) * PRNN_PACK_NR + c], acc);
        C[(size_t)i * ldc + j] = acc;
    }
}
static float act1f(prnn_activation a, float x) {
    switch (a) {
    case PRNN_ACT_TANH: return tanhf(x);
    case PRNN_ACT_SIGMOID: return 1.0f / (1.0f + expf(-x));
    case PRNN_ACT_HARD_SIGMOID: { float v = 0.2f * x + 0.5f; return v < 0 ? 0 : (v > 1 ? 1 : v); }
    case PRNN_ACT_RELU: return x > 0 ? x : 0.0f;
    default: return x;
    }
}
static double act1d(prnn_activation a, double x) {
    switch (a) {
    case PRNN_ACT_TANH: return tanh(x);
    case PRNN_ACT_SIGMOID: return 1.0 / (1.0 + exp(-x));
    case PRNN_ACT_HARD_SIGMOID: { double v = 0.2 * x + 0.5; return v < 0 ? 0 : (v > 1 ? 1 : v); }
    case PRNN_ACT_RELU: return x > 0 ? x : 0.0;
    default: return x;
    }
}
void prnn_activation_f32(prnn_activation act, const float *x, float *y, size_t n) { for (size_t i = 0; i < n; i++) y[i] = act1f(act, x[i]); }
void prnn_activation_f64(prnn_activation act, const double *x, double *y, size_t n) { for (size_t i = 0; i < n; i++) y[i] = act1d(act, x[i]); }
unsigned prnn_flush_denormals_enter(void) { return 0; }
void prnn_flush_denormals_restore(unsigned previous) { (void)previous; }
