// AVX2+FMA GEMM: 6×16 register tile (12 ymm accumulators), broadcast-A × two ymm of B per k; the 16-column packed
// panels are taken in pairs, both for each row tile (its A panel then comes from L1 the second time). Every C element
// is the contract's chain acc = fma(a[k], b[k], acc), k ascending;
// K blocks store and reload acc exactly. Edge columns go through a 6×16 scratch tile, edge B columns via maskload.
// Row tiles never leave 1–2 rows behind (see row_tile): a tile of r rows keeps 2r FMA chains in flight, and fewer
// than 8 chains cannot cover the FMA latency, so 6 + 2 rows run as 4 + 4.
#include "prnn_internal.h"

#if PRNN_X86
#include <immintrin.h>
#include <string.h>

#define MR 6         // rows per register tile
#define NT 16        // columns per register tile
#define NR 16        // packed panel width (PRNN_PACK_NR)
#ifndef PRNN_AVX2_KC
#define PRNN_AVX2_KC 256
#endif
#ifndef PRNN_AVX2_KONE
#define PRNN_AVX2_KONE 256
#endif
#ifndef PRNN_AVX2_MC
#define PRNN_AVX2_MC 256
#endif
#define KC PRNN_AVX2_KC  // k block (balanced) for K > KONE: a pair of B panels of ≤ KC rows is ≤ 32 KiB (L1)
#define KONE PRNN_AVX2_KONE  // K ≤ KONE runs as one k block (no C store/reload; measured faster for K = 256)
#define MC PRNN_AVX2_MC  // row block: packed A block MC×KC is ≤ 256 KiB (half of L2)

/// Rows of the next register tile when `rem` rows are left: full tiles, except that 7–9 rows run as 3 + 4, 4 + 4,
/// 5 + 4 rather than 6 + 1, 6 + 2, 6 + 3.
static inline int row_tile(int rem) { return rem <= MR ? rem : rem <= MR + 3 ? rem - 4 : MR; }

/// C[mr, 16] (ldc) = (load_c == PRNN_C_LOAD ? C : 0) + A[mr, kc] · B[kc, 16], or with PRNN_C_ADD:
/// C + (0 + A · B), the chain from zero and its sum with C rounded once.
/// A element (r, k) is at A[r·ars + k·aks]; B row k starts at B + k·bks; with bmask, B lanes beyond the mask read as 0.
PRNN_INLINE PRNN_AVX2_TARGET void tile(const int mr, int kc, const float *A, size_t ars, size_t aks,
                                       const float *B, size_t bks, float *C, size_t ldc, int load_c,
                                       const int bmask, __m256i bm0, __m256i bm1) {
    __m256 c0[MR], c1[MR];
    PRNN_UNROLL
    for (int r = 0; r < MR; r++) if (r < mr) {
        if (load_c == PRNN_C_LOAD) {
            c0[r] = _mm256_loadu_ps(C + r * ldc);
            c1[r] = _mm256_loadu_ps(C + r * ldc + 8);
        } else {
            c0[r] = _mm256_setzero_ps();
            c1[r] = _mm256_setzero_ps();
        }
    }
    int k = 0;
#ifndef PRNN_AVX2_NO_UNROLL
    if (!bmask) {
        // Four k per iteration (same chains, same order): +5–12 % GFLOP/s on the cells' packed shapes (KERNELS.md).
        for (; k + 4 <= kc; k += 4) {
            PRNN_UNROLL
            for (int q = 0; q < 4; q++) {
                const __m256 b0 = _mm256_loadu_ps(B + q * bks), b1 = _mm256_loadu_ps(B + q * bks + 8);
                PRNN_UNROLL
                for (int r = 0; r < MR; r++) if (r < mr) {
                    __m256 a = _mm256_broadcast_ss(A + q * aks + r * ars);
                    c0[r] = _mm256_fmadd_ps(a, b0, c0[r]);
                    c1[r] = _mm256_fmadd_ps(a, b1, c1[r]);
                }
            }
            A += 4 * aks;
            B += 4 * bks;
        }
    }
#endif
    for (; k < kc; k++) {
        __m256 b0, b1;
        if (bmask) {
            b0 = _mm256_maskload_ps(B, bm0);
            b1 = _mm256_maskload_ps(B + 8, bm1);
        } else {
            b0 = _mm256_loadu_ps(B);
            b1 = _mm256_loadu_ps(B + 8);
        }
        PRNN_UNROLL
        for (int r = 0; r < MR; r++) if (r < mr) {
            __m256 a = _mm256_broadcast_ss(A + r * ars);
            c0[r] = _mm256_fmadd_ps(a, b0, c0[r]);
            c1[r] = _mm256_fmadd_ps(a, b1, c1[r]);
        }
        A += aks;
        B += bks;
    }
    if (load_c == PRNN_C_ADD) {
        PRNN_UNROLL
        for (int r = 0; r < MR; r++) if (r < mr) {
            c0[r] = _mm256_add_ps(c0[r], _mm256_loadu_ps(C + r * ldc));
            c1[r] = _mm256_add_ps(c1[r], _mm256_loadu_ps(C + r * ldc + 8));
        }
    }
    PRNN_UNROLL
    for (int r = 0; r < MR; r++) if (r < mr) {
        _mm256_storeu_ps(C + r * ldc, c0[r]);
        _mm256_storeu_ps(C + r * ldc + 8, c1[r]);
    }
}

