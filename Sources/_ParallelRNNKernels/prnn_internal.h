// Private prototypes shared by the dispatcher and the ISA-specific kernel files.
#ifndef PRNN_INTERNAL_H
#define PRNN_INTERNAL_H
#include "prnn_kernels.h"
#include "prnn_cells.h"
#include <stddef.h>

// No FMA contraction anywhere in this target: the kernels spell out every fused multiply-add they want, so that all
// ISA paths perform the identical sequence of IEEE operations (clang honours the STDC pragma; GCC needs its own).
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#if defined(__x86_64__) || defined(_M_X64)
#define PRNN_X86 1
#else
#define PRNN_X86 0
#endif

#ifndef PRNN_AVX512_TARGET  // Scripts/emulate-avx512 defines it empty: the AVX-512 kernels then run through SIMDe
#define PRNN_AVX512_TARGET __attribute__((target("avx512f,avx512dq,avx512vl,fma")))
#endif
#define PRNN_AVX2_TARGET __attribute__((target("avx2,fma")))
/// Fully unrolls the next loop (register tiles must not live in memory).
#define PRNN_UNROLL _Pragma("GCC unroll 16")
#define PRNN_INLINE static inline __attribute__((always_inline))
/// for q in 0..<k, fully unrolled: k (≤ ACT_K) is a constant after inlining, so arrays indexed by q stay in registers.
#define PRNN_EACH(q, k) PRNN_UNROLL for (int q = 0; q < (k); q++)

/// 64-byte aligned scratch (NULL on failure); free with prnn_free_aligned.
void *prnn_alloc_aligned(size_t bytes);
void prnn_free_aligned(void *p);
/// Scratch slots of prnn_thread_scratch: packed A panels, packed B (plain prnn_sgemm).
#define PRNN_SCRATCH_A 0
#define PRNN_SCRATCH_B 1
#define PRNN_SCRATCH_C 2  // a PRNN_C_ADD product's chain over several k blocks, before it is added to C
/// PRNN_C_ADD products (prnn_sgemm_packed_add) with K up to this run as one k block in the blocked drivers, the tiles
/// adding C at the end. Over several blocks the chain has to run in scratch ([M, N] more per call): 3 % slower on a
/// w5 shard (256 × 2048 × 512, Zen 3), where one block of 512 is as fast as two with C carried (Zen 3; the Xeon
/// measured one block 0–6 % faster, KERNELS.md eleventh round). KERNELS.md, eighteenth round.
#ifndef PRNN_ADD_KONE
#define PRNN_ADD_KONE 512
#endif
#define PRNN_SCRATCH_SLOTS 3
/// The calling thread's 64-byte aligned scratch buffer `slot`, at least `bytes` long (NULL on failure). Kept and reused
/// by later calls on the same thread (grown when needed, freed at thread exit): never free it. The contents are not
/// preserved across calls.
void *prnn_thread_scratch(int slot, size_t bytes);
#if PRNN_X86
/// Packs A[mc, kc] (row stride lda) into register-tile panels, tile by tile as row_tile(rows left) sizes them: the
/// tile at row i0 with mr rows starts at dst + i0·kc and holds element (r, k) at k·mr + r. By register transposes,
/// 8 (AVX2, tiles ≤ 8 rows) or 16 (AVX-512, ≤ 16 rows) k at a time, the rest element by element (pack_*.c).
void prnn_pack_a_panels_avx2(int mc, int kc, const float *A, int lda, float *dst, int (*row_tile)(int rows_left));
void prnn_pack_a_panels_avx512(int mc, int kc, const float *A, int lda, float *dst, int (*row_tile)(int rows_left));
#endif
/// The K == 0 product: C[M,N] = +0 (PRNN_C_ZERO), C (PRNN_C_LOAD), or C + (+0) (PRNN_C_ADD: −0 becomes +0).
void prnn_sgemm_k0(int M, int N, float *C, int ldc, int mode);
void prnn_dgemm_k0(int M, int N, double *C, int ldc, int accumulate);

