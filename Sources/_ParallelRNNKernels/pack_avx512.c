// AVX-512 packing of A into register-tile panels (prnn_internal.h's layout) by 16 × 16 transposes in registers: per
// tile of mr ≤ 16 rows, 16 k at a time, one load per row and plain stores of mr floats per k (8 + 4 for the 12-row
// tile, 4 + 2 for the 6-row one), instead of one scalar store per element. Moves only: the values are A's bits.
#include "prnn_internal.h"

#if PRNN_X86
#include <immintrin.h>

static inline PRNN_AVX512_TARGET __m512 unpacklo_pd(__m512 a, __m512 b) {
    return _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(a), _mm512_castps_pd(b)));
}
static inline PRNN_AVX512_TARGET __m512 unpackhi_pd(__m512 a, __m512 b) {
    return _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(a), _mm512_castps_pd(b)));
}

/// 128-bit lanes of a and b picked by imm (vshufi32x4: the same lane move as vshuff32x4, which SIMDe lacks).
#define SHUF128(a, b, imm) \
    _mm512_castsi512_ps(_mm512_shuffle_i32x4(_mm512_castps_si512(a), _mm512_castps_si512(b), (imm)))

/// The first n ≤ 16 lanes of v at p (plain stores of 8, 4, 2 and 1 floats).
PRNN_INLINE PRNN_AVX512_TARGET void store_first(float *p, __m512 v, int n) {
    if (n == 16) { _mm512_storeu_ps(p, v); return; }
    __m256 h = _mm512_castps512_ps256(v);
    if (n >= 8) {
        _mm256_storeu_ps(p, h);
        p += 8;
        n -= 8;
        h = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1));  // lanes 8–15
    }
    if (n == 8) { _mm256_storeu_ps(p, h); return; }
    __m128 q = _mm256_castps256_ps128(h);
    if (n >= 4) { _mm_storeu_ps(p, q); p += 4; n -= 4; q = _mm256_extractf128_ps(h, 1); }
    if (n >= 2) { _mm_storel_pi((__m64 *)p, q); p += 2; n -= 2; q = _mm_movehl_ps(q, q); }
    if (n) _mm_store_ss(p, q);
}

/// Rows r[0..<mr] (16 k each; rows ≥ mr read as zero) stored transposed: k-th column's mr values at dst + k·mr.
PRNN_INLINE PRNN_AVX512_TARGET void transpose_store(const int mr, const float *src, size_t lda, float *dst) {
    __m512 r[16], t[16], u[16];
    PRNN_UNROLL
    for (int i = 0; i < 16; i++) r[i] = i < mr ? _mm512_loadu_ps(src + (size_t)i * lda) : _mm512_setzero_ps();
    PRNN_UNROLL
    for (int i = 0; i < 8; i++) {  // 128-bit lane L: (r[2i], r[2i+1]) interleaved for k = 4L, 4L+1 | 4L+2, 4L+3
        t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    PRNN_UNROLL
    for (int i = 0; i < 4; i++) {  // u[4i + j], lane L: rows 4i…4i+3 at k = 4L + j
        u[4 * i] = unpacklo_pd(t[4 * i], t[4 * i + 2]);
        u[4 * i + 1] = unpackhi_pd(t[4 * i], t[4 * i + 2]);
        u[4 * i + 2] = unpacklo_pd(t[4 * i + 1], t[4 * i + 3]);
        u[4 * i + 3] = unpackhi_pd(t[4 * i + 1], t[4 * i + 3]);
    }
    PRNN_UNROLL
    for (int j = 0; j < 4; j++) {  // k = 4L + j for L = 0…3: lane L of u[j], u[4 + j], u[8 + j], u[12 + j]
        __m512 v0 = SHUF128(u[j], u[4 + j], 0x88), v1 = SHUF128(u[j], u[4 + j], 0xDD);
        __m512 w0 = SHUF128(u[8 + j], u[12 + j], 0x88), w1 = SHUF128(u[8 + j], u[12 + j], 0xDD);
        store_first(dst + (size_t)j * mr, SHUF128(v0, w0, 0x88), mr);         // k = j
        store_first(dst + (size_t)(4 + j) * mr, SHUF128(v1, w1, 0x88), mr);   // k = 4 + j
        store_first(dst + (size_t)(8 + j) * mr, SHUF128(v0, w0, 0xDD), mr);   // k = 8 + j
        store_first(dst + (size_t)(12 + j) * mr, SHUF128(v1, w1, 0xDD), mr);  // k = 12 + j
    }
}

#define PACK_LANES 16
#define PACK_TARGET PRNN_AVX512_TARGET
#define PACK_NAME prnn_pack_a_panels_avx512
#include "pack_impl.h"
#endif
