// AVX-512 activations: activation_impl.h on 16 float / 8 double lanes; tails use masked loads and stores.
#include "prnn_internal.h"

#if PRNN_X86
#include <immintrin.h>
#include <string.h>

#include "simd_avx512.h"
#include "activation_impl.h"

#define F32_LOOP(F) do { \
    size_t i = 0; \
    for (; i + 64 <= n; i += 64) { /* four independent chains per iteration */ \
        __m512 v0 = F(_mm512_loadu_ps(x + i)), v1 = F(_mm512_loadu_ps(x + i + 16)); \
        __m512 v2 = F(_mm512_loadu_ps(x + i + 32)), v3 = F(_mm512_loadu_ps(x + i + 48)); \
        _mm512_storeu_ps(y + i, v0); _mm512_storeu_ps(y + i + 16, v1); \
        _mm512_storeu_ps(y + i + 32, v2); _mm512_storeu_ps(y + i + 48, v3); \
    } \
    for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, F(_mm512_loadu_ps(x + i))); \
    if (i < n) { \
        __mmask16 m = (__mmask16)((1u << (n - i)) - 1u); \
        _mm512_mask_storeu_ps(y + i, m, F(_mm512_maskz_loadu_ps(m, x + i))); \
    } } while (0)

#define F64_LOOP(F) do { \
    size_t i = 0; \
    for (; i + 32 <= n; i += 32) { \
        __m512d v0 = F(_mm512_loadu_pd(x + i)), v1 = F(_mm512_loadu_pd(x + i + 8)); \
        __m512d v2 = F(_mm512_loadu_pd(x + i + 16)), v3 = F(_mm512_loadu_pd(x + i + 24)); \
        _mm512_storeu_pd(y + i, v0); _mm512_storeu_pd(y + i + 8, v1); \
        _mm512_storeu_pd(y + i + 16, v2); _mm512_storeu_pd(y + i + 24, v3); \
    } \
    for (; i + 8 <= n; i += 8) _mm512_storeu_pd(y + i, F(_mm512_loadu_pd(x + i))); \
    if (i < n) { \
        __mmask8 m = (__mmask8)((1u << (n - i)) - 1u); \
        _mm512_mask_storeu_pd(y + i, m, F(_mm512_maskz_loadu_pd(m, x + i))); \
    } } while (0)

PRNN_AVX512_TARGET void prnn_activation_f32_avx512(prnn_activation act, const float *x, float *y, size_t n) {
    switch (act) {
    case PRNN_ACT_TANH: F32_LOOP(f_tanh); break;
    case PRNN_ACT_SIGMOID: F32_LOOP(f_sigmoid); break;
    case PRNN_ACT_HARD_SIGMOID: F32_LOOP(f_hard_sigmoid); break;
    case PRNN_ACT_RELU: F32_LOOP(f_relu); break;
    default: if (x != y) memmove(y, x, n * sizeof(float)); break;
    }
}

PRNN_AVX512_TARGET void prnn_activation_f64_avx512(prnn_activation act, const double *x, double *y, size_t n) {
    switch (act) {
    case PRNN_ACT_TANH: F64_LOOP(d_tanh); break;
    case PRNN_ACT_SIGMOID: F64_LOOP(d_sigmoid); break;
    case PRNN_ACT_HARD_SIGMOID: F64_LOOP(d_hard_sigmoid); break;
    case PRNN_ACT_RELU: F64_LOOP(d_relu); break;
    default: if (x != y) memmove(y, x, n * sizeof(double)); break;
    }
}
#endif