#define TILE_CASES(CALL) \
    switch (mr) { case 6: CALL(6); break; case 5: CALL(5); break; case 4: CALL(4); break; \
    case 3: CALL(3); break; case 2: CALL(2); break; default: CALL(1); break; }

/// Runs one tile variant, routing C through a scratch tile when fewer than 16 columns are valid.
/// kind 0: A packed (stride mr) + B packed (stride 16); kind 1: A in place + B rows with stride bks, all 16 lanes;
/// kind 2: A in place + B masked to w lanes.
static PRNN_AVX2_TARGET void run_tile(int kind, int mr, int w, int kc, const float *A, size_t lda, const float *B,
                                      size_t bks, float *C, size_t ldc, int load_c) {
    float scratch[MR * NT];
    float *c = C;
    size_t cs = ldc;
    if (w < NT) {
        c = scratch;
        cs = NT;
        // The tile reads C only with load_c: then the unused lanes start at +0 (computed and discarded), so no
        // uninitialised value is read and no spurious FP flag is raised.
        if (load_c) for (int r = 0; r < mr; r++) {
            memcpy(scratch + r * NT, C + r * ldc, (size_t)w * sizeof(float));
            memset(scratch + r * NT + w, 0, (size_t)(NT - w) * sizeof(float));
        }
    }
    __m256i bm0 = _mm256_setzero_si256(), bm1 = _mm256_setzero_si256();
    if (kind == 2) {
        const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
        bm0 = _mm256_cmpgt_epi32(_mm256_set1_epi32(w), lane);
        bm1 = _mm256_cmpgt_epi32(_mm256_set1_epi32(w - 8), lane);
    }
    if (kind == 0) {
#define CALL(R) tile(R, kc, A, 1, R, B, NR, c, cs, load_c, 0, bm0, bm1)
        TILE_CASES(CALL)
#undef CALL
    } else if (kind == 1) {
#define CALL(R) tile(R, kc, A, lda, 1, B, bks, c, cs, load_c, 0, bm0, bm1)
        TILE_CASES(CALL)
#undef CALL
    } else {
#define CALL(R) tile(R, kc, A, lda, 1, B, bks, c, cs, load_c, 1, bm0, bm1)
        TILE_CASES(CALL)
#undef CALL
    }
    if (w < NT) for (int r = 0; r < mr; r++) memcpy(C + r * ldc, scratch + r * NT, (size_t)w * sizeof(float));
}

