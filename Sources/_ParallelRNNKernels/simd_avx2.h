// The SIMD vocabulary of activation_impl.h, activation_loops.h and gates_impl.h
// on 8 float / 4 double lanes (AVX2+FMA).
// Included by exactly one .c file per use (every function is static inline); see activation_impl.h for the contract.
#ifndef PRNN_SIMD_AVX2_H
#define PRNN_SIMD_AVX2_H
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
T VF fminx(VF a, VF b) { return _mm256_min_ps(a, b); }
T VF fmaxx(VF a, VF b) { return _mm256_max_ps(a, b); }
T int fany(MF m) { return _mm256_movemask_ps(m) != 0; }
T VF fpow2(VF t) {
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(_mm256_castps_si256(t), _mm256_set1_epi32(127)), 23));
}
T VF fexponent(VF x) {
    return _mm256_cvtepi32_ps(_mm256_sub_epi32(_mm256_srli_epi32(_mm256_castps_si256(x), 23), _mm256_set1_epi32(127)));
}
#define fsignmask _mm256_castsi256_ps(_mm256_set1_epi32((int)0x80000000u))
#define fabsmask _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff))
#define fmantmask _mm256_castsi256_ps(_mm256_set1_epi32(0x007fffff))

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

/// Loads and stores of FLANES floats; the _part forms touch only the first m < FLANES lanes (others read as 0).
#define FLANES 8
T VF fload(const float *p) { return _mm256_loadu_ps(p); }
T void fstore(float *p, VF v) { _mm256_storeu_ps(p, v); }
T __m256i fpart_mask(int m) { return _mm256_cmpgt_epi32(_mm256_set1_epi32(m), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)); }
T VF fload_part(const float *p, int m) { return _mm256_maskload_ps(p, fpart_mask(m)); }
T void fstore_part(float *p, VF v, int m) { _mm256_maskstore_ps(p, fpart_mask(m), v); }
/// The same for DLANES doubles.
#define DLANES 4
T VD dload(const double *p) { return _mm256_loadu_pd(p); }
T void dstore(double *p, VD v) { _mm256_storeu_pd(p, v); }
T __m256i dpart_mask(int m) { return _mm256_cmpgt_epi64(_mm256_set1_epi64x(m), _mm256_setr_epi64x(0, 1, 2, 3)); }
T VD dload_part(const double *p, int m) { return _mm256_maskload_pd(p, dpart_mask(m)); }
T void dstore_part(double *p, VD v, int m) { _mm256_maskstore_pd(p, dpart_mask(m), v); }
#undef T
#endif
#endif
