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

void prnn_sgemm_packed_portable(int M, int N, int K, const float *A, int lda, const float *packed, float *C, int ldc, int accumulate) {
    const int nr = PRNN_PACK_NR;
    for (int i = 0; i < M; i++) {
        float *c = C + (size_t)i * ldc;
        const float *a = A + (size_t)i * lda;
        if (!accumulate) for (int j = 0; j < N; j++) c[j] = 0.0f;
        for (int j0 = 0; j0 < N; j0 += nr) {
            int w = N - j0 < nr ? N - j0 : nr;
            const float *panel = packed + (size_t)(j0 / nr) * K * nr;
            for (int k = 0; k < K; k++) {
                const float aik = a[k], *b = panel + (size_t)k * nr;
                for (int j = 0; j < w; j++) c[j0 + j] = fmaf(aik, b[j], c[j0 + j]);
            }
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

/// prnn_sgemm_t written out: C[j][r] = chain over k of fma(W^T(j, k), X^T(k, r)).
void prnn_sgemm_t_portable(int N, int n, int K, const float *packed, const float *panels, float *C, int ldc, int accumulate) {
    const int tr = PRNN_PACK_TR, nr = PRNN_PACK_NR;
    for (int j = 0; j < N; j++) {
        const float *a = packed + (size_t)(j / tr) * tr * K + j % tr;
        float *c = C + (size_t)j * ldc;
        for (int r = 0; r < n; r++) {
            const float *b = panels + (size_t)(r / nr) * nr * K + r % nr;
            float acc = accumulate ? c[r] : 0.0f;
            for (int k = 0; k < K; k++) acc = fmaf(a[(size_t)k * tr], b[(size_t)k * nr], acc);
            c[r] = acc;
        }
    }
}