/// C[mr, 16·panels] as tile() computes it (the same chains, k ascending), for one or two rows: a 16-column tile of
/// one or two rows has only 2 or 4 FMA chains, too few to cover the FMA latency (a batch of one ran at the chains'
/// latency). Panel q of B (16 columns) starts at B + q·bp, its row k at + k·bks; no masks (whole panels only).
PRNN_INLINE PRNN_AVX2_TARGET void tile_wide(const int mr, const int panels, int kc, const float *A, size_t lda,
                                            const float *B, size_t bks, size_t bp, float *C, size_t ldc, int load_c) {
    enum { ROWS = 2, VECS = 8 };  // room for 2 rows × 4 panels; used: 1 row × 4 panels (8 ymm) or 2 × 3 (12 ymm)
    __m256 c[ROWS][VECS];
    PRNN_UNROLL
    for (int r = 0; r < ROWS; r++) if (r < mr) {
        PRNN_UNROLL
        for (int v = 0; v < VECS; v++) if (v < 2 * panels)
            c[r][v] = load_c == PRNN_C_LOAD ? _mm256_loadu_ps(C + r * ldc + 8 * v) : _mm256_setzero_ps();
    }
    for (int k = 0; k < kc; k++) {
        __m256 a[ROWS];
        PRNN_UNROLL
        for (int r = 0; r < ROWS; r++) if (r < mr) a[r] = _mm256_broadcast_ss(A + r * lda + k);
        PRNN_UNROLL
        for (int v = 0; v < VECS; v++) if (v < 2 * panels) {
            const __m256 b = _mm256_loadu_ps(B + (v / 2) * bp + k * bks + 8 * (v % 2));
            PRNN_UNROLL
            for (int r = 0; r < ROWS; r++) if (r < mr) c[r][v] = _mm256_fmadd_ps(a[r], b, c[r][v]);
        }
    }
    PRNN_UNROLL
    for (int r = 0; r < ROWS; r++) if (r < mr) {
        PRNN_UNROLL
        for (int v = 0; v < VECS; v++) if (v < 2 * panels) {
            if (load_c == PRNN_C_ADD) c[r][v] = _mm256_add_ps(c[r][v], _mm256_loadu_ps(C + r * ldc + 8 * v));
            _mm256_storeu_ps(C + r * ldc + 8 * v, c[r][v]);
        }
    }
}

/// Small problems: no packing, no blocking; B read in place (or from packed panels when b_is_packed). One or two rows
/// take tile_wide over whole strips of 4 or 3 panels first.
static PRNN_AVX2_TARGET void gemm_direct(int M, int N, int K, const float *A, int lda, const float *B, size_t ldb,
                                         int b_is_packed, float *C, int ldc, int accumulate) {
    int j0 = 0;
    if (M == 1 || M == 2)
        for (const int panels = M == 1 ? 4 : 3; j0 + NR * panels <= N; j0 += NR * panels) {
            const float *b = b_is_packed ? B + (size_t)(j0 / NR) * K * NR : B + j0;
            const size_t bks = b_is_packed ? NR : ldb, bp = b_is_packed ? (size_t)K * NR : NR;
            if (M == 1) tile_wide(1, 4, K, A, (size_t)lda, b, bks, bp, C + j0, (size_t)ldc, accumulate);
            else tile_wide(2, 3, K, A, (size_t)lda, b, bks, bp, C + j0, (size_t)ldc, accumulate);
        }
    for (; j0 < N; j0 += NT) {
        int w = N - j0 < NT ? N - j0 : NT;
        const float *b;
        size_t bks;
        int kind;
        if (b_is_packed) {
            b = B + (size_t)(j0 / NR) * K * NR;
            bks = NR;
            kind = 1;  // panels are zero padded: full 16-lane loads stay inside the panel
        } else {
            b = B + j0;
            bks = ldb;
            kind = w < NT ? 2 : 1;
        }
        for (int i0 = 0, mr; i0 < M; i0 += mr) {
            mr = row_tile(M - i0);
            run_tile(kind, mr, w, K, A + (size_t)i0 * lda, (size_t)lda, b, bks, C + (size_t)i0 * ldc + j0, (size_t)ldc,
                     accumulate);
        }
    }
}

/// C[mr, w] (ldc) += P[mr, w] (ldp), w ≤ 16: a PRNN_C_ADD chain run in scratch, added while hot.
static PRNN_AVX2_TARGET void add_tile(int mr, int w, float *C, size_t ldc, const float *P, size_t ldp) {
    for (int r = 0; r < mr; r++) {
        float *c = C + r * ldc;
        const float *p = P + r * ldp;
        if (w == NT) {
            _mm256_storeu_ps(c, _mm256_add_ps(_mm256_loadu_ps(c), _mm256_loadu_ps(p)));
            _mm256_storeu_ps(c + 8, _mm256_add_ps(_mm256_loadu_ps(c + 8), _mm256_loadu_ps(p + 8)));
        } else {
            for (int j = 0; j < w; j++) c[j] = c[j] + p[j];
        }
    }
}

