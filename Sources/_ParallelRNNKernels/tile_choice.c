// The AVX-512 blocked GEMM's register tile (prnn_kernels.h), per class of products — short (≤ PRNN_AVX512_SHORT_ROWS
// rows: a small shard's per-step recurrent GEMM) and tall (input projections, large shards): forced, else
// PRNN_AVX512_TILE, else measured once per process by prnn_avx512_tune(), else 12×32. All tiles give the same bits;
// only the speed differs by machine and shape. The same for the transposed product's variant and the gate kernels'
// vectors per formula call; the transposed product's k blocks are set (prnn_t_kc), not measured.
#include "prnn_internal.h"
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <time.h>

enum { SHORT = 0, TALL = 1 };
static _Atomic int tile_forced = PRNN_AVX512_TILE_DEFAULT;
static _Atomic int tile_from_env[2] = {-1, -1};  // -1: not read yet; PRNN_AVX512_TILE_DEFAULT: unset or unknown
static _Atomic int tile_tuned[2] = {PRNN_AVX512_TILE_DEFAULT, PRNN_AVX512_TILE_DEFAULT};
#if PRNN_X86 && !defined(PRNN_EMULATED_AVX512)
static _Atomic int tune_state = 0;               // 0: not started, 1: running, 2: done
#endif
static _Atomic int transposed_mode = PRNN_TRANSPOSED_OFF;  // measured: the transposed path's variant, or off
static _Atomic int transposed_gain_permille = 1000;         // measured: row-major / transposed time, where on
static _Atomic int gates_k_forced = 0;                      // 1 or 2; 0: not forced
static _Atomic int gates_k_from_env = -1;                   // -1: not read yet; 0: unset or malformed
static _Atomic int gates_k_tuned = 1;
static _Atomic int t_kc_forced = -1;                        // ≥ 0: forced; -1: not forced
static _Atomic int t_kc_from_env = -2;                      // -2: not read yet; -1: unset or malformed
enum { T_KC_MAX = 65536 };

static int tile_named(const char *s, size_t n) {
    return n == 4 && !strncmp(s, "6x64", 4) ? PRNN_AVX512_TILE_6X64
         : n == 6 && !strncmp(s, "12x32e", 6) ? PRNN_AVX512_TILE_12X32E
         : n == 5 && !strncmp(s, "12x32", 5) ? PRNN_AVX512_TILE_12X32 : PRNN_AVX512_TILE_DEFAULT;
}

/// PRNN_AVX512_TILE: one tile for both classes (`6x64`), or `short,tall` (`6x64,12x32`); anything else is ignored.
static int env_tile(int cls) {
    int v = atomic_load_explicit(&tile_from_env[cls], memory_order_relaxed);
    if (v < 0) {
        const char *e = getenv("PRNN_AVX512_TILE"), *comma = e ? strchr(e, ',') : NULL;
        int s = PRNN_AVX512_TILE_DEFAULT, t = PRNN_AVX512_TILE_DEFAULT;
        if (e && !comma) s = t = tile_named(e, strlen(e));
        if (e && comma) {
            s = tile_named(e, (size_t)(comma - e));
            t = tile_named(comma + 1, strlen(comma + 1));
            if (s == PRNN_AVX512_TILE_DEFAULT || t == PRNN_AVX512_TILE_DEFAULT) s = t = PRNN_AVX512_TILE_DEFAULT;
        }
        atomic_store_explicit(&tile_from_env[SHORT], s, memory_order_relaxed);
        atomic_store_explicit(&tile_from_env[TALL], t, memory_order_relaxed);
        v = cls == SHORT ? s : t;
    }
    return v;
}