// Portable (every platform).
void prnn_sgemm_portable(int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C, int ldc, int accumulate);
void prnn_sgemm_packed_portable(int M, int N, int K, const float *A, int lda, const float *packed, float *C, int ldc, int accumulate);
void prnn_sgemm_t_portable(int N, int n, int K, int split, const float *packed, const float *panels, float *C, int ldc, int accumulate);
void prnn_dgemm_portable(int M, int N, int K, const double *A, int lda, const double *B, int ldb, double *C, int ldc, int accumulate);
void prnn_activation_f32_portable(prnn_activation act, const float *x, float *y, size_t n);
void prnn_activation_f64_portable(prnn_activation act, const double *x, double *y, size_t n);

// Every platform: the transposed path's k blocks and the AVX-512 tuner's state (tile_choice.c; off where there is
// no AVX-512).
/// The transposed products' k blocks: K runs in balanced blocks of at most `limit` (prnn_t_kc(); 0: one block),
/// rounded up to a multiple of 4 (the tiles' unrolled step), C stored and reloaded between them — same bits at any
/// limit. At 256 a block of a 32-lane operand is ≤ 32 KiB and stays in a 48 KiB L1 beside the W^T stream, which the
/// stacked [x; h] operand of w1's shards (K = 384: 48 KiB) does not; yet one block measured ≈ 1 % faster on Zen 3
/// (32 KiB L1) and as fast or ≈ 2 % faster on the Xeon (KERNELS.md, tenth and fourteenth rounds). PRNN_T_KC: the
/// default where neither prnn_force_t_kc nor the environment's PRNN_T_KC sets it.
#ifndef PRNN_T_KC
#define PRNN_T_KC 0
#endif
static inline int prnn_t_kblock(int K, int limit) {
    if (limit <= 0 || K <= limit) return K;
    int blocks = (K - 1) / limit + 1, kc = (K - 1) / blocks + 1;  // ceilings without overflow near INT_MAX
    return (kc + 3) / 4 * 4;
}
/// How a register tile treats C: start from +0, start from C (a chain continued), or start from +0 and add the
/// chain's result to C when it is stored (one rounding: a separate product summed, as Keras sums x·W and h·U).
enum { PRNN_C_ZERO = 0, PRNN_C_LOAD = 1, PRNN_C_ADD = 2 };
/// Where a blocked product's tiles write their chains: C itself (ldc), or, for PRNN_C_ADD over several k blocks, the
/// thread's PRNN_SCRATCH_C [M, N] (row stride N), which the last block's tiles add to C. *partial says which; NULL
/// when the scratch could not be had.
static inline float *prnn_chain_destination(int M, int N, int kblocks, int accumulate, float *C, int ldc,
                                            size_t *ldd, int *partial) {
    *partial = accumulate == PRNN_C_ADD && kblocks > 1;
    *ldd = *partial ? (size_t)N : (size_t)ldc;
    return *partial ? (float *)prnn_thread_scratch(PRNN_SCRATCH_C, (size_t)M * N * sizeof(float)) : C;
}
/// What the tiles of the k block starting at pc do with their destination (PRNN_C_*): a later block continues the chain
/// stored there; the first starts from zero when the chain is partial (prnn_chain_destination), else as `accumulate`.
static inline int prnn_kblock_c_mode(int pc, int partial, int accumulate) {
    return pc > 0 ? PRNN_C_LOAD : partial ? PRNN_C_ZERO : accumulate;
}
/// Whether the tiles of the k block [pc, pc + kc) add their partial chain to C: the last block of a partial chain.
static inline int prnn_kblock_adds_to_c(int pc, int kc, int K, int partial) { return partial && pc + kc >= K; }
/// A k block [k0, k0 + kb) of a transposed product and what its tiles do with C (PRNN_C_*).
typedef struct { int k0, kb, c_mode; } prnn_t_block;
/// The block at k0 of a product over K whose chain is cut at `split` (0 < split < K; anything else: no cut): the
/// first chain [0, split) in prnn_t_kblock's balanced blocks (C loaded with `accumulate` or after the first block),
/// the second [split, K) as one block from zero, added to C at its end.
static inline prnn_t_block prnn_t_block_at(int k0, int K, int split, int limit, int accumulate) {
    const int s = split > 0 && split < K ? split : K;  // the first chain's end
    prnn_t_block b = {k0, K - k0, PRNN_C_ADD};
    if (k0 < s) {
        const int kc = prnn_t_kblock(s, limit);
        b.kb = s - k0 < kc ? s - k0 : kc;
        b.c_mode = accumulate || k0 > 0 ? PRNN_C_LOAD : PRNN_C_ZERO;
    }
    return b;
}
static inline prnn_t_block prnn_t_first_block(int K, int split, int limit, int accumulate) {
    return prnn_t_block_at(0, K, split, limit, accumulate);
}
static inline prnn_t_block prnn_t_next_block(prnn_t_block b, int K, int split, int limit) {
    return prnn_t_block_at(b.k0 + b.kb, K, split, limit, 1);
}
/// Whether a split product's first chain is one block too: then each register tile runs both chains back to back
/// (the second adding to the C the first just stored, still in L1), W streaming through in the unsplit order. Block
/// by block instead (each block over all of W's panels), the first chain's C [N, n] goes out to L2 and comes back:
/// 4 % slower on Zen 3 (KERNELS.md, eighteenth round).
static inline int prnn_t_split_paired(int K, int split, int limit) {
    return split > 0 && split < K && prnn_t_kblock(split, limit) >= split;
}
/// The transposed path's gain where nothing measured it (AVX2+FMA, a configured AVX-512 tile): Zen 3's, KERNELS.md.
#define PRNN_TRANSPOSED_ASSUMED_GAIN 1.08
/// AVX-512 shards above 32 rows (prnn_sgemm_t_preferred_shape): at most PRNN_T_MAX_ROWS rows, and an operand [I + U, n]
/// of at most half the core's L2 (PRNN_T_ASSUMED_L2 where the OS does not say) — on the Xeon (2 MiB L2) 64–512 rows
/// ran 2.5–10 % faster transposed within that bound and at parity at 75 % of it (KERNELS.md, twenty-fifth round); 48
/// and 80 rows (a last unpaired 16-lane panel): the LSTM 2–15 % faster, GRU 0–13 %, SimpleRNN from 3 % slower to 7 %
/// faster (thirtieth round).
/// Their gain is the tuner's 32-row one, at most PRNN_TRANSPOSED_LARGE_GAIN (what they measured).
#define PRNN_T_ASSUMED_L2 (1L << 20)
#define PRNN_TRANSPOSED_LARGE_GAIN 1.04
/// AVX-512 16-row shards run transposed wherever 32-row ones do (one 16-lane panel: prnn_sgemm_t's single-panel
/// tiles); their gain is the 32-row one, at most this: whole w1 steps at B = 32 measured 1–3.5 % faster than row-major
/// on the Xeon, products alone 0–9 % (too close to a wash to decide from the tuner's short samples; KERNELS.md,
/// thirtieth round).
#define PRNN_TRANSPOSED_16_GAIN 1.02
enum { PRNN_TRANSPOSED_PLAIN = 0, PRNN_TRANSPOSED_EMBEDDED = 1, PRNN_TRANSPOSED_OFF = 2 };
/// Which transposed variant prnn_avx512_tune() chose (or the forced/configured tile's plain one; off until tuned).
int prnn_avx512_transposed_mode(void);
/// Whether the transposed path's mode and gain are the tuner's (no forced or configured tile).
int prnn_avx512_transposed_measured(void);
/// The transposed path's measured gain (row-major / transposed time) where it is on; see prnn_sgemm_t_gain.
double prnn_avx512_transposed_gain(void);

