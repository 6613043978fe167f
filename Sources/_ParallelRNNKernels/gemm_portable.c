// Portable GEMM: the determinism contract written out literally (one fmaf/fma chain per C element, k ascending).
// Used on non-x86 targets and when forced; x86 ISA paths reproduce it bit for bit.
#include "prnn_internal.h"
#include <math.h>

// Rows are processed one at a time; the k loop is outside the j loop so the compiler can vectorise across j,
// but each C[i][j] still sees exactly acc = fma(A[i][k], B[k][j], acc) for k = 0, 1, …, K-1.
void prnn_sgemm_portable(int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C, int ldc, int accumulate) {
    for (int i = 0; i < M; i++) {
        float *c = C + (size_t)i * ldc;
        const float *a = A + (size_t)i * lda;
        if (!accumulate) for (int j = 0; j < N; j++) c[j] = 0.0f;
        for (int k = 0; k < K; k++) {
            const float aik = a[k], *b = B + (size_t)k * ldb;
            for (int j = 0; j < N; j++) c[j] = fmaf(aik, b[j], c[j]);
        }
    }
}

/// `accumulate`: PRNN_C_ZERO, _LOAD, or _ADD (C + the chain from zero).
void prnn_sgemm_packed_portable(int M, int N, int K, const float *A, int lda, const float *packed, float *C, int ldc, int accumulate) {
    const int nr = PRNN_PACK_NR;
    for (int i = 0; i < M; i++) {
        float *c = C + (size_t)i * ldc;
        const float *a = A + (size_t)i * lda;
        for (int j0 = 0; j0 < N; j0 += nr) {
            int w = N - j0 < nr ? N - j0 : nr;
            const float *panel = packed + (size_t)(j0 / nr) * K * nr;
            float acc[PRNN_PACK_NR];
            for (int j = 0; j < w; j++) acc[j] = accumulate == PRNN_C_LOAD ? c[j0 + j] : 0.0f;
            for (int k = 0; k < K; k++) {
                const float aik = a[k], *b = panel + (size_t)k * nr;
                for (int j = 0; j < w; j++) acc[j] = fmaf(aik, b[j], acc[j]);
            }
            for (int j = 0; j < w; j++) c[j0 + j] = accumulate == PRNN_C_ADD ? c[j0 + j] + acc[j] : acc[j];
        }
    }
}

void prnn_dgemm_portable(int M, int N, int K, const double *A, int lda, const double *B, int ldb, double *C, int ldc, int accumulate) {
    for (int i = 0; i < M; i++) {
        double *c = C + (size_t)i * ldc;
        const double *a = A + (size_t)i * lda;
        if (!accumulate) for (int j = 0; j < N; j++) c[j] = 0.0;
        for (int k = 0; k < K; k++) {
            const double aik = a[k], *b = B + (size_t)k * ldb;
            for (int j = 0; j < N; j++) c[j] = fma(aik, b[j], c[j]);
        }
    }
}

/// prnn_sgemm_t written out: C[j][r] = chain over k of fma(W^T(j, k), X^T(k, r)); with a split (prnn_t_block_at),
/// the chain over [split, K) from zero, added to the first one's result.
void prnn_sgemm_t_portable(int N, int n, int K, int split, const float *packed, const float *panels, float *C, int ldc,
                           int accumulate) {
    const int tr = PRNN_PACK_TR, nr = PRNN_PACK_NR, s = split > 0 && split < K ? split : K;
    for (int j = 0; j < N; j++) {
        const float *a = packed + (size_t)(j / tr) * tr * K + j % tr;
        float *c = C + (size_t)j * ldc;
        for (int r = 0; r < n; r++) {
            const float *b = panels + (size_t)(r / nr) * nr * K + r % nr;
            float acc = accumulate ? c[r] : 0.0f, second = 0.0f;
            for (int k = 0; k < s; k++) acc = fmaf(a[(size_t)k * tr], b[(size_t)k * nr], acc);
            for (int k = s; k < K; k++) second = fmaf(a[(size_t)k * tr], b[(size_t)k * nr], second);
            c[r] = s < K ? acc + second : acc;
        }
    }
}
