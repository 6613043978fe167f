// The transposed products' layouts (prnn_kernels.h: W^T in 12-row panels, X^T in 16-column panels), their dispatch,
// and when they are the faster choice.
#include "prnn_internal.h"
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

size_t prnn_sgemm_packed_t_count(int K, int N) {
    if (K <= 0 || N <= 0) return 0;
    return (size_t)K * (((size_t)N + PRNN_PACK_TR - 1) / PRNN_PACK_TR * PRNN_PACK_TR);
}

void prnn_sgemm_pack_t(int K, int N, const float *W, int ldw, float *packed) {
    size_t count = prnn_sgemm_packed_t_count(K, N);
    if (count == 0) return;
    memset(packed, 0, count * sizeof(float));
    for (int k = 0; k < K; k++) {
        const float *w = W + (size_t)k * ldw;
        for (int j = 0; j < N; j++)
            packed[(size_t)(j / PRNN_PACK_TR) * PRNN_PACK_TR * K + (size_t)k * PRNN_PACK_TR + j % PRNN_PACK_TR] = w[j];
    }
}

size_t prnn_rows_t_count(int n, int K) {
    if (n <= 0 || K <= 0) return 0;
    return (size_t)K * (((size_t)n + PRNN_PACK_NR - 1) / PRNN_PACK_NR * PRNN_PACK_NR);
}

#if PRNN_X86
#include "transpose_avx2.h"
/// dst rows j (ldd apart) = column j of the 8 × 8 block at src (rows lds apart): moves only.
static PRNN_AVX2_TARGET void transpose8(const float *src, size_t lds, float *dst, size_t ldd) {
    __m256 r[8], c[8];
    for (int i = 0; i < 8; i++) r[i] = _mm256_loadu_ps(src + (size_t)i * lds);
    prnn_transpose8_avx2(r, c);
    for (int j = 0; j < 8; j++) _mm256_storeu_ps(dst + (size_t)j * ldd, c[j]);
}
#endif

/// 8 × 8 register transposes where the CPU has AVX2 (every x86 ISA path but portable); scalar otherwise.
static int simd_transposes(void) {
#if PRNN_X86
    return prnn_active_isa() >= PRNN_ISA_AVX2;
#else
    return 0;
#endif
}

void prnn_pack_rows_t(int n, int K, const float *X, int ldx, float *panels) {
    prnn_pack_rows_t_ld(n, K, X, ldx, panels, (size_t)PRNN_PACK_NR * (size_t)(K > 0 ? K : 0));
}

void prnn_pack_rows_t_ld(int n, int K, const float *X, int ldx, float *panels, size_t ldpanel) {
    if (n <= 0 || K <= 0) return;
    const int simd = simd_transposes(), K8 = K / 8 * 8;
    for (int p = 0; p * PRNN_PACK_NR < n; p++) {
        float *dst = panels + (size_t)p * ldpanel;
        int r0 = p * PRNN_PACK_NR, w = n - r0 < PRNN_PACK_NR ? n - r0 : PRNN_PACK_NR;
        if (w < PRNN_PACK_NR) memset(dst, 0, (size_t)PRNN_PACK_NR * K * sizeof(float));
        int r = 0;
#if PRNN_X86
        for (; simd && r + 8 <= w; r += 8)
            for (int k = 0; k < K8; k += 8) transpose8(X + (size_t)(r0 + r) * ldx + k, (size_t)ldx, dst + (size_t)k * PRNN_PACK_NR + r, PRNN_PACK_NR);
        for (int q = 0; q < r; q++)
            for (int k = K8; k < K; k++) dst[(size_t)k * PRNN_PACK_NR + q] = X[(size_t)(r0 + q) * ldx + k];
#endif
        (void)simd; (void)K8;
        for (; r < w; r++) {
            const float *x = X + (size_t)(r0 + r) * ldx;
            for (int k = 0; k < K; k++) dst[(size_t)k * PRNN_PACK_NR + r] = x[k];
        }
    }
}

void prnn_unpack_rows_t(int n, int K, const float *panels, float *Y, int ldy) {
    prnn_unpack_rows_t_ld(n, K, panels, (size_t)PRNN_PACK_NR * (size_t)(K > 0 ? K : 0), Y, ldy);
}

void prnn_unpack_rows_t_ld(int n, int K, const float *panels, size_t ldpanel, float *Y, int ldy) {
    if (n <= 0 || K <= 0) return;
    const int simd = simd_transposes(), K8 = K / 8 * 8;
    for (int p = 0; p * PRNN_PACK_NR < n; p++) {
        const float *src = panels + (size_t)p * ldpanel;
        int r0 = p * PRNN_PACK_NR, w = n - r0 < PRNN_PACK_NR ? n - r0 : PRNN_PACK_NR;
        int r = 0;
#if PRNN_X86
        for (; simd && r + 8 <= w; r += 8)
            for (int k = 0; k < K8; k += 8) transpose8(src + (size_t)k * PRNN_PACK_NR + r, PRNN_PACK_NR, Y + (size_t)(r0 + r) * ldy + k, (size_t)ldy);
        for (int q = 0; q < r; q++)
            for (int k = K8; k < K; k++) Y[(size_t)(r0 + q) * ldy + k] = src[(size_t)k * PRNN_PACK_NR + q];
#endif
        (void)simd; (void)K8;
        for (; r < w; r++) {
            float *y = Y + (size_t)(r0 + r) * ldy;
            for (int k = 0; k < K; k++) y[k] = src[(size_t)k * PRNN_PACK_NR + r];
        }
    }
}

