// AVX-512 GEMM: 12×32 register tile (24 zmm accumulators), broadcast-A × two zmm of B per k. The blocked product runs
// as prnn_avx512_active_tile(M) says: this tile, the same with embedded broadcasts, or gemm6x64_avx512.c's 6×64 tile.
// Every C element is the contract's chain acc = fma(a[k], b[k], acc), k ascending; K blocks store and reload acc exactly.
// Row tiles never leave 1–3 rows behind (see row_tile): a tile of r rows keeps 2r FMA chains in flight, and fewer
// than 8 chains cannot cover the FMA latency (4 cycles × 2 pipes), so 12 + 1 rows run as 9 + 4.
#include "prnn_internal.h"

#if PRNN_X86
#include <immintrin.h>
#include <string.h>

#define MR 12        // rows per register tile
#define NR 32        // columns per register tile (a pair of PRNN_PACK_NR panels)
#define NP 16        // packed panel width (PRNN_PACK_NR)
#define PRNN_TILE_ONE_PANEL 2  // tile's bmask for one unmasked 16-column panel
#ifndef PRNN_T_PREFETCH
#define PRNN_T_PREFETCH 512
#endif
// One-panel tiles (a shard of 16 mod 32 rows, transposed) use each W^T element for one FMA per row of 16 lanes, so
// W^T streams at twice the pair tile's rate; where W^T is beyond L2 (w5's sizes) the hardware prefetcher fell behind.
// They prefetch W^T PRNN_T_PREFETCH floats (2 KiB) ahead into L1: `kb loopt avx512 16 50 256 512` 17.3–18.0 →
// 15.7–16.2 ms; 384–768 the same within noise; 16 rows at w1's sizes (W^T in L2) and 48 rows unchanged. Pair tiles
// gain nothing from it (32 rows at w5's sizes, measured) and do not prefetch (KERNELS.md, thirty-first round). With
// k blocks (PRNN_T_KC) the lines fetched near a block's end are the panel's next block, not the next panel's start.
#ifndef PRNN_AVX512_KC
#define PRNN_AVX512_KC 256
#endif
#ifndef PRNN_AVX512_MC
#define PRNN_AVX512_MC 288
#endif
#define KC PRNN_AVX512_KC  // k block (balanced): a pair of B panels of ≤ KC rows is ≤ 32 KiB (L1)
#define MC PRNN_AVX512_MC  // row block: packed A block MC×KC is 288 KiB (L2)

/// Rows of the next register tile when `rem` rows are left: full tiles, except that 13–15 rows run as 9 + 4,
/// 10 + 4, 11 + 4 rather than 12 + 1, 12 + 2, 12 + 3.
static inline int row_tile(int rem) { return rem <= MR ? rem : rem <= MR + 3 ? rem - 4 : MR; }

#ifndef PRNN_AVX512_KBLOCK_ROWS
#define PRNN_AVX512_KBLOCK_ROWS 32
#endif
/// Packed B and a few rows: direct tiles of at most 8 rows (16 chains; row_tile_short splits the rows), one k block of
/// ≤ KC at a time (gemm_direct_kblocks), so that a strip pair's block (≤ 32 KiB) is read from L1 by the strip's next
/// tiles. With K ≤ KC (one block) 9–16 rows: 6–15 % faster than 9–12-row direct tiles (register spills) and than the
/// blocked product, which packs A and adds the chain to C in a second pass (KERNELS.md, twenty-eighth round); 17–30
/// rows in even tiles 6–13 % faster than the blocked product's 12-row tiles and their 4–8-row remainders, except 24
/// (whole 12-row tiles there: the same), 32 the same, 36–64 no better (`kb loop avx512 M 100 128 256 512`, h·U;
/// thirty-first round). With K > KC 12–PRNN_AVX512_KBLOCK_ROWS rows, against the blocked product (`kb loop avx512 M
/// T I U 512`, h·U): K = 512 12–32 rows +12–35 %, K = 1024 16 and 32 rows +27 % and +12 %, K = 320 and 384
/// +0–12 %; there 9–11 rows (one direct tile) were 0–30 % slower and keep it (twenty-ninth round).
static inline int short_packed(int M, int K) { return M <= PRNN_AVX512_KBLOCK_ROWS && M >= (K <= KC ? 9 : 12); }
/// Rows of the next short_packed tile. With one k block (K ≤ KC: B read from L2) the rows are split evenly into the
/// fewest tiles of ≤ 8 (10–16 rows as 5 + 5 … 8 + 8): a 4-row tile's 8 chains barely cover the FMA latency, and 12
/// rows as 6 + 6 ran h·U 10 % faster than 8 + 4 (`kb loop avx512 12 100 128 256 512`; 11, 13, 14 rows 2–8 %). With
/// several blocks (K > KC: B beyond L2 at these shapes) the first tile, which streams each block from L3, keeps 8
/// rows: the fewest bytes per FMA; even splits measured mixed there (12 and 14 rows 1–4 % slower, 28 rows 3–5 %
/// faster; thirty-first round).
static inline int row_tile_short(int rem, int even) {
    if (even) { const int tiles = (rem + 7) / 8; return (rem + tiles - 1) / tiles; }
    return rem <= 8 ? rem : rem <= 11 ? rem - 4 : 8;
}