prnn_avx512_tile prnn_avx512_active_tile(int rows) {
    int cls = rows <= PRNN_AVX512_SHORT_ROWS ? SHORT : TALL;
    int v = atomic_load_explicit(&tile_forced, memory_order_relaxed);
    if (v == PRNN_AVX512_TILE_DEFAULT) v = env_tile(cls);
    if (v == PRNN_AVX512_TILE_DEFAULT) v = atomic_load_explicit(&tile_tuned[cls], memory_order_relaxed);
    return v == PRNN_AVX512_TILE_DEFAULT ? PRNN_AVX512_TILE_12X32 : (prnn_avx512_tile)v;
}

void prnn_force_avx512_tile(prnn_avx512_tile tile) {
    int v = tile == PRNN_AVX512_TILE_12X32 || tile == PRNN_AVX512_TILE_6X64 || tile == PRNN_AVX512_TILE_12X32E
        ? (int)tile : PRNN_AVX512_TILE_DEFAULT;
    atomic_store_explicit(&tile_forced, v, memory_order_relaxed);
}

/// PRNN_AVX512_GATES_K: `1` or `2`; anything else is ignored.
static int env_gates_k(void) {
    int v = atomic_load_explicit(&gates_k_from_env, memory_order_relaxed);
    if (v < 0) {
        const char *e = getenv("PRNN_AVX512_GATES_K");
        v = e && (!strcmp(e, "1") || !strcmp(e, "2")) ? e[0] - '0' : 0;
        atomic_store_explicit(&gates_k_from_env, v, memory_order_relaxed);
    }
    return v;
}

int prnn_avx512_gates_k(void) {
    int v = atomic_load_explicit(&gates_k_forced, memory_order_relaxed);
    if (!v) v = env_gates_k();
    return v ? v : atomic_load_explicit(&gates_k_tuned, memory_order_relaxed);
}

void prnn_force_avx512_gates_k(int k) {
    atomic_store_explicit(&gates_k_forced, k == 1 || k == 2 ? k : 0, memory_order_relaxed);
}

/// PRNN_T_KC: a whole number from 0 to 65536 (at most 9 digits, nothing else); anything else is ignored.
static int env_t_kc(void) {
    int v = atomic_load_explicit(&t_kc_from_env, memory_order_relaxed);
    if (v == -2) {
        const char *e = getenv("PRNN_T_KC");
        long n = -1;
        if (e && *e && strlen(e) <= 9 && strspn(e, "0123456789") == strlen(e)) n = strtol(e, NULL, 10);
        v = n >= 0 && n <= T_KC_MAX ? (int)n : -1;
        atomic_store_explicit(&t_kc_from_env, v, memory_order_relaxed);
    }
    return v;
}

int prnn_t_kc(void) {
    int v = atomic_load_explicit(&t_kc_forced, memory_order_relaxed);
    if (v < 0) v = env_t_kc();
    return v >= 0 ? v : PRNN_T_KC;
}

void prnn_force_t_kc(int kc) {
    atomic_store_explicit(&t_kc_forced, kc >= 0 && kc <= T_KC_MAX ? kc : -1, memory_order_relaxed);
}

const char *prnn_avx512_tile_name(prnn_avx512_tile tile) {
    switch (tile) {
    case PRNN_AVX512_TILE_12X32: return "12x32";
    case PRNN_AVX512_TILE_12X32E: return "12x32e";
    case PRNN_AVX512_TILE_6X64: return "6x64";
    default: return "default";
    }
}

#if PRNN_X86 && !defined(PRNN_EMULATED_AVX512)
static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/// The fused cells' blocked products, by class: a 48-row shard's recurrent GEMM (short: 33–64 rows; 9–32 rows with
/// K ≤ 256, w1/w2's 32-row shards among them, run gemm_avx512.c's direct tiles, whatever the tile), a block's input
/// projection and a 256-row shard's recurrent GEMM (w5; tall). {M, N, K, calls per pass}: a pass is ~0.4–0.8 ms on
/// a Zen 5 core.
static const int tune_shapes[2][2][4] = {{{48, 1024, 256, 4}, {0, 0, 0, 0}},
                                         {{128, 1024, 128, 2}, {256, 1024, 256, 1}}};
