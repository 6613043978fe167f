#ifndef PRNN_KERNELS_H
#define PRNN_KERNELS_H
// ParallelRNN's numeric kernels. One build runs on any x86-64 (AVX-512 → AVX2+FMA → portable, chosen at run time)
// and builds on arm64 (portable). No unsafeFlags: ISA code uses __attribute__((target(...))).
//
// Determinism contract (the engine relies on it for bitwise-equal results across shard counts):
// - GEMM: every C[i][j] is the sequential chain acc = init; for k in 0..<K: acc = fma(A[i][k], B[k][j], acc),
//   init = C[i][j] if accumulate else +0. The value never depends on M, on the row's position in a tile, or on the ISA.
//   The adding forms (prnn_sgemm_packed_add, prnn_sgemm_t_split's second part) run their chain from +0 and then add
//   it to C (or to the first part's chain) with one rounding.
// - Element-wise functions: y[i] depends only on x[i] (same formula, same operation order in every ISA path and for tails).
// - NaN: a result that is NaN on one path is NaN on every path, but its sign and payload are not part of the
//   contract: when two NaNs meet, x86 keeps one operand's, and which operand comes first is the compiler's choice
//   (fma and add/mul commute), so it can differ between ISAs and between the row-major and transposed products.
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { PRNN_ISA_PORTABLE = 0, PRNN_ISA_AVX2 = 1, PRNN_ISA_AVX512 = 2 } prnn_isa;

/// The best ISA this CPU and OS support (cpuid + xgetbv), detected once.
prnn_isa prnn_detected_isa(void);
/// The ISA the kernels use now (the detected one unless forced).
prnn_isa prnn_active_isa(void);
/// Forces an ISA (tests, benchmarks), clamped to what is supported; returns the ISA now active.
prnn_isa prnn_force_isa(prnn_isa isa);
const char *prnn_isa_name(prnn_isa isa);

/// The AVX-512 blocked GEMM's register tile: 12 rows × 32 columns (two B vectors and twelve broadcasts per k), the
/// same with the broadcasts folded into the FMAs as {1to16} memory operands (12x32e), or 6 rows × 64 columns (four B
/// vectors, six broadcasts). All run the same FMA chains: the bits never depend on the tile.
typedef enum {
    PRNN_AVX512_TILE_DEFAULT = 0, PRNN_AVX512_TILE_12X32 = 1, PRNN_AVX512_TILE_6X64 = 2, PRNN_AVX512_TILE_12X32E = 3
} prnn_avx512_tile;
/// Products of at most this many rows (a small shard's per-step recurrent GEMM) and taller ones (input projections,
/// large shards) may use different tiles: AMD's BLIS, for one, runs skinny and large products with different kernels.
#define PRNN_AVX512_SHORT_ROWS 64
/// The tile for a blocked product of `rows` rows: forced, else the environment's PRNN_AVX512_TILE (`12x32`, `12x32e`
/// or `6x64` for every product, or `short,tall`, e.g. `6x64,12x32`), else the one prnn_avx512_tune() measured fastest
/// for that class of products, else 12×32.
prnn_avx512_tile prnn_avx512_active_tile(int rows);
/// Forces a tile for every product (tests, benchmarks); PRNN_AVX512_TILE_DEFAULT (or an unknown value) returns to
/// the environment's or measured choice.
void prnn_force_avx512_tile(prnn_avx512_tile tile);
/// How many vectors the AVX-512 gate kernels hand the cell formulas at once, 1 or 2 (gates_avx512.c,
/// gates_k2_avx512.c; the same bits): forced (prnn_force_avx512_gates_k), else the environment's PRNN_AVX512_GATES_K
/// (`1` or `2`), else what prnn_avx512_tune() measured faster, else 1.
int prnn_avx512_gates_k(void);
/// Forces the AVX-512 gate variant (1 or 2; 0 or anything else returns to the environment's or measured choice).
void prnn_force_avx512_gates_k(int k);
/// The transposed product's k block limit (prnn_sgemm_t, every ISA; the same bits at any value): K runs in balanced
/// blocks of at most this many (0: one block). Forced (prnn_force_t_kc), else the environment's PRNN_T_KC (a whole
/// number, 0 to 65536), else one block — a knob for measuring on new CPUs (on Zen 3 and the Xeon one block was as
/// fast or faster than blocks of ≤ 256).
int prnn_t_kc(void);
/// Forces the k block limit (0: one block; a negative or too large value returns to the environment's or default one).
void prnn_force_t_kc(int kc);
/// Once per process, on AVX-512 CPUs when PRNN_AVX512_TILE is unset: times the tiles on the fused cells' GEMM shapes
/// on the calling thread, short and tall products separately (rotating order, medians; 30–50 ms), and keeps for
/// each class another tile than 12×32 only if it is at least 2 % faster; then times the transposed product
/// (prnn_sgemm_t; plain and embedded broadcasts) against the tuned tiles on four steps of a 32-row LSTM shard (row-major:
/// a 128-row projection and four recurrent products; transposed: per step pack, the stacked product in prnn_t_kc()'s
/// blocks, unpack) and keeps the faster variant on only if it is at least 2 % faster (off until measured;
/// PRNN_AVX512_TILE set: on); then, unless PRNN_AVX512_GATES_K is set, the gate kernels with 1 and 2 vectors per
/// formula call (a 32-row LSTM step row-major and transposed, a GRU step transposed), keeping 2 only if it is at
/// least 2 % faster. Concurrent first calls wait for these choices; later calls return at once.
void prnn_avx512_tune(void);
const char *prnn_avx512_tile_name(prnn_avx512_tile tile);