/// C[mr, 32] (ldc, columns masked by m0/m1) = (load_c == PRNN_C_LOAD ? C : 0) + A[mr, kc] · B[kc, 32], or with
/// PRNN_C_ADD: C + (0 + A · B), the chain from zero and its sum with C rounded once.
/// A element (r, k) is at A[r·ars + k·aks]; B row k's columns 0–15 start at B + k·bks, columns 16–31 at
/// B + b1 + k·bks (lanes masked by m0/m1 when bmask is 1, else all 32 lanes are read: packed panels are zero padded
/// and come in pairs). bmask 2 (PRNN_TILE_ONE_PANEL): columns 0–15 only, all lanes, no second half computed (the
/// transposed product's last unpaired panel; A is W^T's stream and is prefetched, see PRNN_T_PREFETCH). `ebc` (a
/// constant after inlining; unmasked B only): embedded broadcasts (KERNELS.md) — the second FMA of each row reads A
/// through a copy of the pointer the compiler cannot prove equal, so each broadcast has one use and folds into its
/// FMA as {1to16}: no separate broadcast instruction.
PRNN_INLINE PRNN_AVX512_TARGET void tile(const int mr, int kc, const float *A, size_t ars, size_t aks,
                                         const float *B, size_t bks, size_t b1, const int bmask, float *C, size_t ldc,
                                         int load_c, __mmask16 m0, __mmask16 m1, const int ebc) {
    const int two = bmask != PRNN_TILE_ONE_PANEL;  // (a constant after inlining)
    __m512 c0[MR], c1[MR];
    PRNN_UNROLL
    for (int r = 0; r < MR; r++) if (r < mr) {
        if (load_c == PRNN_C_LOAD) {
            c0[r] = _mm512_maskz_loadu_ps(m0, C + r * ldc);
            if (two) c1[r] = _mm512_maskz_loadu_ps(m1, C + r * ldc + 16);
        } else {
            c0[r] = _mm512_setzero_ps();
            if (two) c1[r] = _mm512_setzero_ps();
        }
    }
    int k = 0;
#ifndef PRNN_AVX512_NO_UNROLL
    if (bmask != 1) {
        const float *A2 = A;
        if (ebc) __asm__("" : "+r"(A2));
#define PRNN_A2(i) (ebc ? _mm512_set1_ps(A2[i]) : a)
        // Four k per iteration (same chains, same order), as in the AVX2 tile, where it measured +5–12 % (KERNELS.md).
        for (; k + 4 <= kc; k += 4) {
            PRNN_UNROLL
            for (int q = 0; q < 4; q++) {
                const __m512 b0 = _mm512_loadu_ps(B + q * bks), b1v = two ? _mm512_loadu_ps(B + b1 + q * bks) : b0;
                PRNN_UNROLL
                for (int r = 0; r < MR; r++) if (r < mr) {
                    __m512 a = _mm512_set1_ps(A[q * aks + r * ars]);
                    c0[r] = _mm512_fmadd_ps(a, b0, c0[r]);
                    if (two) c1[r] = _mm512_fmadd_ps(PRNN_A2(q * aks + r * ars), b1v, c1[r]);
                }
            }
            if (bmask == PRNN_TILE_ONE_PANEL)  // A is W^T's stream: 4·aks floats per iteration, a line per 16
                for (size_t f = 0; f < 4 * aks; f += 16)
                    _mm_prefetch((const char *)(A + PRNN_T_PREFETCH + f), _MM_HINT_T0);
            A += 4 * aks;
            B += 4 * bks;
            A2 += 4 * aks;
        }
#undef PRNN_A2
    }
#endif
    for (; k < kc; k++) {
        __m512 b0, b1v;
        if (bmask == 1) {
            b0 = _mm512_maskz_loadu_ps(m0, B);
            b1v = _mm512_maskz_loadu_ps(m1, B + b1);
        } else {
            b0 = _mm512_loadu_ps(B);
            b1v = two ? _mm512_loadu_ps(B + b1) : b0;
        }
        PRNN_UNROLL
        for (int r = 0; r < MR; r++) if (r < mr) {
            __m512 a = _mm512_set1_ps(A[r * ars]);
            c0[r] = _mm512_fmadd_ps(a, b0, c0[r]);
            if (two) c1[r] = _mm512_fmadd_ps(a, b1v, c1[r]);
        }
        A += aks;
        B += bks;
    }
    if (load_c == PRNN_C_ADD) {
        PRNN_UNROLL
        for (int r = 0; r < MR; r++) if (r < mr) {
            c0[r] = _mm512_add_ps(c0[r], _mm512_maskz_loadu_ps(m0, C + r * ldc));
            if (two) c1[r] = _mm512_add_ps(c1[r], _mm512_maskz_loadu_ps(m1, C + r * ldc + 16));
        }
    }
    PRNN_UNROLL
    for (int r = 0; r < MR; r++) if (r < mr) {
        _mm512_mask_storeu_ps(C + r * ldc, m0, c0[r]);
        if (two) _mm512_mask_storeu_ps(C + r * ldc + 16, m1, c1[r]);
    }
}