#ifndef PRNN_AVX2_KBLOCK_ROWS
#define PRNN_AVX2_KBLOCK_ROWS 32
#endif
/// Packed B and 7–16 rows with K ≤ KONE, or 7–PRNN_AVX2_KBLOCK_ROWS rows with K > KONE: direct tiles (6 + 1–6 + 4 …)
/// one k block at a time over all strips, so that a panel's block stays in L1 for the strip's next row tiles. With
/// K ≤ KONE (one block) they ran 6–14 % faster than the blocked product, which packs A and adds a `z += h·U` chain to
/// C in a second pass (KERNELS.md, twenty-eighth round); with K > KONE +8–37 % (twenty-ninth round; both measured on
/// the AVX-512 Xeon with the AVX2 kernels forced, not on an AVX2-only CPU).
static inline int short_packed(int M, int K) { return M >= 7 && M <= (K <= KONE ? 16 : PRNN_AVX2_KBLOCK_ROWS); }

/// The short_packed product. The chains are the blocked product's: continued across blocks through C, or for
/// PRNN_C_ADD over several blocks through the thread's PRNN_SCRATCH_C and added to C after the last block (the same
/// bits; one block: the tiles' own modes). Returns 0 when the scratch could not be had.
static PRNN_AVX2_TARGET int gemm_direct_kblocks(int M, int N, int K, const float *A, int lda, const float *packed,
                                                float *C, int ldc, int accumulate) {
    const int kblocks = K <= KONE ? 1 : (K + KC - 1) / KC, kc_max = (K + kblocks - 1) / kblocks;
    size_t ldd;
    int partial;
    float *const D = prnn_chain_destination(M, N, kblocks, accumulate, C, ldc, &ldd, &partial);
    if (!D) return 0;
    for (int pc = 0; pc < K; pc += kc_max) {
        const int kc = K - pc < kc_max ? K - pc : kc_max;
        const int load_c = prnn_kblock_c_mode(pc, partial, accumulate);
        const int add_after = prnn_kblock_adds_to_c(pc, kc, K, partial);
        for (int j0 = 0; j0 < N; j0 += NT) {
            const int w = N - j0 < NT ? N - j0 : NT;
            const float *b = packed + ((size_t)(j0 / NR) * K + pc) * NR;  // the strip's panel, from row pc
            for (int i0 = 0, mr; i0 < M; i0 += mr) {
                mr = row_tile(M - i0);
                float *d = D + (size_t)i0 * ldd + j0;
                run_tile(1, mr, w, kc, A + (size_t)i0 * lda + pc, (size_t)lda, b, NR, d, ldd, load_c);
                if (add_after) add_tile(mr, w, C + (size_t)i0 * ldc + j0, (size_t)ldc, d, ldd);
            }
        }
    }
    return 1;
}