enum { TUNE_ROUNDS = 7, TUNE_MAX_M = 256, TUNE_MAX_N = 1024, TUNE_MAX_K = 256 };
/// The candidates; the first is the default, kept unless another is at least 2 % faster.
static const int tune_tiles[] = {PRNN_AVX512_TILE_12X32, PRNN_AVX512_TILE_6X64, PRNN_AVX512_TILE_12X32E};
#define TUNE_TILES ((int)(sizeof tune_tiles / sizeof tune_tiles[0]))

/// One blocked product with `tile`; 0 when it could not run (scratch refused).
static int blocked(int tile, int M, int N, int K, const float *A, const float *packed, float *C, int accumulate) {
    return tile == PRNN_AVX512_TILE_6X64 ? prnn_sgemm_blocked_6x64_avx512(M, N, K, A, K, packed, C, N, accumulate)
         : tile == PRNN_AVX512_TILE_12X32E ? prnn_sgemm_blocked_12x32e_avx512(M, N, K, A, K, packed, C, N, accumulate)
         : prnn_sgemm_blocked_12x32_avx512(M, N, K, A, K, packed, C, N, accumulate);
}

/// Seconds for one pass over class `cls`'s shapes with `tile`; -1 when a product could not run (scratch refused).
static double time_pass(int cls, int tile, const float *A, const float *packed, float *C) {
    double t0 = seconds();
    for (int s = 0; s < 2; s++)
        for (int rep = 0; rep < tune_shapes[cls][s][3]; rep++)
            if (!blocked(tile, tune_shapes[cls][s][0], tune_shapes[cls][s][1], tune_shapes[cls][s][2], A, packed, C, 0))
                return -1;
    return seconds() - t0;
}

/// Four steps of a 32-row LSTM shard with I = 128, U = 256 (w1 on two cores) as the engine runs them row-major: one
/// 128-row input projection (tall tile), four recurrent products (direct tiles, prnn_sgemm_packed_avx512) each added
/// onto its step's rows (PRNN_C_ADD, as prnn_sgemm_packed_add). Seconds; -1 if a product could not run.
static double time_steps_rowmajor(int tall_tile, const float *A, const float *packed, float *C) {
    double t0 = seconds();
    if (!blocked(tall_tile, 128, 1024, 128, A, packed, C, 0)) return -1;
    for (int k = 0; k < 4; k++)
        prnn_sgemm_packed_avx512(32, 1024, 256, A, 256, packed, C + (size_t)k * 32 * 1024, 1024, PRNN_C_ADD);
    return seconds() - t0;
}

/// The same four steps transposed (FusedCellKernel.runShardTransposed): per step x_t packed into the stacked
/// operand [x_t; h] (panels 16·384 floats apart), Z = [W; U]^T·[x_t; h]^T split at x's 128 rows (x·W + h·U), the
/// new h unpacked into rows; plain (ebc 0) or embedded (1) broadcasts.
static double time_steps_t(int ebc, const float *A, const float *packed_t, float *operand, float *C) {
    void (*product)(int, int, int, int, const float *, const float *, float *, int, int) =
        ebc ? prnn_sgemm_t_12x32e_avx512 : prnn_sgemm_t_12x32_avx512;
    const size_t ld = 16 * 384;
    double t0 = seconds();
    for (int k = 0; k < 4; k++) {
        prnn_pack_rows_t_ld(32, 128, A + (size_t)k * 32 * 128, 128, operand, ld);
        product(1024, 32, 384, 128, packed_t, operand, C, 32, 0);
        prnn_unpack_rows_t_ld(32, 256, operand + 16 * 128, ld, C + 1024 * 32, 256);
    }
    return seconds() - t0;
}