#define TILE_CASES(CALL) \
    switch (mr) { case 12: CALL(12); break; case 11: CALL(11); break; case 10: CALL(10); break; case 9: CALL(9); break; \
    case 8: CALL(8); break; case 7: CALL(7); break; case 6: CALL(6); break; case 5: CALL(5); break; \
    case 4: CALL(4); break; case 3: CALL(3); break; case 2: CALL(2); break; default: CALL(1); break; }

/// A packed in a row tile's panel (k-major, stride mr), B a pair of packed panels (stride 16, the second b1 later).
static PRNN_AVX512_TARGET void tile_packed(int mr, int kc, const float *Ap, const float *Bp, size_t b1, float *C,
                                           size_t ldc, int load_c, __mmask16 m0, __mmask16 m1) {
#define CALL(R) tile(R, kc, Ap, 1, R, Bp, NP, b1, 0, C, ldc, load_c, m0, m1, 0)
    TILE_CASES(CALL)
#undef CALL
}

/// A read in place (row stride lda), B rows with stride bks, columns 16–31 b1 floats after 0–15 (a pair of packed
/// panels, or the caller's matrix).
static PRNN_AVX512_TARGET void tile_direct(int mr, int kc, const float *A, size_t lda, const float *B, size_t bks,
                                           size_t b1, int bmask, float *C, size_t ldc, int load_c, __mmask16 m0,
                                           __mmask16 m1) {
    if (!bmask) {
#define CALL(R) tile(R, kc, A, lda, 1, B, bks, b1, 0, C, ldc, load_c, m0, m1, 0)
        TILE_CASES(CALL)
#undef CALL
        return;
    }
#define CALL(R) tile(R, kc, A, lda, 1, B, bks, b1, 1, C, ldc, load_c, m0, m1, 0)
    TILE_CASES(CALL)
#undef CALL
}

static inline void masks(int w, __mmask16 *m0, __mmask16 *m1) {
    *m0 = (__mmask16)(w >= 16 ? 0xFFFF : (1u << w) - 1u);
    *m1 = (__mmask16)(w >= 32 ? 0xFFFF : (w <= 16 ? 0 : (1u << (w - 16)) - 1u));
}

