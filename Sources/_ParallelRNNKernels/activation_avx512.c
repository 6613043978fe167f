// AVX-512 activations: activation_impl.h on 16 float / 8 double lanes; tails use masked loads and stores.
#include "prnn_internal.h"

#if PRNN_X86
#include <immintrin.h>
#include <string.h>

typedef __m512 VF;
typedef __mmask16 MF;
typedef __m512d VD;
typedef __mmask8 MD;
#define ACT_FN PRNN_INLINE PRNN_AVX512_TARGET
#define T PRNN_INLINE PRNN_AVX512_TARGET

T VF fset(float c) { return _mm512_set1_ps(c); }
T VF fadd(VF a, VF b) { return _mm512_add_ps(a, b); }
T VF fsub(VF a, VF b) { return _mm512_sub_ps(a, b); }
T VF fmul(VF a, VF b) { return _mm512_mul_ps(a, b); }
T VF fdiv(VF a, VF b) { return _mm512_div_ps(a, b); }
T VF ffma(VF a, VF b, VF c) { return _mm512_fmadd_ps(a, b, c); }
T VF fband(VF a, VF b) { return _mm512_and_ps(a, b); }
T VF fbor(VF a, VF b) { return _mm512_or_ps(a, b); }
T MF flt(VF a, VF b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
T MF fisnan(VF a) { return _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q); }
T VF fsel(MF m, VF a, VF b) { return _mm512_mask_blend_ps(m, b, a); }
T int fany(MF m) { return m != 0; }
T VF fpow2(VF t) {
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(_mm512_castps_si512(t), _mm512_set1_epi32(127)), 23));
}
#define fsignmask _mm512_castsi512_ps(_mm512_set1_epi32((int)0x80000000u))
#define fabsmask _mm512_castsi512_ps(_mm512_set1_epi32(0x7fffffff))

T VD dset(double c) { return _mm512_set1_pd(c); }
T VD dadd(VD a, VD b) { return _mm512_add_pd(a, b); }
T VD dsub(VD a, VD b) { return _mm512_sub_pd(a, b); }
T VD dmul(VD a, VD b) { return _mm512_mul_pd(a, b); }
T VD ddiv(VD a, VD b) { return _mm512_div_pd(a, b); }
T VD dfma(VD a, VD b, VD c) { return _mm512_fmadd_pd(a, b, c); }
T VD dband(VD a, VD b) { return _mm512_and_pd(a, b); }
T VD dbor(VD a, VD b) { return _mm512_or_pd(a, b); }
T MD dlt(VD a, VD b) { return _mm512_cmp_pd_mask(a, b, _CMP_LT_OQ); }
T MD disnan(VD a) { return _mm512_cmp_pd_mask(a, a, _CMP_UNORD_Q); }
T VD dsel(MD m, VD a, VD b) { return _mm512_mask_blend_pd(m, b, a); }
T int dany(MD m) { return m != 0; }
T VD dpow2(VD t) {
    return _mm512_castsi512_pd(_mm512_slli_epi64(_mm512_add_epi64(_mm512_castpd_si512(t), _mm512_set1_epi64(1023)), 52));
}
#define dsignmask _mm512_castsi512_pd(_mm512_set1_epi64((long long)0x8000000000000000ull))
#define dabsmask _mm512_castsi512_pd(_mm512_set1_epi64(0x7fffffffffffffffll))

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
