// AVX2+FMA activations: activation_impl.h on 8 float / 4 double lanes; tails go through a zero-padded lane buffer.
#include "prnn_internal.h"

#if PRNN_X86
#include <immintrin.h>
#include <string.h>

#include "simd_avx2.h"
#include "activation_impl.h"

#define F32_LOOP(F) do { \
    size_t i = 0; \
    for (; i + 32 <= n; i += 32) { /* four independent chains per iteration */ \
        __m256 v0 = F(_mm256_loadu_ps(x + i)), v1 = F(_mm256_loadu_ps(x + i + 8)); \
        __m256 v2 = F(_mm256_loadu_ps(x + i + 16)), v3 = F(_mm256_loadu_ps(x + i + 24)); \
        _mm256_storeu_ps(y + i, v0); _mm256_storeu_ps(y + i + 8, v1); \
        _mm256_storeu_ps(y + i + 16, v2); _mm256_storeu_ps(y + i + 24, v3); \
    } \
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, F(_mm256_loadu_ps(x + i))); \
    if (i < n) { \
        float buf[8] = {0}; \
        memcpy(buf, x + i, (n - i) * sizeof(float)); \
        _mm256_storeu_ps(buf, F(_mm256_loadu_ps(buf))); \
        memcpy(y + i, buf, (n - i) * sizeof(float)); \
    } } while (0)

#define F64_LOOP(F) do { \
    size_t i = 0; \
    for (; i + 16 <= n; i += 16) { \
        __m256d v0 = F(_mm256_loadu_pd(x + i)), v1 = F(_mm256_loadu_pd(x + i + 4)); \
        __m256d v2 = F(_mm256_loadu_pd(x + i + 8)), v3 = F(_mm256_loadu_pd(x + i + 12)); \
        _mm256_storeu_pd(y + i, v0); _mm256_storeu_pd(y + i + 4, v1); \
        _mm256_storeu_pd(y + i + 8, v2); _mm256_storeu_pd(y + i + 12, v3); \
    } \
    for (; i + 4 <= n; i += 4) _mm256_storeu_pd(y + i, F(_mm256_loadu_pd(x + i))); \
    if (i < n) { \
        double buf[4] = {0}; \
        memcpy(buf, x + i, (n - i) * sizeof(double)); \
        _mm256_storeu_pd(buf, F(_mm256_loadu_pd(buf))); \
        memcpy(y + i, buf, (n - i) * sizeof(double)); \
    } } while (0)

PRNN_AVX2_TARGET void prnn_activation_f32_avx2(prnn_activation act, const float *x, float *y, size_t n) {
    switch (act) {
    case PRNN_ACT_TANH: F32_LOOP(f_tanh); break;
    case PRNN_ACT_SIGMOID: F32_LOOP(f_sigmoid); break;
    case PRNN_ACT_HARD_SIGMOID: F32_LOOP(f_hard_sigmoid); break;
    case PRNN_ACT_RELU: F32_LOOP(f_relu); break;
    default: if (x != y) memmove(y, x, n * sizeof(float)); break;
    }
}

PRNN_AVX2_TARGET void prnn_activation_f64_avx2(prnn_activation act, const double *x, double *y, size_t n) {
    switch (act) {
    case PRNN_ACT_TANH: F64_LOOP(d_tanh); break;
    case PRNN_ACT_SIGMOID: F64_LOOP(d_sigmoid); break;
    case PRNN_ACT_HARD_SIGMOID: F64_LOOP(d_hard_sigmoid); break;
    case PRNN_ACT_RELU: F64_LOOP(d_relu); break;
    default: if (x != y) memmove(y, x, n * sizeof(double)); break;
    }
}
#endif