/// C[mr, 16·panels] as tile() computes it (the same chains, k ascending), for mr ≤ WIDE_ROWS rows and panels ≤
/// WIDE_PANELS (constants after inlining): a 32-column tile of one to four rows has only 2–8 FMA chains, too few to
/// cover the FMA latency (4 cycles × 2 pipes), so a one-row step (a batch of one) ran at the chains' latency rather
/// than at the speed B streams from L2. One to three rows take 8 panels (128 columns, 8–24 chains), four rows 4
/// panels (64 columns, 16 chains). Panel q of B (16 columns) starts at B + q·bp, its row k at + k·bks; no masks
/// (whole panels only).
enum { WIDE_ROWS = 4, WIDE_PANELS = 8 };
static inline int wide_panels(int mr) { return mr <= 3 ? 8 : 4; }
PRNN_INLINE PRNN_AVX512_TARGET void tile_wide(const int mr, const int panels, int kc, const float *A, size_t lda,
                                              const float *B, size_t bks, size_t bp, float *C, size_t ldc,
                                              int load_c) {
    __m512 c[WIDE_ROWS][WIDE_PANELS];
    PRNN_UNROLL
    for (int r = 0; r < WIDE_ROWS; r++) if (r < mr) {
        PRNN_UNROLL
        for (int q = 0; q < WIDE_PANELS; q++) if (q < panels)
            c[r][q] = load_c == PRNN_C_LOAD ? _mm512_loadu_ps(C + r * ldc + 16 * q) : _mm512_setzero_ps();
    }
    for (int k = 0; k < kc; k++) {
        __m512 a[WIDE_ROWS];
        PRNN_UNROLL
        for (int r = 0; r < WIDE_ROWS; r++) if (r < mr) a[r] = _mm512_set1_ps(A[r * lda + k]);
        PRNN_UNROLL
        for (int q = 0; q < WIDE_PANELS; q++) if (q < panels) {
            const __m512 b = _mm512_loadu_ps(B + q * bp + k * bks);
            PRNN_UNROLL
            for (int r = 0; r < WIDE_ROWS; r++) if (r < mr) c[r][q] = _mm512_fmadd_ps(a[r], b, c[r][q]);
        }
    }
    PRNN_UNROLL
    for (int r = 0; r < WIDE_ROWS; r++) if (r < mr) {
        PRNN_UNROLL
        for (int q = 0; q < WIDE_PANELS; q++) if (q < panels) {
            if (load_c == PRNN_C_ADD) c[r][q] = _mm512_add_ps(c[r][q], _mm512_loadu_ps(C + r * ldc + 16 * q));
            _mm512_storeu_ps(C + r * ldc + 16 * q, c[r][q]);
        }
    }
}

/// Small problems: no packing, no blocking; B read in place (or from packed panels when b_is_packed). At most
/// WIDE_ROWS rows take tile_wide over whole 16·wide_panels(M)-column strips first.
static PRNN_AVX512_TARGET void gemm_direct(int M, int N, int K, const float *A, int lda, const float *B, size_t ldb,
                                           int b_is_packed, float *C, int ldc, int accumulate) {
    int j0 = 0;
    if (M >= 1 && M <= WIDE_ROWS)
        for (const int w = 16 * wide_panels(M); j0 + w <= N; j0 += w) {
            const float *b = b_is_packed ? B + (size_t)(j0 / NP) * K * NP : B + j0;
            const size_t bks = b_is_packed ? NP : ldb, bp = b_is_packed ? (size_t)K * NP : 16;
            float *c = C + j0;
#define WIDE(R) tile_wide(R, wide_panels(R), K, A, (size_t)lda, b, bks, bp, c, (size_t)ldc, accumulate)
            switch (M) {
            case 4: WIDE(4); break;
            case 3: WIDE(3); break;
            case 2: WIDE(2); break;
            default: WIDE(1); break;
            }
#undef WIDE
        }
    for (; j0 < N; j0 += NR) {
        int w = N - j0 < NR ? N - j0 : NR;
        __mmask16 m0, m1;
        masks(w, &m0, &m1);
        const float *b = b_is_packed ? B + (size_t)(j0 / NP) * K * NP : B + j0;
        size_t bks = b_is_packed ? NP : ldb, b1 = b_is_packed ? (size_t)K * NP : 16;
        for (int i0 = 0, mr; i0 < M; i0 += mr) {
            mr = row_tile(M - i0);
            tile_direct(mr, K, A + (size_t)i0 * lda, (size_t)lda, b, bks, b1, !b_is_packed && w < NR,
                        C + (size_t)i0 * ldc + j0, (size_t)ldc, accumulate, m0, m1);
        }
    }
}

/// C[mr, 32] (ldc, columns masked) += P[mr, 32] (ldp): a PRNN_C_ADD chain run in scratch, added while hot.
static PRNN_AVX512_TARGET void add_tile(int mr, float *C, size_t ldc, const float *P, size_t ldp, __mmask16 m0,
                                        __mmask16 m1) {
    for (int r = 0; r < mr; r++) {
        float *c = C + r * ldc;
        const float *p = P + r * ldp;
        _mm512_mask_storeu_ps(c, m0, _mm512_add_ps(_mm512_maskz_loadu_ps(m0, c), _mm512_maskz_loadu_ps(m0, p)));
        _mm512_mask_storeu_ps(c + 16, m1, _mm512_add_ps(_mm512_maskz_loadu_ps(m1, c + 16),
                                                        _mm512_maskz_loadu_ps(m1, p + 16)));
    }
}

