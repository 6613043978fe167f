// An 8 × 8 float transpose in AVX2 registers, shared by the A packing (pack_avx2.c) and the transposed product's
// row panels (transposed.c). Moves only.
#ifndef PRNN_TRANSPOSE_AVX2_H
#define PRNN_TRANSPOSE_AVX2_H
#include "prnn_internal.h"

#if PRNN_X86
#include <immintrin.h>

/// out[j] = column j of the 8 × 8 block whose rows are r[0..<8].
PRNN_INLINE PRNN_AVX2_TARGET void prnn_transpose8_avx2(const __m256 r[8], __m256 out[8]) {
    __m256 t[8], u[8];
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
    for (int j = 0; j < 4; j++) {  // column j: low halves of u[j], u[4 + j]; column 4 + j: the high halves
        out[j] = _mm256_permute2f128_ps(u[j], u[4 + j], 0x20);
        out[4 + j] = _mm256_permute2f128_ps(u[j], u[4 + j], 0x31);
    }
}
#endif
#endif