/// Blocked product with B in the PRNN_PACK_NR layout over the full K. `accumulate`: PRNN_C_ZERO, _LOAD or _ADD (over
/// several k blocks the chain runs in the thread's PRNN_SCRATCH_C and the last block's tiles add it to C).
static PRNN_AVX2_TARGET int gemm_blocked(int M, int N, int K, const float *A, int lda, const float *packed,
                                          float *C, int ldc, int accumulate) {
    const __m256i zero = _mm256_setzero_si256();
    int pairs = (N + 2 * NR - 1) / (2 * NR);  // panel pairs (the packed layout has an even panel count)
    int mblocks = (M + MC - 1) / MC;
    int mc_max = ((M + mblocks - 1) / mblocks + MR - 1) / MR * MR;
    int kblocks = K <= KONE || (accumulate == PRNN_C_ADD && K <= PRNN_ADD_KONE) ? 1 : (K + KC - 1) / KC;
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
            prnn_pack_a_panels_avx2(mc, kc, A + (size_t)ic * lda + pc, lda, abuf, row_tile);
            for (int s = 0; s < pairs; s++) {
                const float *bp = packed + ((size_t)2 * s * K + pc) * NR;  // panel 2s; panel 2s + 1 at bp + K·NR
                // The next pair's panels (kc rows of 64 bytes each) are fetched into L2, a share per tile, while this
                // pair computes: otherwise the first tiles of every pair wait on L3 (measured: −5 % time at 256 rows).
                const char *next_bp = s + 1 < pairs ? (const char *)(bp + (size_t)2 * K * NR) : NULL;
                const size_t next_lines = (size_t)kc * 2;
                for (int ir = 0, mr; ir < mc; ir += mr) {
                    mr = row_tile(mc - ir);
                    // C must seed the accumulators, so fetch the next tile's C rows while this one computes.
                    {
                        int nir = ir + mr, ns = s;
                        if (nir >= mc) { nir = 0; ns = s + 1; }
                        if (ns < pairs) {
                            const float *nc = D + (size_t)(ic + nir) * ldd + ns * 2 * NR;
                            int nmr = row_tile(mc - nir);
                            for (int r = 0; r < nmr; r++) {
                                _mm_prefetch((const char *)(nc + (size_t)r * ldd), _MM_HINT_T0);
                                _mm_prefetch((const char *)(nc + (size_t)r * ldd + 16), _MM_HINT_T0);
                            }
                        }
                    }
                    if (next_bp)
                        for (size_t l = next_lines * ir / mc, end = next_lines * (ir + mr) / mc; l < end; l++) {
                            size_t off = l < (size_t)kc ? l * 64 : (size_t)K * NR * sizeof(float) + (l - kc) * 64;
                            _mm_prefetch(next_bp + off, _MM_HINT_T1);  // panel 2s + 2, then panel 2s + 3
                        }
                    for (int h = 0; h < 2; h++) {
                        int j0 = (2 * s + h) * NR, w = N - j0 < NT ? N - j0 : NT;
                        if (w <= 0) break;
                        float *c = D + (size_t)(ic + ir) * ldd + j0;
                        const float *b = bp + (size_t)h * K * NR;
                        if (mr == MR && w == NT)  // the common case, inlined
                            tile(MR, kc, abuf + (size_t)ir * kc, 1, MR, b, NR, c, ldd, load_c, 0, zero, zero);
                        else
                            run_tile(0, mr, w, kc, abuf + (size_t)ir * kc, 0, b, NR, c, ldd, load_c);
                        if (add_after) add_tile(mr, w, C + (size_t)(ic + ir) * ldc + j0, (size_t)ldc, c, ldd);
                    }
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

PRNN_AVX2_TARGET void prnn_sgemm_packed_avx2(int M, int N, int K, const float *A, int lda, const float *packed, float *C, int ldc, int accumulate) {
    if (short_packed(M, K) && gemm_direct_kblocks(M, N, K, A, lda, packed, C, ldc, accumulate)) return;
    if (!use_direct(M, N, K) && gemm_blocked(M, N, K, A, lda, packed, C, ldc, accumulate)) return;
    gemm_direct(M, N, K, A, lda, packed, NR, 1, C, ldc, accumulate);
}

/// prnn_sgemm_t: each 12-row panel of W^T as two 6-row tiles (A stride PRNN_PACK_TR), each over every 16-column
/// X^T panel (the batch); the panel's A comes from L1 the second time. K runs in blocks (prnn_t_block_at), the
/// outermost loop; C is stored and reloaded between blocks, exactly, and added to at the end of the split's second
/// chain — or, split with one block per chain (prnn_t_split_paired), each tile runs both chains back to back.
PRNN_AVX2_TARGET void prnn_sgemm_t_avx2(int N, int n, int K, int split, const float *packed, const float *panels,
                                        float *C, int ldc, int accumulate) {
    const __m256i zero = _mm256_setzero_si256();
    const int limit = prnn_t_kc();
    if (prnn_t_split_paired(K, split, limit)) {
        const int c1 = accumulate ? PRNN_C_LOAD : PRNN_C_ZERO, k2 = K - split;
        for (int j0 = 0; j0 < N; j0 += PRNN_PACK_TR) {
            const float *a = packed + (size_t)j0 * K, *a2 = a + (size_t)split * PRNN_PACK_TR;
            for (int half = 0; half < 2; half++) {
                int r0 = j0 + half * MR, mr = N - r0 < MR ? N - r0 : MR;
                if (mr <= 0) break;
                for (int q = 0; q * NT < n; q++) {
                    const float *b = panels + (size_t)q * K * NR, *b2 = b + (size_t)split * NR;
                    float *c = C + (size_t)r0 * ldc + q * NT;
#define CALL(R) do { \
        tile(R, split, a + half * MR, 1, PRNN_PACK_TR, b, NR, c, (size_t)ldc, c1, 0, zero, zero); \
        tile(R, k2, a2 + half * MR, 1, PRNN_PACK_TR, b2, NR, c, (size_t)ldc, PRNN_C_ADD, 0, zero, zero); \
    } while (0)
                    if (mr == MR) CALL(MR);
                    else TILE_CASES(CALL)
#undef CALL
                }
            }
        }
        return;
    }
    for (prnn_t_block blk = prnn_t_first_block(K, split, limit, accumulate); blk.k0 < K;
         blk = prnn_t_next_block(blk, K, split, limit)) {
        const int k0 = blk.k0, kb = blk.kb, load_c = blk.c_mode;
        for (int j0 = 0; j0 < N; j0 += PRNN_PACK_TR) {
            const float *a = packed + (size_t)j0 * K + (size_t)k0 * PRNN_PACK_TR;
            for (int half = 0; half < 2; half++) {
                int r0 = j0 + half * MR, mr = N - r0 < MR ? N - r0 : MR;
                if (mr <= 0) break;
                for (int q = 0; q * NT < n; q++) {
                    const float *b = panels + (size_t)q * K * NR + (size_t)k0 * NR;
                    float *c = C + (size_t)r0 * ldc + q * NT;
#define CALL(R) tile(R, kb, a + half * MR, 1, PRNN_PACK_TR, b, NR, c, (size_t)ldc, load_c, 0, zero, zero)
                    if (mr == MR) CALL(MR);
                    else TILE_CASES(CALL)
#undef CALL
                }
            }
        }
    }
}

/// Large problems pack B into the PRNN_PACK_NR layout (same values, same chains) and run the blocked product.
PRNN_AVX2_TARGET void prnn_sgemm_avx2(int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C, int ldc, int accumulate) {
    if (!use_direct(M, N, K)) {
        float *bbuf = prnn_thread_scratch(PRNN_SCRATCH_B, prnn_sgemm_packed_b_count(K, N) * sizeof(float));
        if (bbuf) {
            prnn_sgemm_pack_b(K, N, B, ldb, bbuf);
            if (gemm_blocked(M, N, K, A, lda, bbuf, C, ldc, accumulate)) return;
        }
    }
    gemm_direct(M, N, K, A, lda, B, (size_t)ldb, 0, C, ldc, accumulate);
}

// ---------------------------------------------------------------- double: 4×8 tile (8 ymm accumulators), B in place
PRNN_INLINE PRNN_AVX2_TARGET void dtile(const int mr, int K, const double *A, size_t lda, const double *B, size_t ldb,
                                        double *C, size_t ldc, int load_c, __m256i bm0, __m256i bm1) {
    __m256d c0[4], c1[4];
    PRNN_UNROLL
    for (int r = 0; r < 4; r++) if (r < mr) {
        if (load_c) {
            c0[r] = _mm256_maskload_pd(C + r * ldc, bm0);
            c1[r] = _mm256_maskload_pd(C + r * ldc + 4, bm1);
        } else {
            c0[r] = _mm256_setzero_pd();
            c1[r] = _mm256_setzero_pd();
        }
    }
    for (int k = 0; k < K; k++) {
        __m256d b0 = _mm256_maskload_pd(B, bm0), b1 = _mm256_maskload_pd(B + 4, bm1);
        PRNN_UNROLL
        for (int r = 0; r < 4; r++) if (r < mr) {
            __m256d a = _mm256_broadcast_sd(A + r * lda + k);
            c0[r] = _mm256_fmadd_pd(a, b0, c0[r]);
            c1[r] = _mm256_fmadd_pd(a, b1, c1[r]);
        }
        B += ldb;
    }
    PRNN_UNROLL
    for (int r = 0; r < 4; r++) if (r < mr) {
        _mm256_maskstore_pd(C + r * ldc, bm0, c0[r]);
        _mm256_maskstore_pd(C + r * ldc + 4, bm1, c1[r]);
    }
}

PRNN_AVX2_TARGET void prnn_dgemm_avx2(int M, int N, int K, const double *A, int lda, const double *B, int ldb, double *C, int ldc, int accumulate) {
    const __m256i lane = _mm256_setr_epi64x(0, 1, 2, 3);
    for (int j0 = 0; j0 < N; j0 += 8) {
        int w = N - j0 < 8 ? N - j0 : 8;
        __m256i bm0 = _mm256_cmpgt_epi64(_mm256_set1_epi64x(w), lane);
        __m256i bm1 = _mm256_cmpgt_epi64(_mm256_set1_epi64x(w - 4), lane);
        for (int i0 = 0; i0 < M; i0 += 4) {
            int mr = M - i0 < 4 ? M - i0 : 4;
            const double *a = A + (size_t)i0 * lda;
            const double *b = B + j0;
            double *c = C + (size_t)i0 * ldc + j0;
#define CALL(R) dtile(R, K, a, (size_t)lda, b, (size_t)ldb, c, (size_t)ldc, accumulate, bm0, bm1)
            switch (mr) { case 4: CALL(4); break; case 3: CALL(3); break; case 2: CALL(2); break; default: CALL(1); break; }
#undef CALL
        }
    }
}
#endif