/// The short_packed product: tiles of ≤ 8 rows (row_tile_short) per k block of ≤ KC, over all strips. The chains are
/// the blocked product's: continued across blocks through C, or for PRNN_C_ADD over several blocks through the
/// thread's PRNN_SCRATCH_C and added to C after the last block (the same bits; one block: the tiles' own modes).
/// Returns 0 when the scratch could not be had.
static PRNN_AVX512_TARGET int gemm_direct_kblocks(int M, int N, int K, const float *A, int lda, const float *packed,
                                                  float *C, int ldc, int accumulate) {
    const int kblocks = (K + KC - 1) / KC, kc_max = (K + kblocks - 1) / kblocks;
    size_t ldd;
    int partial;
    float *const D = prnn_chain_destination(M, N, kblocks, accumulate, C, ldc, &ldd, &partial);
    if (!D) return 0;
    for (int pc = 0; pc < K; pc += kc_max) {
        const int kc = K - pc < kc_max ? K - pc : kc_max;
        const int load_c = prnn_kblock_c_mode(pc, partial, accumulate);
        const int add_after = prnn_kblock_adds_to_c(pc, kc, K, partial);
        for (int j0 = 0; j0 < N; j0 += NR) {
            const int w = N - j0 < NR ? N - j0 : NR;
            __mmask16 m0, m1;
            masks(w, &m0, &m1);
            const float *b = packed + ((size_t)(j0 / NP) * K + pc) * NP;  // the strip's panel pair, from row pc
            for (int i0 = 0, mr; i0 < M; i0 += mr) {
                mr = row_tile_short(M - i0, kblocks == 1);
                float *d = D + (size_t)i0 * ldd + j0;
                tile_direct(mr, kc, A + (size_t)i0 * lda + pc, (size_t)lda, b, NP, (size_t)K * NP, 0, d, ldd, load_c,
                            m0, m1);
                if (add_after) add_tile(mr, C + (size_t)i0 * ldc + j0, (size_t)ldc, d, ldd, m0, m1);
            }
        }
    }
    return 1;
}

/// Blocked product with B in the PRNN_PACK_NR layout over the full K; `ebc`: embedded broadcasts in full tiles.
/// `accumulate`: PRNN_C_ZERO, _LOAD or _ADD (over several k blocks the chain runs in the thread's PRNN_SCRATCH_C and
/// the last block's tiles add it to C).
PRNN_INLINE PRNN_AVX512_TARGET int gemm_blocked(int M, int N, int K, const float *A, int lda, const float *packed,
                                                float *C, int ldc, int accumulate, const int ebc) {
    int strips = (N + NR - 1) / NR;
    int mblocks = (M + MC - 1) / MC;
    int mc_max = ((M + mblocks - 1) / mblocks + MR - 1) / MR * MR;
    int kblocks = accumulate == PRNN_C_ADD && K <= PRNN_ADD_KONE ? 1 : (K + KC - 1) / KC;
    int kc_max = (K + kblocks - 1) / kblocks;  // balanced k blocks, no short tail
    // A panels of the current block: the thread's reusable scratch (no allocation in steady state).
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
                int w = N - s * NR < NR ? N - s * NR : NR;
                __mmask16 m0, m1;
                masks(w, &m0, &m1);
                const float *bp = packed + ((size_t)2 * s * K + pc) * NP;  // panel 2s; panel 2s + 1 at bp + K·NP
                const size_t b1 = (size_t)K * NP;
                // The next pair's panels (kc rows of 64 bytes each) are fetched into L2, a share per tile, while this
                // pair computes, as in the AVX2 kernel (where the first tiles of every pair otherwise wait on L3).
                const char *next_bp = s + 1 < strips ? (const char *)(bp + 2 * b1) : NULL;
                const size_t next_lines = (size_t)kc * 2;
                for (int ir = 0, mr; ir < mc; ir += mr) {
                    mr = row_tile(mc - ir);
                    // C must seed the accumulators, so fetch the next tile's C rows while this one computes.
                    {
                        int nir = ir + mr, ns = s;
                        if (nir >= mc) { nir = 0; ns = s + 1; }
                        if (ns < strips) {
                            const float *nc = D + (size_t)(ic + nir) * ldd + ns * NR;
                            int nmr = row_tile(mc - nir);
                            for (int r = 0; r < nmr; r++) {
                                _mm_prefetch((const char *)(nc + (size_t)r * ldd), _MM_HINT_T0);
                                _mm_prefetch((const char *)(nc + (size_t)r * ldd + 16), _MM_HINT_T0);
                            }
                        }
                    }
                    if (next_bp)
                        for (size_t l = next_lines * ir / mc, end = next_lines * (ir + mr) / mc; l < end; l++)
                            _mm_prefetch(next_bp + (l < (size_t)kc ? l * 64 : b1 * sizeof(float) + (l - kc) * 64),
                                         _MM_HINT_T1);
                    float *c = D + (size_t)(ic + ir) * ldd + s * NR;
                    if (mr == MR && w == NR)  // the common case, inlined, with unmasked C loads and stores
                        tile(MR, kc, abuf + (size_t)ir * kc, 1, MR, bp, NP, b1, 0, c, ldd, load_c, 0xFFFF, 0xFFFF, ebc);
                    else
                        tile_packed(mr, kc, abuf + (size_t)ir * kc, bp, b1, c, ldd, load_c, m0, m1);
                    if (add_after) add_tile(mr, C + (size_t)(ic + ir) * ldc + s * NR, (size_t)ldc, c, ldd, m0, m1);
                }
            }
        }
    }
    return 1;
}