/// Four w1 shard steps row-major (the tuned tall tile, direct recurrent tiles) against transposed with each variant,
/// rotating order: the faster variant (plain unless embedded broadcasts are ≥ 2 % faster) if it beats row-major by
/// ≥ 2 %, else off (also when nothing could be measured). The k blocks are not a candidate: blocks of ≤ 256 measured
/// no faster than one block on the Xeon (KERNELS.md, fourteenth round), and a 2 % choice from 4-step samples is noise
/// there.
static int transposed_choice(int tall_tile, const float *A, const float *packed, float *C) {
    float *packed_t = prnn_alloc_aligned(sizeof(float) * prnn_sgemm_packed_t_count(384, 1024));
    float *panels = prnn_alloc_aligned(sizeof(float) * prnn_rows_t_count(32, 384));
    int mode = PRNN_TRANSPOSED_OFF;
    if (packed_t && panels) {
        memset(packed_t, 0, sizeof(float) * prnn_sgemm_packed_t_count(384, 1024));
        for (int i = 0; i < 384 * 1024; i++) packed_t[i] = (float)(i % 11) * 0.03125f - 0.15625f;
        prnn_pack_rows_t_ld(32, 256, A, 256, panels + 16 * 128, 16 * 384);  // h rows
        double t[3][TUNE_ROUNDS];  // row-major, transposed plain, transposed embedded
        int ok = time_steps_rowmajor(tall_tile, A, packed, C) >= 0;  // warm-up
        time_steps_t(0, A, packed_t, panels, C); time_steps_t(1, A, packed_t, panels, C);
        for (int r = 0; ok && r < TUNE_ROUNDS; r++)
            for (int j = 0; ok && j < 3; j++) {
                int i = (r + j) % 3;
                t[i][r] = i == 0 ? time_steps_rowmajor(tall_tile, A, packed, C)
                                 : time_steps_t(i - 1, A, packed_t, panels, C);
                ok = t[i][r] >= 0;
            }
        if (ok) {
            for (int i = 0; i < 3; i++) qsort(t[i], TUNE_ROUNDS, sizeof(double), cmp_double);
            double rowmajor = t[0][TUNE_ROUNDS / 2], plain = t[1][TUNE_ROUNDS / 2], embedded = t[2][TUNE_ROUNDS / 2];
            int variant = embedded < 0.98 * plain ? PRNN_TRANSPOSED_EMBEDDED : PRNN_TRANSPOSED_PLAIN;
            double best = variant == PRNN_TRANSPOSED_EMBEDDED ? embedded : plain;
            mode = best < 0.98 * rowmajor ? variant : PRNN_TRANSPOSED_OFF;
            if (mode != PRNN_TRANSPOSED_OFF)
                atomic_store_explicit(&transposed_gain_permille, (int)(1000 * rowmajor / best), memory_order_relaxed);
        }
    }
    prnn_free_aligned(packed_t); prnn_free_aligned(panels);
    return mode;
}

/// One pass of the gate kernels with 1 (k2 = 0) or 2 vectors per formula call: a 32-row LSTM step of w1 row-major
/// (P [32, 1024]) and transposed (Z [1024, 32]), and a GRU (reset after) step transposed, four times. Seconds.
static double time_gates(int k2, const float *Z, const float *bias, const float *c, float *out) {
    void (*lstm)(int, int, const float *, int, const float *, const float *, const float *, float *, float *, int,
                 prnn_activation, prnn_activation) = k2 ? prnn_lstm_gates_f32_avx512k2 : prnn_lstm_gates_f32_avx512;
    void (*lstm_t)(int, int, const float *, int, const float *, const float *, float *, float *, int,
                   prnn_activation, prnn_activation) = k2 ? prnn_lstm_gates_t_f32_avx512k2 : prnn_lstm_gates_t_f32_avx512;
    void (*gru_t)(int, int, const float *, int, const float *, int, const float *, const float *, const float *,
                  float *, prnn_activation, prnn_activation) =
        k2 ? prnn_gru_gates_reset_after_t_f32_avx512k2 : prnn_gru_gates_reset_after_t_f32_avx512;
    const size_t cells = 32 * 256;
    double t0 = seconds();
    for (int rep = 0; rep < 4; rep++) {
        lstm(32, 256, Z, 1024, NULL, bias, c, out, out + cells, 256, PRNN_ACT_TANH, PRNN_ACT_SIGMOID);
        lstm_t(256, 32, Z, 32, bias, c, out, out + cells, 16 * 256, PRNN_ACT_TANH, PRNN_ACT_SIGMOID);
        gru_t(256, 32, Z, 32, Z + 768 * 32, 32, bias, bias + 768, c, out, PRNN_ACT_TANH, PRNN_ACT_SIGMOID);
    }
    return seconds() - t0;
}