// ---------------------------------------------------------------- GEMM, row-major
/// C[M,N] (ldc) = (accumulate ? C : 0) + A[M,K] (lda) · B[K,N] (ldb).
void prnn_sgemm(int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                float *C, int ldc, int accumulate);
void prnn_dgemm(int M, int N, int K, const double *A, int lda, const double *B, int ldb,
                double *C, int ldc, int accumulate);

/// Packed right-hand side for repeated products with the same B (recurrent weights).
/// Layout is ISA-independent: panels of PRNN_PACK_NR = 16 columns, K rows each (panel p holds columns 16p…16p+15,
/// element (k, j) at p·16·K + k·16 + j), zero padded, in an even number of panels (N rounded up to 32 columns) so
/// that 32-column kernels read panel pairs; 64-byte aligned buffer expected. One 64-byte line per panel row keeps a
/// panel contiguous, so a 16-column kernel's panel spreads over all L1 sets (a 32-column strip read by halves used
/// every other set).
#define PRNN_PACK_NR 16
size_t prnn_sgemm_packed_b_count(int K, int N);  // floats needed
void prnn_sgemm_pack_b(int K, int N, const float *B, int ldb, float *packed);
/// Same contract as prnn_sgemm with B given packed.
void prnn_sgemm_packed(int M, int N, int K, const float *A, int lda, const float *packed,
                       float *C, int ldc, int accumulate);
/// C[M,N] (ldc) = C + A·B with B packed: each element's chain from +0 (as without accumulate), then added to C —
/// one rounding for the sum, as Keras's z = x·W; z += h·U adds a separate product (the LSTM cell's h·U onto the
/// hoisted x·W). The same bits on every ISA.
void prnn_sgemm_packed_add(int M, int N, int K, const float *A, int lda, const float *packed, float *C, int ldc);

