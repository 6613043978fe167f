// AVX2 packing of A into register-tile panels (prnn_internal.h's layout) by 8 × 8 transposes in registers: per tile
// of mr ≤ 8 rows, 8 k at a time, one load per row and plain stores of mr floats per k (`vmaskmovps` stores are slow
// on AMD cores), instead of one scalar store per element. Moves only: the packed values are the bits of A.
#include "prnn_internal.h"

#if PRNN_X86
#include <immintrin.h>
#include "transpose_avx2.h"

/// The first n ≤ 8 lanes of v at p (plain stores of 4, 2 and 1 floats).
PRNN_INLINE PRNN_AVX2_TARGET void store_first(float *p, __m256 v, int n) {
    if (n == 8) { _mm256_storeu_ps(p, v); return; }
    __m128 q = _mm256_castps256_ps128(v);
    if (n >= 4) { _mm_storeu_ps(p, q); p += 4; n -= 4; q = _mm256_extractf128_ps(v, 1); }
    if (n >= 2) { _mm_storel_pi((__m64 *)p, q); p += 2; n -= 2; q = _mm_movehl_ps(q, q); }
    if (n) _mm_store_ss(p, q);
}

/// Rows r[0..<mr] (8 k each; rows ≥ mr read as zero) stored transposed: k-th column's mr values at dst + k·mr.
PRNN_INLINE PRNN_AVX2_TARGET void transpose_store(const int mr, const float *src, size_t lda, float *dst) {
    __m256 r[8], c[8];
    PRNN_UNROLL
    for (int i = 0; i < 8; i++) r[i] = i < mr ? _mm256_loadu_ps(src + (size_t)i * lda) : _mm256_setzero_ps();
    prnn_transpose8_avx2(r, c);
    PRNN_UNROLL
    for (int k = 0; k < 8; k++) store_first(dst + (size_t)k * mr, c[k], mr);
}

#define PACK_LANES 8
#define PACK_TARGET PRNN_AVX2_TARGET
#define PACK_NAME prnn_pack_a_panels_avx2
#include "pack_impl.h"
#endif
