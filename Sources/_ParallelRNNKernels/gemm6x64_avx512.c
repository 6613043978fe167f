// AVX-512 GEMM, wide tile: 6×64 register tile (24 zmm accumulators), four B vectors and six broadcasts per k — half
// the broadcasts of the 12×32 tile (gemm_avx512.c) for the same FMAs. AMD's own Zen 4/5 single-precision kernels use
// this shape (AOCL-BLIS `sgemmsup_rv_zen4_asm_6x64`); prnn_avx512_tune() picks it where it measures faster (KERNELS.md).
// Every C element is the contract's chain acc = fma(a[k], b[k], acc), k ascending, from C or +0; K blocks store and
// reload acc exactly: the bits are those of every other tile and ISA.
#include "prnn_internal.h"

#if PRNN_X86
#include <immintrin.h>

#define MR 6   // rows per register tile
#define NV 4   // 16-column B vectors (packed panels) per register tile
#define NP 16  // packed panel width (PRNN_PACK_NR)
#ifndef PRNN_AVX512_WIDE_KC
#define PRNN_AVX512_WIDE_KC 128
#endif
#define KC PRNN_AVX512_WIDE_KC  // k block (balanced): four B panels of ≤ KC rows are ≤ 32 KiB (L1)
#define MC 288                  // row block: packed A block MC×KC is 144 KiB (L2)

/// Rows of the next register tile when `rem` rows are left: full tiles, except that 7 rows run as 4 + 3 (a 1-row
/// tile keeps only 4 FMA chains in flight; 8 are needed to cover 4 cycles × 2 pipes).
static inline int row_tile(int rem) { return rem <= MR ? rem : rem == MR + 1 ? 4 : MR; }

/// C[mr, 16·nv] (ldc, vector v's lanes masked by m[v]) = (load_c == PRNN_C_LOAD ? C : 0) + A[mr, kc] · B[kc, 16·nv],
/// or with PRNN_C_ADD: C + (0 + A · B).
/// A is a row tile's packed panel (element (r, k) at k·mr + r); B vector v of row k at B + v·b1 + k·16.
PRNN_INLINE PRNN_AVX512_TARGET void tile(const int mr, const int nv, int kc, const float *A, const float *B, size_t b1,
                                         float *C, size_t ldc, int load_c, const __mmask16 *m) {
    __m512 acc[MR][NV];
    PRNN_UNROLL
    for (int r = 0; r < MR; r++) if (r < mr) {
        PRNN_UNROLL
        for (int v = 0; v < NV; v++) if (v < nv)
            acc[r][v] = load_c == PRNN_C_LOAD ? _mm512_maskz_loadu_ps(m[v], C + r * ldc + v * 16) : _mm512_setzero_ps();
    }
    int k = 0;
    for (; k + 4 <= kc; k += 4) {  // four k per iteration, as in the 12×32 tile (same chains, same order)
        PRNN_UNROLL
        for (int q = 0; q < 4; q++) {
            __m512 b[NV];
            PRNN_UNROLL
            for (int v = 0; v < NV; v++) if (v < nv) b[v] = _mm512_loadu_ps(B + v * b1 + q * NP);
            PRNN_UNROLL
            for (int r = 0; r < MR; r++) if (r < mr) {
                const __m512 a = _mm512_set1_ps(A[q * mr + r]);
                PRNN_UNROLL
                for (int v = 0; v < NV; v++) if (v < nv) acc[r][v] = _mm512_fmadd_ps(a, b[v], acc[r][v]);
            }
        }
        A += 4 * mr;
        B += 4 * NP;
    }
    for (; k < kc; k++) {
        __m512 b[NV];
        PRNN_UNROLL
        for (int v = 0; v < NV; v++) if (v < nv) b[v] = _mm512_loadu_ps(B + v * b1);
        PRNN_UNROLL
        for (int r = 0; r < MR; r++) if (r < mr) {
            const __m512 a = _mm512_set1_ps(A[r]);
            PRNN_UNROLL
            for (int v = 0; v < NV; v++) if (v < nv) acc[r][v] = _mm512_fmadd_ps(a, b[v], acc[r][v]);
        }
        A += mr;
        B += NP;
    }
    PRNN_UNROLL
    for (int r = 0; r < MR; r++) if (r < mr) {
        PRNN_UNROLL
        for (int v = 0; v < NV; v++) if (v < nv) {
            if (load_c == PRNN_C_ADD) acc[r][v] = _mm512_add_ps(acc[r][v], _mm512_maskz_loadu_ps(m[v], C + r * ldc + v * 16));
            _mm512_mask_storeu_ps(C + r * ldc + v * 16, m[v], acc[r][v]);
        }
    }
}

/// C[mr, 16·nv] (ldc, masked) += P (ldp): a PRNN_C_ADD chain run in scratch, added while hot.
static PRNN_AVX512_TARGET void add_tile(int mr, int nv, float *C, size_t ldc, const float *P, size_t ldp,
                                        const __mmask16 *m) {
    for (int r = 0; r < mr; r++)
        for (int v = 0; v < nv; v++) {
            float *c = C + r * ldc + v * 16;
            const float *p = P + r * ldp + v * 16;
            _mm512_mask_storeu_ps(c, m[v], _mm512_add_ps(_mm512_maskz_loadu_ps(m[v], c), _mm512_maskz_loadu_ps(m[v], p)));
        }
}