#if PRNN_X86
void prnn_sgemm_avx2(int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C, int ldc, int accumulate);
void prnn_sgemm_packed_avx2(int M, int N, int K, const float *A, int lda, const float *packed, float *C, int ldc, int accumulate);
void prnn_sgemm_t_avx2(int N, int n, int K, int split, const float *packed, const float *panels, float *C, int ldc, int accumulate);
void prnn_dgemm_avx2(int M, int N, int K, const double *A, int lda, const double *B, int ldb, double *C, int ldc, int accumulate);
void prnn_activation_f32_avx2(prnn_activation act, const float *x, float *y, size_t n);
void prnn_activation_f64_avx2(prnn_activation act, const double *x, double *y, size_t n);

void prnn_sgemm_avx512(int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C, int ldc, int accumulate);
void prnn_sgemm_packed_avx512(int M, int N, int K, const float *A, int lda, const float *packed, float *C, int ldc, int accumulate);
void prnn_sgemm_t_avx512(int N, int n, int K, int split, const float *packed, const float *panels, float *C, int ldc, int accumulate);
/// The transposed product's two full-tile variants, the tuner's candidates (prnn_avx512_transposed_mode above: plain
/// broadcasts, embedded ones, or off where slower than the short products' tile; tile_choice.c).
void prnn_sgemm_t_12x32_avx512(int N, int n, int K, int split, const float *packed, const float *panels, float *C, int ldc, int accumulate);
void prnn_sgemm_t_12x32e_avx512(int N, int n, int K, int split, const float *packed, const float *panels, float *C, int ldc, int accumulate);
void prnn_dgemm_avx512(int M, int N, int K, const double *A, int lda, const double *B, int ldb, double *C, int ldc, int accumulate);
/// The blocked products of each AVX-512 register tile (gemm_avx512.c, gemm6x64_avx512.c; packed B over the full K);
/// 0 when the scratch could not be had (nothing written).
int prnn_sgemm_blocked_12x32_avx512(int M, int N, int K, const float *A, int lda, const float *packed, float *C,
                                    int ldc, int accumulate);