/// 2 if the gate kernels with two vectors per call are at least 2 % faster than with one (medians, rotating
/// order), else 1.
static int gates_choice(void) {
    float *Z = prnn_alloc_aligned(sizeof(float) * 1024 * 32 * 2), *bias = prnn_alloc_aligned(sizeof(float) * 1536);
    float *c = prnn_alloc_aligned(sizeof(float) * 256 * 32), *out = prnn_alloc_aligned(sizeof(float) * 2 * 256 * 32);
    int k = 1;
    if (Z && bias && c && out) {
        for (int i = 0; i < 1024 * 32 * 2; i++) Z[i] = (float)(i % 17) * 0.25f - 2.0f;
        for (int i = 0; i < 1536; i++) bias[i] = (float)(i % 7) * 0.0625f - 0.1875f;
        for (int i = 0; i < 256 * 32; i++) c[i] = (float)(i % 5) * 0.25f - 0.5f;
        double t[2][TUNE_ROUNDS];
        time_gates(0, Z, bias, c, out); time_gates(1, Z, bias, c, out);  // warm-up
        for (int r = 0; r < TUNE_ROUNDS; r++)
            for (int j = 0; j < 2; j++) { int i = (r + j) % 2; t[i][r] = time_gates(i, Z, bias, c, out); }
        for (int i = 0; i < 2; i++) qsort(t[i], TUNE_ROUNDS, sizeof(double), cmp_double);
        if (t[1][TUNE_ROUNDS / 2] < 0.98 * t[0][TUNE_ROUNDS / 2]) k = 2;
    }
    prnn_free_aligned(Z); prnn_free_aligned(bias); prnn_free_aligned(c); prnn_free_aligned(out);
    return k;
}

/// The fastest tile for each class by median pass time (12×32 unless another is at least 2 % faster), into
/// choice[SHORT], choice[TALL]; left PRNN_AVX512_TILE_DEFAULT if nothing could run. Then the transposed path's
/// variant (prnn_sgemm_t, small shards), or off unless it is ≥ 2 % faster than the row-major steps.
static void measure(int choice[2]) {
    float *A = prnn_alloc_aligned(sizeof(float) * TUNE_MAX_M * TUNE_MAX_K);
    float *B = prnn_alloc_aligned(sizeof(float) * TUNE_MAX_K * TUNE_MAX_N);
    float *packed = prnn_alloc_aligned(sizeof(float) * prnn_sgemm_packed_b_count(TUNE_MAX_K, TUNE_MAX_N));
    float *C = prnn_alloc_aligned(sizeof(float) * TUNE_MAX_M * TUNE_MAX_N);
    if (A && B && packed && C) {
        for (int i = 0; i < TUNE_MAX_M * TUNE_MAX_K; i++) A[i] = (float)(i % 13) * 0.0625f - 0.375f;
        for (int i = 0; i < TUNE_MAX_K * TUNE_MAX_N; i++) B[i] = (float)(i % 11) * 0.03125f - 0.15625f;
        // Packed once for K = 256; the K = 128 shape reads the same buffer with its own panel stride (other values,
        // the same work — only the time is used).
        prnn_sgemm_pack_b(TUNE_MAX_K, TUNE_MAX_N, B, TUNE_MAX_N, packed);
        for (int cls = SHORT; cls <= TALL; cls++) {
            double t[TUNE_TILES][TUNE_ROUNDS];
            int ok = 1;
            for (int i = 0; ok && i < TUNE_TILES; i++) ok = time_pass(cls, tune_tiles[i], A, packed, C) >= 0;  // warm-up
            for (int r = 0; ok && r < TUNE_ROUNDS; r++)  // rotate the order: no tile always runs first
                for (int j = 0; ok && j < TUNE_TILES; j++) {
                    int i = (r + j) % TUNE_TILES;
                    t[i][r] = time_pass(cls, tune_tiles[i], A, packed, C);
                    ok = t[i][r] >= 0;
                }
            double best = 0;
            for (int i = 0; ok && i < TUNE_TILES; i++) {
                qsort(t[i], TUNE_ROUNDS, sizeof(double), cmp_double);
                double median = t[i][TUNE_ROUNDS / 2];
                if (i == 0 || median < 0.98 * best) { best = median; choice[cls] = tune_tiles[i]; }
            }
        }
        int tall_tile = choice[TALL] == PRNN_AVX512_TILE_DEFAULT ? PRNN_AVX512_TILE_12X32 : choice[TALL];
        atomic_store_explicit(&transposed_mode, transposed_choice(tall_tile, A, packed, C),
                              memory_order_relaxed);
    }
    if (!env_gates_k()) atomic_store_explicit(&gates_k_tuned, gates_choice(), memory_order_relaxed);
    prnn_free_aligned(A); prnn_free_aligned(B); prnn_free_aligned(packed); prnn_free_aligned(C);
}
#endif

