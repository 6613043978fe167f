// The SIMD vocabulary of activation_impl.h, activation_loops.h and gates_impl.h
// on 16 float / 8 double lanes (AVX-512F/DQ/VL).
// Included by exactly one .c file per use (every function is static inline); see activation_impl.h for the contract.
#ifndef PRNN_SIMD_AVX512_H
#define PRNN_SIMD_AVX512_H
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
T VF fminx(VF a, VF b) { return _mm512_min_ps(a, b); }
T VF fmaxx(VF a, VF b) { return _mm512_max_ps(a, b); }
T int fany(MF m) { return m != 0; }
T VF fpow2(VF t) {
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(_mm512_castps_si512(t), _mm512_set1_epi32(127)), 23));
}
T VF fexponent(VF x) {  // (1.5·2^23 + biased exponent) - (1.5·2^23 + 127), exact; no int→float convert (SIMDe 0.7 has none)
    __m512i k = _mm512_or_si512(_mm512_srli_epi32(_mm512_castps_si512(x), 23), _mm512_set1_epi32(0x4b400000));
    return _mm512_sub_ps(_mm512_castsi512_ps(k), _mm512_set1_ps(12583039.0f));
}
#define fsignmask _mm512_castsi512_ps(_mm512_set1_epi32((int)0x80000000u))
#define fabsmask _mm512_castsi512_ps(_mm512_set1_epi32(0x7fffffff))
#define fmantmask _mm512_castsi512_ps(_mm512_set1_epi32(0x007fffff))

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

/// Loads and stores of FLANES floats; the _part forms touch only the first m < FLANES lanes (others read as 0).
#define FLANES 16
T VF fload(const float *p) { return _mm512_loadu_ps(p); }
T void fstore(float *p, VF v) { _mm512_storeu_ps(p, v); }
T VF fload_part(const float *p, int m) { return _mm512_maskz_loadu_ps((__mmask16)((1u << m) - 1u), p); }
T void fstore_part(float *p, VF v, int m) { _mm512_mask_storeu_ps(p, (__mmask16)((1u << m) - 1u), v); }
/// The same for DLANES doubles.
#define DLANES 8
T VD dload(const double *p) { return _mm512_loadu_pd(p); }
T void dstore(double *p, VD v) { _mm512_storeu_pd(p, v); }
T VD dload_part(const double *p, int m) { return _mm512_maskz_loadu_pd((__mmask8)((1u << m) - 1u), p); }
T void dstore_part(double *p, VD v, int m) { _mm512_mask_storeu_pd(p, (__mmask8)((1u << m) - 1u), v); }
#undef T
#endif
#endif