static int use_direct(int M, int N, int K) {
#ifdef PRNN_FORCE_DIRECT
    (void)M; (void)N; (void)K;
    return 1;
#else
    return M <= MR || (size_t)M * N * K <= (size_t)64 * 64 * 64;
#endif
}

PRNN_AVX512_TARGET int prnn_sgemm_blocked_12x32_avx512(int M, int N, int K, const float *A, int lda,
                                                       const float *packed, float *C, int ldc, int accumulate) {
    return gemm_blocked(M, N, K, A, lda, packed, C, ldc, accumulate, 0);
}

PRNN_AVX512_TARGET int prnn_sgemm_blocked_12x32e_avx512(int M, int N, int K, const float *A, int lda,
                                                        const float *packed, float *C, int ldc, int accumulate) {
    return gemm_blocked(M, N, K, A, lda, packed, C, ldc, accumulate, 1);
}

/// The blocked product with the active register tile for M rows (prnn_avx512_active_tile).
static PRNN_AVX512_TARGET int blocked(int M, int N, int K, const float *A, int lda, const float *packed, float *C,
                                      int ldc, int accumulate) {
    switch (prnn_avx512_active_tile(M)) {
    case PRNN_AVX512_TILE_6X64: return prnn_sgemm_blocked_6x64_avx512(M, N, K, A, lda, packed, C, ldc, accumulate);
    case PRNN_AVX512_TILE_12X32E: return prnn_sgemm_blocked_12x32e_avx512(M, N, K, A, lda, packed, C, ldc, accumulate);
    default: return prnn_sgemm_blocked_12x32_avx512(M, N, K, A, lda, packed, C, ldc, accumulate);
    }
}

PRNN_AVX512_TARGET void prnn_sgemm_packed_avx512(int M, int N, int K, const float *A, int lda, const float *packed, float *C, int ldc, int accumulate) {
    if (short_packed(M, K) && gemm_direct_kblocks(M, N, K, A, lda, packed, C, ldc, accumulate)) return;
    if (!use_direct(M, N, K) && blocked(M, N, K, A, lda, packed, C, ldc, accumulate)) return;
    gemm_direct(M, N, K, A, lda, packed, NP, 1, C, ldc, accumulate);
}

/// prnn_sgemm_t's tiles other than full pairs: fewer than 12 rows of W^T over a panel pair, or any rows over a last
/// X^T panel without a partner (one_panel).
static PRNN_AVX512_TARGET void tile_t(int mr, int kc, const float *A, const float *B, size_t b1, int one_panel,
                                      float *C, size_t ldc, int load_c) {
    if (!one_panel) {
#define CALL(R) tile(R, kc, A, 1, PRNN_PACK_TR, B, NP, b1, 0, C, ldc, load_c, 0xFFFF, 0xFFFF, 0)
        TILE_CASES(CALL)
#undef CALL
        return;
    }
#define CALL(R) tile(R, kc, A, 1, PRNN_PACK_TR, B, NP, b1, PRNN_TILE_ONE_PANEL, C, ldc, load_c, 0xFFFF, 0, 0)
    TILE_CASES(CALL)
#undef CALL
}