/// A forced or configured 12x32e tile (for every product, or short ones) means embedded broadcasts here too, any other
/// forced or configured tile the plain variant (configured: the tuner does not run, and the path is on); else what
/// the tuner measured (off until it has, and where it could not).
int prnn_avx512_transposed_mode(void) {
    int v = atomic_load_explicit(&tile_forced, memory_order_relaxed);
    if (v == PRNN_AVX512_TILE_DEFAULT) v = env_tile(SHORT);
    if (v != PRNN_AVX512_TILE_DEFAULT) return v == PRNN_AVX512_TILE_12X32E ? PRNN_TRANSPOSED_EMBEDDED : PRNN_TRANSPOSED_PLAIN;
    return atomic_load_explicit(&transposed_mode, memory_order_relaxed);
}

int prnn_avx512_transposed_measured(void) {
    return atomic_load_explicit(&tile_forced, memory_order_relaxed) == PRNN_AVX512_TILE_DEFAULT &&
           env_tile(SHORT) == PRNN_AVX512_TILE_DEFAULT;
}

double prnn_avx512_transposed_gain(void) {
    if (!prnn_avx512_transposed_measured()) return PRNN_TRANSPOSED_ASSUMED_GAIN;  // a configured tile: on, unmeasured
    return atomic_load_explicit(&transposed_gain_permille, memory_order_relaxed) / 1000.0;
}

void prnn_avx512_tune(void) {
#if PRNN_X86 && !defined(PRNN_EMULATED_AVX512)
    int expected = 0;
    if (prnn_detected_isa() == PRNN_ISA_AVX512 && env_tile(SHORT) == PRNN_AVX512_TILE_DEFAULT &&
        atomic_compare_exchange_strong(&tune_state, &expected, 1)) {
        int choice[2] = {PRNN_AVX512_TILE_DEFAULT, PRNN_AVX512_TILE_DEFAULT};
        unsigned mxcsr = prnn_flush_denormals_enter();
        measure(choice);
        prnn_flush_denormals_restore(mxcsr);
        atomic_store_explicit(&tile_tuned[SHORT], choice[SHORT], memory_order_relaxed);
        atomic_store_explicit(&tile_tuned[TALL], choice[TALL], memory_order_relaxed);
        atomic_store(&tune_state, 2);
    }
    while (atomic_load(&tune_state) == 1) sched_yield();  // a concurrent first call: wait for its choice
#endif
}