// ---------------------------------------------------------------- transposed products (a small batch in the lanes)
/// For a batch of n ≤ 32 rows, C^T = W^T·X^T keeps X^T (a few KiB) in L1 while W streams through once, panel by
/// panel in order; at such n it runs faster than C = X·W, whose B panels each serve only n rows (KERNELS.md, seventh
/// round). Every element is the contract's chain over k ascending of fma(W[k][j], X[r][k], ·): the bits of element
/// (r, j) of prnn_sgemm(X, W) (fma is commutative).
///
/// W [K, N] (rows ldw apart) packed as 12-row panels of W^T: element (j, k) at (j/12)·12·K + k·12 + j%12, zero rows
/// up to a multiple of 12. ISA-independent.
#define PRNN_PACK_TR 12
size_t prnn_sgemm_packed_t_count(int K, int N);  // floats needed
void prnn_sgemm_pack_t(int K, int N, const float *W, int ldw, float *packed);
/// X [n, K] (rows ldx apart) as X^T in PRNN_PACK_NR-column panels: element (k, r) at (r/16)·16·K + k·16 + r%16,
/// zero columns up to a multiple of 16 (the packed-B layout of X^T).
size_t prnn_rows_t_count(int n, int K);  // floats needed
void prnn_pack_rows_t(int n, int K, const float *X, int ldx, float *panels);
/// The same into panels ldpanel ≥ 16·K floats apart: rows of a taller operand, e.g. x_t's rows of the stacked
/// [x_t; h] operand of a step (ldpanel = 16·(I + U)), whose h rows follow at panels + 16·I.
void prnn_pack_rows_t_ld(int n, int K, const float *X, int ldx, float *panels, size_t ldpanel);
/// The inverse: Y [n, K] (rows ldy apart) from X^T panels (16·K or ldpanel floats apart).
void prnn_unpack_rows_t(int n, int K, const float *panels, float *Y, int ldy);
void prnn_unpack_rows_t_ld(int n, int K, const float *panels, size_t ldpanel, float *Y, int ldy);
/// C [N, n] (rows ldc apart) = (accumulate ? C : 0) + W^T · X^T, W from prnn_sgemm_pack_t, X^T panels as
/// prnn_pack_rows_t writes them; n a multiple of 16.
void prnn_sgemm_t(int N, int n, int K, const float *packed, const float *panels, float *C, int ldc, int accumulate);
/// C [N, n] = W[0..<split]^T · X^T[0..<split] + W[split..<K]^T · X^T[split..<K]: two chains from +0 (k ascending),
/// their sum rounded once — over a stacked operand [x; h] and kernel [W; U], Keras's x·W + h·U. A part that is
/// empty (split ≤ 0 or ≥ K: I = 0) is +0, and is added all the same (a −0 chain gives +0, as Keras's sum does).
void prnn_sgemm_t_split(int N, int n, int K, int split, const float *packed, const float *panels, float *C, int ldc);
/// Whether the transposed product is the faster choice for a batch of n rows on the active ISA, whatever its K: n a
/// whole number of 16-lane panels, at most 32 (AVX-512: 16 or 32 where prnn_avx512_tune() measured the path faster
/// for 32; AVX2+FMA: 16 or 32; portable: never). prnn_sgemm_t_preferred_shape adds larger shards by their K.
int prnn_sgemm_t_preferred(int n);
/// How much faster a shard of n rows runs transposed (row-major time / transposed time, > 1) where
/// prnn_sgemm_t_preferred(n), else 1: on AVX2+FMA 1.08 (measured on Zen 3, Benchmarks/KERNELS.md, seventh round); on
/// AVX-512 for 32 rows as prnn_avx512_tune() measured it (four w1 shard steps), or 1.08 with a configured tile, and for
/// 16 rows that figure capped at 1.02 (what whole steps measured; thirtieth round).
double prnn_sgemm_t_gain(int n);
/// prnn_sgemm_t_preferred, plus, on AVX-512 where the tuner measured the path faster, shards of 48–512 rows (multiples
/// of 16; thirtieth round, 64–512 by 32 before) whose operand of K rows (n·K floats) fits in half of the core's L2.
int prnn_sgemm_t_preferred_shape(int n, int K);
/// The largest shard prnn_sgemm_t_preferred_shape takes.
#define PRNN_T_MAX_ROWS 512
/// The largest row block (64–512 rows by 32) in which a larger shard of operand K runs transposed: the largest multiple
/// of 32 prnn_sgemm_t_preferred_shape takes, on AVX-512 where the tuner measured the path faster; else 0.
int prnn_sgemm_t_block_rows(int K);
/// In how many row blocks a shard of n rows runs transposed, one block after the other, each over all time steps:
/// 1 where prnn_sgemm_t_preferred_shape(n, K); for a larger shard of more than 64 rows, a multiple of 32, the fewest
/// blocks of whole 32-row units, their sizes at most one unit apart, none over prnn_sgemm_t_block_rows(K) — e.g. a
/// 512-row shard of K = 768 on a 2 MiB L2, or a 256-row one on a 1 MiB L2, in 2; else 0 (row-major).
int prnn_sgemm_t_blocks(int n, int K);
/// prnn_sgemm_t_gain(n) where prnn_sgemm_t_preferred(n); for the larger shards prnn_sgemm_t_blocks runs transposed,
/// the 32-row gain (measured, or the assumed 1.08 under a configured tile) capped at 1.04; else 1.
double prnn_sgemm_t_gain_shape(int n, int K);
/// This core's L2 in bytes: the environment's PRNN_L2_CACHE_BYTES where set (what-if runs for another CPU), else as
/// the OS reports it (sysconf), or 1 MiB where it does not; read once per process.
size_t prnn_l2_cache_bytes(void);
/// Whether prnn_sgemm_t_gain is a measurement (AVX-512, tuned) rather than the assumed 1.08.
int prnn_sgemm_t_gain_measured(void);