int prnn_sgemm_blocked_12x32e_avx512(int M, int N, int K, const float *A, int lda, const float *packed, float *C,
                                     int ldc, int accumulate);
int prnn_sgemm_blocked_6x64_avx512(int M, int N, int K, const float *A, int lda, const float *packed, float *C, int ldc,
                                   int accumulate);
void prnn_activation_f32_avx512(prnn_activation act, const float *x, float *y, size_t n);
void prnn_activation_f64_avx512(prnn_activation act, const double *x, double *y, size_t n);
#endif

// Cell gate kernels (prnn_cells.h), one set per ISA suffix.
#define PRNN_GATES_PROTOS(SFX) \
void prnn_lstm_gates_f32_##SFX(int n, int units, const float *P, int ldp, const float *R, const float *bias, \
                               const float *c, float *newC, float *newH, int ldnh, prnn_activation act, \
                               prnn_activation ract); \
void prnn_gru_gates_reset_after_f32_##SFX(int n, int units, const float *P, int ldp, const float *R, \
                                          const float *ibias, const float *rbias, const float *h, int ldh, \
                                          float *newH, int ldnh, prnn_activation act, prnn_activation ract); \
void prnn_gru_gates_phase1_f32_##SFX(int n, int units, const float *P, int ldp, const float *R, const float *bias, \
                                     const float *h, int ldh, float *zgate, float *rh, prnn_activation ract); \
void prnn_gru_gates_phase2_f32_##SFX(int n, int units, const float *P, int ldp, const float *RH, const float *bias, \
                                     const float *h, int ldh, const float *zgate, float *newH, int ldnh, \
                                     prnn_activation act); \
void prnn_simple_rnn_f32_##SFX(int n, int units, const float *P, int ldp, const float *R, const float *bias, \
                               float *newH, int ldnh, prnn_activation act); \
void prnn_lstm_gates_t_f32_##SFX(int units, int n, const float *Z, int ldz, const float *bias, const float *c, \
                                 float *newC, float *newH, int ldnh, prnn_activation act, prnn_activation ract); \
void prnn_simple_rnn_t_f32_##SFX(int units, int n, const float *Z, int ldz, const float *R, int ldr, \
                                 const float *bias, float *newH, int ldnh, prnn_activation act); \
void prnn_gru_gates_reset_after_t_f32_##SFX(int units, int n, const float *Z, int ldz, const float *R, int ldr, \
                                            const float *ibias, const float *rbias, const float *h, float *newH, \
                                            prnn_activation act, prnn_activation ract); \
void prnn_gru_gates_phase1_t_f32_##SFX(int units, int n, const float *Z, int ldz, const float *R, int ldr, \
                                       const float *bias, const float *h, float *zgate, float *rh, \
                                       prnn_activation ract); \
void prnn_gru_gates_phase2_t_f32_##SFX(int units, int n, const float *Z, int ldz, const float *RH, int ldrh, \
                                       const float *bias, const float *h, const float *zgate, float *newH, \
                                       prnn_activation act);
PRNN_GATES_PROTOS(portable)
#if PRNN_X86
PRNN_GATES_PROTOS(avx2)
PRNN_GATES_PROTOS(avx512)
PRNN_GATES_PROTOS(avx512k2)
#endif

#endif