/// prnn_sgemm_t: each 12-row panel of W^T (A stride PRNN_PACK_TR) as 12×32 tiles over the X^T panel pairs (the
/// batch; a last unpaired panel in one-panel tiles); W streams through once, in order. K runs in blocks (prnn_t_block_at),
/// the outermost loop, so that the operand's block stays in L1 beside the W stream; C is stored and reloaded between
/// blocks, exactly, and added to at the end of the split's second chain — or, split with one block per chain
/// (prnn_t_split_paired), each tile runs both chains back to back. `ebc`: embedded broadcasts in full tiles.
PRNN_INLINE PRNN_AVX512_TARGET void sgemm_t(int N, int n, int K, int split, const float *packed, const float *panels,
                                           float *C, int ldc, int accumulate, const int ebc, int kc_limit) {
    const size_t b1 = (size_t)K * NP;
    if (prnn_t_split_paired(K, split, kc_limit)) {
        const int c1 = accumulate ? PRNN_C_LOAD : PRNN_C_ZERO, k2 = K - split;
        for (int j0 = 0; j0 < N; j0 += PRNN_PACK_TR) {
            const int mr = N - j0 < PRNN_PACK_TR ? N - j0 : PRNN_PACK_TR;
            const float *a = packed + (size_t)j0 * K, *a2 = a + (size_t)split * PRNN_PACK_TR;
            for (int r0 = 0; r0 < n; r0 += NR) {
                const int pair = n - r0 >= NR;
                const float *b = panels + (size_t)r0 * K, *b2 = b + (size_t)split * NP;
                float *c = C + (size_t)j0 * ldc + r0;
                if (mr == PRNN_PACK_TR && pair) {
                    tile(PRNN_PACK_TR, split, a, 1, PRNN_PACK_TR, b, NP, b1, 0, c, (size_t)ldc, c1, 0xFFFF, 0xFFFF, ebc);
                    tile(PRNN_PACK_TR, k2, a2, 1, PRNN_PACK_TR, b2, NP, b1, 0, c, (size_t)ldc, PRNN_C_ADD, 0xFFFF,
                         0xFFFF, ebc);
                } else {
                    tile_t(mr, split, a, b, b1, !pair, c, (size_t)ldc, c1);
                    tile_t(mr, k2, a2, b2, b1, !pair, c, (size_t)ldc, PRNN_C_ADD);
                }
            }
        }
        return;
    }
    for (prnn_t_block blk = prnn_t_first_block(K, split, kc_limit, accumulate); blk.k0 < K;
         blk = prnn_t_next_block(blk, K, split, kc_limit)) {
        const int k0 = blk.k0, kb = blk.kb, load_c = blk.c_mode;
        for (int j0 = 0; j0 < N; j0 += PRNN_PACK_TR) {
            const int mr = N - j0 < PRNN_PACK_TR ? N - j0 : PRNN_PACK_TR;
            const float *a = packed + (size_t)j0 * K + (size_t)k0 * PRNN_PACK_TR;
            for (int r0 = 0; r0 < n; r0 += NR) {
                const int pair = n - r0 >= NR;  // else one 16-column panel is left
                const float *b = panels + (size_t)r0 * K + (size_t)k0 * NP;
                float *c = C + (size_t)j0 * ldc + r0;
                if (mr == PRNN_PACK_TR && pair)
                    tile(PRNN_PACK_TR, kb, a, 1, PRNN_PACK_TR, b, NP, b1, 0, c, (size_t)ldc, load_c, 0xFFFF, 0xFFFF, ebc);
                else
                    tile_t(mr, kb, a, b, b1, !pair, c, (size_t)ldc, load_c);
            }
        }
    }
}

PRNN_AVX512_TARGET void prnn_sgemm_t_12x32_avx512(int N, int n, int K, int split, const float *packed,
                                                  const float *panels, float *C, int ldc, int accumulate) {
    sgemm_t(N, n, K, split, packed, panels, C, ldc, accumulate, 0, prnn_t_kc());
}

PRNN_AVX512_TARGET void prnn_sgemm_t_12x32e_avx512(int N, int n, int K, int split, const float *packed,
                                                   const float *panels, float *C, int ldc, int accumulate) {
    sgemm_t(N, n, K, split, packed, panels, C, ldc, accumulate, 1, prnn_t_kc());
}