// ---------------------------------------------------------------- element-wise (y may be x itself; not a partial overlap)
typedef enum {
    PRNN_ACT_TANH = 0,
    PRNN_ACT_SIGMOID = 1,
    PRNN_ACT_HARD_SIGMOID = 2,  // tf_keras 2.x: clip(0.2·x + 0.5, 0, 1)
    PRNN_ACT_RELU = 3,
    PRNN_ACT_LINEAR = 4,
    // The rest of tf_keras 2.x's element-wise activations, each as TensorFlow 2.21 computes it:
    PRNN_ACT_SOFTSIGN = 5,     // x / (|x| + 1)
    PRNN_ACT_SOFTPLUS = 6,     // x > 13.94… ? x : x < -13.94… ? exp(x) : log1p(exp(x))  (float; double: ±34.04…)
    PRNN_ACT_ELU = 7,          // x < 0 ? exp(x) - 1 : x  (alpha 1)
    PRNN_ACT_SELU = 8,         // x < 0 ? 1.7580993·(exp(x) - 1) : 1.0507010·x
    PRNN_ACT_EXPONENTIAL = 9,  // exp(x)
    PRNN_ACT_SWISH = 10,       // x · sigmoid(x)  (Keras's swish, tf.nn.silu)
    PRNN_ACT_GELU = 11,        // (0.5·x) · erfc(-x·0.70710678)  (tf.nn.gelu, approximate = False)
    PRNN_ACT_MISH = 12,        // x · tanh(softplus(x))
    PRNN_ACT_RELU6 = 13,       // min(relu(x), 6)  (tf.nn.relu6)
    PRNN_ACT_LEAKY_RELU = 14   // x > 0 ? x : x · 0.2f  (tf.nn.leaky_relu's default alpha, a float attribute also in double)
} prnn_activation;

void prnn_activation_f32(prnn_activation act, const float *x, float *y, size_t n);
void prnn_activation_f64(prnn_activation act, const double *x, double *y, size_t n);

// ---------------------------------------------------------------- memory
/// A 64-byte aligned buffer of `bytes` (NULL on failure); from 4 MiB up 2 MiB aligned and advised as transparent
/// huge pages where the OS supports it. Free with prnn_free_buffer and the same `bytes`.
void *prnn_alloc_buffer(size_t bytes);
/// Frees a prnn_alloc_buffer buffer. Ones above 128 KiB are kept for reuse by a later allocation of the same size
/// class (4 KiB pages below 4 MiB, 2 MiB from there; the 16 most recently released, at most 256 MiB in all), so
/// repeated calls with the same shapes touch no fresh pages. Small ones (≤ 128 KiB) are kept in the freeing thread's
/// own list (8 buffers, 512 KiB), emptied at thread exit.
void prnn_free_buffer(void *p, size_t bytes);
/// Returns every kept buffer above 128 KiB, and the calling thread's kept small ones, to the system.
void prnn_release_cached_buffers(void);
/// Bytes of buffers above 128 KiB currently kept for reuse.
size_t prnn_cached_buffer_bytes(void);
/// Bytes of small buffers the calling thread keeps for reuse.
size_t prnn_thread_cached_small_bytes(void);

/// Sets FTZ/DAZ on the calling thread (x86; no-op elsewhere); returns the previous control word for restore.
unsigned prnn_flush_denormals_enter(void);
void prnn_flush_denormals_restore(unsigned previous);
/// A shard's entry and exit on the calling thread: FTZ/DAZ as above, and a per-thread count of the shards running on
/// it, which remembers the control word the thread had outside them all.
unsigned prnn_shard_enter(void);
void prnn_shard_exit(unsigned previous);
/// Whether a shard is running on the calling thread (a step function that calls rnn runs its work from inside one).
int prnn_in_shard(void);
/// Puts back the control word the calling thread had outside its shards; returns the current one (for
/// prnn_flush_denormals_restore). Only meaningful while prnn_in_shard().
unsigned prnn_outside_shard_fp_enter(void);
/// A spin-wait hint (x86 `pause`, arm64 `yield`): one iteration of a busy wait.
void prnn_cpu_relax(void);

#ifdef __cplusplus
}
#endif
// The fused cell gate kernels (prnn_cells.h) build on these declarations.
#include "prnn_cells.h"
#endif