/// Any tile: mr 1–6 rows, nv 4 or 2 vectors (the last strip of an odd number of panel pairs), masked columns.
static PRNN_AVX512_TARGET void tile_any(int mr, int nv, int kc, const float *A, const float *B, size_t b1, float *C,
                                        size_t ldc, int load_c, const __mmask16 *m) {
#define CALL(R) (nv == 4 ? tile(R, 4, kc, A, B, b1, C, ldc, load_c, m) : tile(R, 2, kc, A, B, b1, C, ldc, load_c, m))
    switch (mr) {
    case 6: CALL(6); break; case 5: CALL(5); break; case 4: CALL(4); break;
    case 3: CALL(3); break; case 2: CALL(2); break; default: CALL(1); break;
    }
#undef CALL
}

/// Blocked product with B in the PRNN_PACK_NR layout over the full K; 0 when scratch could not be had.
PRNN_AVX512_TARGET int prnn_sgemm_blocked_6x64_avx512(int M, int N, int K, const float *A, int lda,
                                                      const float *packed, float *C, int ldc, int accumulate) {
    const int panels = (int)(prnn_sgemm_packed_b_count(K, N) / ((size_t)K * NP));  // even
    const int strips = (panels + NV - 1) / NV;
    const size_t b1 = (size_t)K * NP;
    int mblocks = (M + MC - 1) / MC;
    int mc_max = ((M + mblocks - 1) / mblocks + MR - 1) / MR * MR;
    int kblocks = accumulate == PRNN_C_ADD && K <= PRNN_ADD_KONE ? 1 : (K + KC - 1) / KC;
    int kc_max = (K + kblocks - 1) / kblocks;  // balanced k blocks, no short tail
    float *abuf = prnn_thread_scratch(PRNN_SCRATCH_A, (size_t)mc_max * kc_max * sizeof(float));
    if (!abuf) return 0;
    size_t ldd;
    int partial;
    float *const D = prnn_chain_destination(M, N, kblocks, accumulate, C, ldc, &ldd, &partial);
    if (!D) return 0;
    for (int pc = 0; pc < K; pc += kc_max) {
        int kc = K - pc < kc_max ? K - pc : kc_max;
        int load_c = prnn_kblock_c_mode(pc, partial, accumulate);
        const int add_after = prnn_kblock_adds_to_c(pc, kc, K, partial);
        for (int ic = 0; ic < M; ic += mc_max) {
            int mc = M - ic < mc_max ? M - ic : mc_max;
            prnn_pack_a_panels_avx512(mc, kc, A + (size_t)ic * lda + pc, lda, abuf, row_tile);
            for (int s = 0; s < strips; s++) {
                const int nv = panels - s * NV >= NV ? NV : 2;
                const int j0 = s * NV * NP, w = N - j0 < nv * NP ? N - j0 : nv * NP;
                __mmask16 m[NV];
                for (int v = 0; v < NV; v++) {
                    int lanes = w - v * 16;
                    m[v] = (__mmask16)(lanes >= 16 ? 0xFFFF : lanes <= 0 ? 0 : (1u << lanes) - 1u);
                }
                const float *bp = packed + (size_t)s * NV * b1 + (size_t)pc * NP;
                // The next strip's panels (kc lines of 64 bytes each) are fetched into L2, a share per row tile.
                const char *next_bp = s + 1 < strips ? (const char *)(bp + NV * b1) : NULL;
                const int next_nv = s + 1 < strips ? (panels - (s + 1) * NV >= NV ? NV : 2) : 0;
                const size_t next_lines = (size_t)kc * next_nv;
                for (int ir = 0, mr; ir < mc; ir += mr) {
                    mr = row_tile(mc - ir);
                    {  // C seeds the accumulators: fetch the next tile's C rows while this one computes
                        int nir = ir + mr, ns = s;
                        if (nir >= mc) { nir = 0; ns = s + 1; }
                        if (ns < strips) {
                            const float *nc = D + (size_t)(ic + nir) * ldd + ns * NV * NP;
                            int nmr = row_tile(mc - nir), nw = N - ns * NV * NP;
                            for (int r = 0; r < nmr; r++)
                                for (int l = 0; l < NV && l * 16 < nw; l++)
                                    _mm_prefetch((const char *)(nc + (size_t)r * ldd + l * 16), _MM_HINT_T0);
                        }
                    }
                    if (next_bp)
                        for (size_t l = next_lines * ir / mc, end = next_lines * (ir + mr) / mc; l < end; l++)
                            _mm_prefetch(next_bp + (l / kc) * b1 * sizeof(float) + (l % kc) * 64, _MM_HINT_T1);
                    float *c = D + (size_t)(ic + ir) * ldd + j0;
                    const float *a = abuf + (size_t)ir * kc;
                    if (mr == MR && nv == NV && w == NV * NP) {  // the common case, inlined, unmasked C
                        static const __mmask16 all[NV] = {0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF};
                        tile(MR, NV, kc, a, bp, b1, c, ldd, load_c, all);
                    } else {
                        tile_any(mr, nv, kc, a, bp, b1, c, ldd, load_c, m);
                    }
                    if (add_after) add_tile(mr, nv, C + (size_t)(ic + ir) * ldc + j0, (size_t)ldc, c, ldd, m);
                }
            }
        }
    }
    return 1;
}
#endif