/// With the variant prnn_avx512_tune() measured faster (plain unless the embedded broadcasts were).
PRNN_AVX512_TARGET void prnn_sgemm_t_avx512(int N, int n, int K, int split, const float *packed, const float *panels,
                                            float *C, int ldc, int accumulate) {
    if (prnn_avx512_transposed_mode() == PRNN_TRANSPOSED_EMBEDDED)
        prnn_sgemm_t_12x32e_avx512(N, n, K, split, packed, panels, C, ldc, accumulate);
    else
        prnn_sgemm_t_12x32_avx512(N, n, K, split, packed, panels, C, ldc, accumulate);
}

/// Large problems pack B into the PRNN_PACK_NR layout (same values, same chains) and run the blocked product.
PRNN_AVX512_TARGET void prnn_sgemm_avx512(int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C, int ldc, int accumulate) {
    if (!use_direct(M, N, K)) {
        float *bbuf = prnn_thread_scratch(PRNN_SCRATCH_B, prnn_sgemm_packed_b_count(K, N) * sizeof(float));
        if (bbuf) {
            prnn_sgemm_pack_b(K, N, B, ldb, bbuf);
            if (blocked(M, N, K, A, lda, bbuf, C, ldc, accumulate)) return;
        }
    }
    gemm_direct(M, N, K, A, lda, B, (size_t)ldb, 0, C, ldc, accumulate);
}

// ---------------------------------------------------------------- double: 8×16 tile (16 zmm accumulators), B in place
PRNN_INLINE PRNN_AVX512_TARGET void dtile(const int mr, int K, const double *A, size_t lda, const double *B, size_t ldb,
                                          double *C, size_t ldc, int load_c, __mmask8 m0, __mmask8 m1) {
    __m512d c0[8], c1[8];
    PRNN_UNROLL
    for (int r = 0; r < 8; r++) if (r < mr) {
        if (load_c) {
            c0[r] = _mm512_maskz_loadu_pd(m0, C + r * ldc);
            c1[r] = _mm512_maskz_loadu_pd(m1, C + r * ldc + 8);
        } else {
            c0[r] = _mm512_setzero_pd();
            c1[r] = _mm512_setzero_pd();
        }
    }
    for (int k = 0; k < K; k++) {
        __m512d b0 = _mm512_maskz_loadu_pd(m0, B), b1 = _mm512_maskz_loadu_pd(m1, B + 8);
        PRNN_UNROLL
        for (int r = 0; r < 8; r++) if (r < mr) {
            __m512d a = _mm512_set1_pd(A[r * lda + k]);
            c0[r] = _mm512_fmadd_pd(a, b0, c0[r]);
            c1[r] = _mm512_fmadd_pd(a, b1, c1[r]);
        }
        B += ldb;
    }
    PRNN_UNROLL
    for (int r = 0; r < 8; r++) if (r < mr) {
        _mm512_mask_storeu_pd(C + r * ldc, m0, c0[r]);
        _mm512_mask_storeu_pd(C + r * ldc + 8, m1, c1[r]);
    }
}

PRNN_AVX512_TARGET void prnn_dgemm_avx512(int M, int N, int K, const double *A, int lda, const double *B, int ldb, double *C, int ldc, int accumulate) {
    for (int j0 = 0; j0 < N; j0 += 16) {
        int w = N - j0 < 16 ? N - j0 : 16;
        __mmask8 m0 = (__mmask8)(w >= 8 ? 0xFF : (1u << w) - 1u);
        __mmask8 m1 = (__mmask8)(w >= 16 ? 0xFF : (w <= 8 ? 0 : (1u << (w - 8)) - 1u));
        for (int i0 = 0; i0 < M; i0 += 8) {
            int mr = M - i0 < 8 ? M - i0 : 8;
            const double *a = A + (size_t)i0 * lda;
            const double *b = B + j0;
            double *c = C + (size_t)i0 * ldc + j0;
#define CALL(R) dtile(R, K, a, (size_t)lda, b, (size_t)ldb, c, (size_t)ldc, accumulate, m0, m1)
            switch (mr) { case 8: CALL(8); break; case 7: CALL(7); break; case 6: CALL(6); break; case 5: CALL(5); break;
            case 4: CALL(4); break; case 3: CALL(3); break; case 2: CALL(2); break; default: CALL(1); break; }
#undef CALL
        }
    }
}
#endif
