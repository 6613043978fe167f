// AVX2+FMA activations: activation_impl.h on 8 float / 4 double lanes; tails go through a zero-padded lane buffer.
#include "prnn_internal.h"

#if PRNN_X86
#include <immintrin.h>
#include <string.h>

typedef __m256 VF;
typedef __m256 MF;
typedef __m256d VD;
typedef __m256d MD;
#define ACT_FN PRNN_INLINE PRNN_AVX2_TARGET
#define T PRNN_INLINE PRNN_AVX2_TARGET

T VF fset(float c) { return _mm256_set1_ps(c); }
T VF fadd(VF a, VF b) { return _mm256_add_ps(a, b); }
T VF fsub(VF a, VF b) { return _mm256_sub_ps(a, b); }
T VF fmul(VF a, VF b) { return _mm256_mul_ps(a, b); }
T VF fdiv(VF a, VF b) { return _mm256_div_ps(a, b); }
T VF ffma(VF a, VF b, VF c) { return _mm256_fmadd_ps(a, b, c); }
T VF fband(VF a, VF b) { return _mm256_and_ps(a, b); }
T VF fbor(VF a, VF b) { return _mm256_or_ps(a, b); }
T MF flt(VF a, VF b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
T MF fisnan(VF a) { return _mm256_cmp_ps(a, a, _CMP_UNORD_Q); }
T VF fsel(MF m, VF a, VF b) { return _mm256_blendv_ps(b, a, m); }
T int fany(MF m) { return _mm256_movemask_ps(m) != 0; }
T VF fpow2(VF t) {
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(_mm256_castps_si256(t), _mm256_set1_epi32(127)), 23));
}
#define fsignmask _mm256_castsi256_ps(_mm256_set1_epi32((int)0x80000000u))
#define fabsmask _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff))

T VD dset(double c) { return _mm256_set1_pd(c); }
T VD dadd(VD a, VD b) { return _mm256_add_pd(a, b); }
T VD dsub(VD a, VD b) { return _mm256_sub_pd(a, b); }
T VD dmul(VD a, VD b) { return _mm256_mul_pd(a, b); }
T VD ddiv(VD a, VD b) { return _mm256_div_pd(a, b); }
T VD dfma(VD a, VD b, VD c) { return _mm256_fmadd_pd(a, b, c); }
T VD dband(VD a, VD b) { return _mm256_and_pd(a, b); }
T VD dbor(VD a, VD b) { return _mm256_or_pd(a, b); }
T MD dlt(VD a, VD b) { return _mm256_cmp_pd(a, b, _CMP_LT_OQ); }
T MD disnan(VD a) { return _mm256_cmp_pd(a, a, _CMP_UNORD_Q); }
T VD dsel(MD m, VD a, VD b) { return _mm256_blendv_pd(b, a, m); }
T int dany(MD m) { return _mm256_movemask_pd(m) != 0; }
T VD dpow2(VD t) {
    return _mm256_castsi256_pd(_mm256_slli_epi64(_mm256_add_epi64(_mm256_castpd_si256(t), _mm256_set1_epi64x(1023)), 52));
}
#define dsignmask _mm256_castsi256_pd(_mm256_set1_epi64x((long long)0x8000000000000000ull))
#define dabsmask _mm256_castsi256_pd(_mm256_set1_epi64x(0x7fffffffffffffffll))

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
