// AVX2 packing of A into register-tile panels (prnn_internal.h's layout) by 8 × 8 transposes in registers: per tile
// of mr ≤ 8 rows, 8 k at a time, one load per row and plain stores of mr floats per k (`vmaskmovps` stores are slow
// on AMD cores), instead of one scalar store per element. Moves only: the packed values are the bits of A.
#include "prnn_internal.h"

#if PRNN_X86
#include <immintrin.h>

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
    __m256 r[8], t[8], u[8];
    PRNN_UNROLL
    for (int i = 0; i < 8; i++) r[i] = i < mr ? _mm256_loadu_ps(src + (size_t)i * lda) : _mm256_setzero_ps();
    PRNN_UNROLL
    for (int i = 0; i < 4; i++) {  // 128-bit half H: (r[2i], r[2i+1]) interleaved for k = 4H, 4H+1 | 4H+2, 4H+3
        t[2 * i] = _mm256_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm256_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    PRNN_UNROLL
    for (int i = 0; i < 2; i++) {  // u[4i + j], half H: rows 4i…4i+3 at k = 4H + j
        u[4 * i] = _mm256_shuffle_ps(t[4 * i], t[4 * i + 2], 0x44);
        u[4 * i + 1] = _mm256_shuffle_ps(t[4 * i], t[4 * i + 2], 0xEE);
        u[4 * i + 2] = _mm256_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0x44);
        u[4 * i + 3] = _mm256_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0xEE);
    }
    PRNN_UNROLL
    for (int j = 0; j < 4; j++) {  // k = j (low halves of u[j], u[4 + j]) and k = 4 + j (high halves)
        store_first(dst + (size_t)j * mr, _mm256_permute2f128_ps(u[j], u[4 + j], 0x20), mr);
        store_first(dst + (size_t)(4 + j) * mr, _mm256_permute2f128_ps(u[j], u[4 + j], 0x31), mr);
    }
}

#define PACK_LANES 8
#define PACK_TARGET PRNN_AVX2_TARGET
#define PACK_NAME prnn_pack_a_panels_avx2
#include "pack_impl.h"
#endif