/// Both entry points: accumulate as 0 or 1 (the tiles' PRNN_C_ZERO or PRNN_C_LOAD).
static void sgemm_t(int N, int n, int K, int split, const float *packed, const float *panels, float *C, int ldc,
                    int accumulate) {
    accumulate = accumulate != 0;
    if (N <= 0 || n <= 0) return;
    if (K <= 0) { prnn_sgemm_k0(N, n, C, ldc, accumulate); return; }
    if (n % PRNN_PACK_NR) {  // not a fast case
        prnn_sgemm_t_portable(N, n, K, split, packed, panels, C, ldc, accumulate);
        return;
    }
    switch (prnn_active_isa()) {
#if PRNN_X86
    case PRNN_ISA_AVX512: prnn_sgemm_t_avx512(N, n, K, split, packed, panels, C, ldc, accumulate); return;
    case PRNN_ISA_AVX2: prnn_sgemm_t_avx2(N, n, K, split, packed, panels, C, ldc, accumulate); return;
#endif
    default: prnn_sgemm_t_portable(N, n, K, split, packed, panels, C, ldc, accumulate); return;
    }
}

void prnn_sgemm_t(int N, int n, int K, const float *packed, const float *panels, float *C, int ldc, int accumulate) {
    sgemm_t(N, n, K, 0, packed, panels, C, ldc, accumulate);
}

void prnn_sgemm_t_split(int N, int n, int K, int split, const float *packed, const float *panels, float *C, int ldc) {
    sgemm_t(N, n, K, split, packed, panels, C, ldc, 0);
    // An empty part is +0, added as any other (a −0 chain becomes +0): the K = 0 product in PRNN_C_ADD mode.
    if (K > 0 && (split <= 0 || split >= K) && n > 0) prnn_sgemm_k0(N, n, C, ldc, PRNN_C_ADD);
}

double prnn_sgemm_t_gain(int n) {
    if (!prnn_sgemm_t_preferred(n)) return 1;
    if (prnn_active_isa() != PRNN_ISA_AVX512) return PRNN_TRANSPOSED_ASSUMED_GAIN;
    double g = prnn_avx512_transposed_gain();
    return n == 16 && g > PRNN_TRANSPOSED_16_GAIN ? PRNN_TRANSPOSED_16_GAIN : g;
}

int prnn_sgemm_t_gain_measured(void) {
    return prnn_active_isa() == PRNN_ISA_AVX512 && prnn_avx512_transposed_measured();
}

int prnn_sgemm_t_preferred(int n) {
    switch (prnn_active_isa()) {
    case PRNN_ISA_AVX512: return (n == 16 || n == 32) && prnn_avx512_transposed_mode() != PRNN_TRANSPOSED_OFF;
    case PRNN_ISA_AVX2: return n == 16 || n == 32;
    default: return 0;
    }
}

size_t prnn_l2_cache_bytes(void) {
    static _Atomic long cached = 0;
    long v = atomic_load_explicit(&cached, memory_order_relaxed);
    if (v <= 0) {
        const char *e = getenv("PRNN_L2_CACHE_BYTES");  // what-if runs: another CPU's L2 (KERNELS.md)
        v = e ? atol(e) : 0;
#if defined(_SC_LEVEL2_CACHE_SIZE)
        if (v <= 0) v = sysconf(_SC_LEVEL2_CACHE_SIZE);
#endif
        if (v <= 0) v = PRNN_T_ASSUMED_L2;
        atomic_store_explicit(&cached, v, memory_order_relaxed);
    }
    return (size_t)v;
}

int prnn_sgemm_t_preferred_shape(int n, int K) {
    if (prnn_sgemm_t_preferred(n)) return 1;
    return prnn_active_isa() == PRNN_ISA_AVX512 && prnn_avx512_transposed_mode() != PRNN_TRANSPOSED_OFF &&
           n > 32 && n <= PRNN_T_MAX_ROWS && n % 16 == 0 && K > 0 &&
           (size_t)n * (size_t)K * sizeof(float) <= prnn_l2_cache_bytes() / 2;
}

int prnn_sgemm_t_block_rows(int K) {
    if (prnn_active_isa() != PRNN_ISA_AVX512 || prnn_avx512_transposed_mode() == PRNN_TRANSPOSED_OFF || K <= 0) return 0;
    for (int rows = PRNN_T_MAX_ROWS; rows >= 64; rows -= 32)  // (each block streams the weights once per step)
        if (prnn_sgemm_t_preferred_shape(rows, K)) return rows;
    return 0;
}

int prnn_sgemm_t_blocks(int n, int K) {
    if (prnn_sgemm_t_preferred_shape(n, K)) return 1;
    int most = n > 64 && n % 32 == 0 ? prnn_sgemm_t_block_rows(K) / 32 : 0;  // in 32-row units
    return most ? (n / 32 + most - 1) / most : 0;
}

double prnn_sgemm_t_gain_shape(int n, int K) {
    if (prnn_sgemm_t_preferred(n)) return prnn_sgemm_t_gain(n);
    if (!prnn_sgemm_t_blocks(n, K)) return 1;
    double g = prnn_avx512_transposed_gain();
    return g < PRNN_TRANSPOSED_LARGE_GAIN ? g : PRNN_TRANSPOSED_LARGE_GAIN;
}
