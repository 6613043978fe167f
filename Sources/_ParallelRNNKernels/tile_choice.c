// The AVX-512 blocked GEMM's register tile (prnn_kernels.h): forced, else PRNN_AVX512_TILE, else measured once per
// process by prnn_avx512_tune(), else 12×32. All tiles give the same bits; only the speed differs by machine.
#include "prnn_internal.h"
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <time.h>

static _Atomic int tile_forced = PRNN_AVX512_TILE_DEFAULT;
static _Atomic int tile_from_env = -1;  // -1: not read yet; PRNN_AVX512_TILE_DEFAULT: unset or unknown
static _Atomic int tile_tuned = PRNN_AVX512_TILE_DEFAULT;
static _Atomic int tune_state = 0;      // 0: not started, 1: running, 2: done

static int env_tile(void) {
    int v = atomic_load_explicit(&tile_from_env, memory_order_relaxed);
    if (v < 0) {
        const char *e = getenv("PRNN_AVX512_TILE");
        v = e && !strcmp(e, "6x64") ? PRNN_AVX512_TILE_6X64
          : e && !strcmp(e, "12x32e") ? PRNN_AVX512_TILE_12X32E
          : e && !strcmp(e, "12x32") ? PRNN_AVX512_TILE_12X32 : PRNN_AVX512_TILE_DEFAULT;
        atomic_store_explicit(&tile_from_env, v, memory_order_relaxed);
    }
    return v;
}

prnn_avx512_tile prnn_avx512_active_tile(void) {
    int v = atomic_load_explicit(&tile_forced, memory_order_relaxed);
    if (v == PRNN_AVX512_TILE_DEFAULT) v = env_tile();
    if (v == PRNN_AVX512_TILE_DEFAULT) v = atomic_load_explicit(&tile_tuned, memory_order_relaxed);
    return v == PRNN_AVX512_TILE_DEFAULT ? PRNN_AVX512_TILE_12X32 : (prnn_avx512_tile)v;
}

prnn_avx512_tile prnn_force_avx512_tile(prnn_avx512_tile tile) {
    int v = tile == PRNN_AVX512_TILE_12X32 || tile == PRNN_AVX512_TILE_6X64 || tile == PRNN_AVX512_TILE_12X32E
        ? (int)tile : PRNN_AVX512_TILE_DEFAULT;
    atomic_store_explicit(&tile_forced, v, memory_order_relaxed);
    return prnn_avx512_active_tile();
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

/// The fused cells' products on two cores: a 32-row shard's recurrent GEMM, a block's input projection, a 256-row
/// shard's recurrent GEMM (w1/w2 and w5 of the table).
static const int tune_shapes[][3] = {{32, 1024, 256}, {128, 1024, 128}, {256, 1024, 256}};
enum { TUNE_ROUNDS = 7, TUNE_MAX_M = 256, TUNE_MAX_N = 1024, TUNE_MAX_K = 256 };
/// The candidates; the first is the default, kept unless another is at least 2 % faster.
static const int tune_tiles[] = {PRNN_AVX512_TILE_12X32, PRNN_AVX512_TILE_6X64, PRNN_AVX512_TILE_12X32E};
#define TUNE_TILES ((int)(sizeof tune_tiles / sizeof tune_tiles[0]))

/// Seconds for one pass over tune_shapes with `tile`; -1 when a product could not run (scratch refused).
static double time_pass(int tile, const float *A, const float *packed, float *C) {
    double t0 = seconds();
    for (size_t s = 0; s < sizeof tune_shapes / sizeof tune_shapes[0]; s++) {
        int M = tune_shapes[s][0], N = tune_shapes[s][1], K = tune_shapes[s][2];
        int ok = tile == PRNN_AVX512_TILE_6X64 ? prnn_sgemm_blocked_6x64_avx512(M, N, K, A, K, packed, C, N, 0)
               : tile == PRNN_AVX512_TILE_12X32E ? prnn_sgemm_blocked_12x32e_avx512(M, N, K, A, K, packed, C, N, 0)
               : prnn_sgemm_blocked_12x32_avx512(M, N, K, A, K, packed, C, N, 0);
        if (!ok) return -1;
    }
    return seconds() - t0;
}

/// The fastest tile by median pass time (12×32 unless another is at least 2 % faster); 0 if nothing could run.
static int measure(void) {
    float *A = prnn_alloc_aligned(sizeof(float) * TUNE_MAX_M * TUNE_MAX_K);
    float *B = prnn_alloc_aligned(sizeof(float) * TUNE_MAX_K * TUNE_MAX_N);
    float *packed = prnn_alloc_aligned(sizeof(float) * prnn_sgemm_packed_b_count(TUNE_MAX_K, TUNE_MAX_N));
    float *C = prnn_alloc_aligned(sizeof(float) * TUNE_MAX_M * TUNE_MAX_N);
    int choice = PRNN_AVX512_TILE_DEFAULT;
    if (A && B && packed && C) {
        for (int i = 0; i < TUNE_MAX_M * TUNE_MAX_K; i++) A[i] = (float)(i % 13) * 0.0625f - 0.375f;
        for (int i = 0; i < TUNE_MAX_K * TUNE_MAX_N; i++) B[i] = (float)(i % 11) * 0.03125f - 0.15625f;
        // Packed once for K = 256; the K = 128 shape reads the same buffer with its own panel stride (other values,
        // the same work — only the time is used).
        prnn_sgemm_pack_b(TUNE_MAX_K, TUNE_MAX_N, B, TUNE_MAX_N, packed);
        double t[TUNE_TILES][TUNE_ROUNDS];
        int ok = 1;
        for (int i = 0; ok && i < TUNE_TILES; i++) ok = time_pass(tune_tiles[i], A, packed, C) >= 0;  // warm-up
        for (int r = 0; ok && r < TUNE_ROUNDS; r++)  // rotate the order: no tile always runs first
            for (int j = 0; ok && j < TUNE_TILES; j++) {
                int i = (r + j) % TUNE_TILES;
                t[i][r] = time_pass(tune_tiles[i], A, packed, C);
                ok = t[i][r] >= 0;
            }
        if (ok) {
            double best = 0;
            for (int i = 0; i < TUNE_TILES; i++) {
                qsort(t[i], TUNE_ROUNDS, sizeof(double), cmp_double);
                double median = t[i][TUNE_ROUNDS / 2];
                if (i == 0 || median < 0.98 * best) { best = median; choice = tune_tiles[i]; }
            }
        }
    }
    prnn_free_aligned(A); prnn_free_aligned(B); prnn_free_aligned(packed); prnn_free_aligned(C);
    return choice;
}
#endif

prnn_avx512_tile prnn_avx512_tune(void) {
#if PRNN_X86 && !defined(PRNN_EMULATED_AVX512)
    int expected = 0;
    if (prnn_detected_isa() == PRNN_ISA_AVX512 && env_tile() == PRNN_AVX512_TILE_DEFAULT &&
        atomic_compare_exchange_strong(&tune_state, &expected, 1)) {
        unsigned mxcsr = prnn_flush_denormals_enter();
        atomic_store_explicit(&tile_tuned, measure(), memory_order_relaxed);
        prnn_flush_denormals_restore(mxcsr);
        atomic_store(&tune_state, 2);
    }
    while (atomic_load(&tune_state) == 1) sched_yield();  // a concurrent first call: wait for its choice
#endif
    return prnn_avx512_active_tile();
}
