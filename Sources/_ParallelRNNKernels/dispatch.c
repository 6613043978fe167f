// Run-time ISA selection (cpuid + xgetbv) and the public entry points, which forward to the active ISA's kernels.
#include "prnn_internal.h"
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#if defined(PRNN_EMULATED_AVX512)
// Scripts/emulate-avx512: the AVX-512 kernels are compiled against SIMDe, so every machine "has" them.
static prnn_isa prnn_detect(void) { return PRNN_ISA_AVX512; }
#elif PRNN_X86
#include <cpuid.h>

static unsigned long long prnn_xgetbv0(void) {
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((unsigned long long)hi << 32) | lo;
}

/// AVX-512 needs F+DQ+VL and the OS saving opmask/zmm state (XCR0 bits 1,2,5,6,7);
/// AVX2 needs AVX2+FMA and the OS saving ymm state (XCR0 bits 1,2).
static prnn_isa prnn_detect(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return PRNN_ISA_PORTABLE;
    int osxsave = (c >> 27) & 1, avx = (c >> 28) & 1, fma = (c >> 12) & 1;
    if (!osxsave || !avx) return PRNN_ISA_PORTABLE;
    unsigned long long xcr0 = prnn_xgetbv0();
    if ((xcr0 & 0x6) != 0x6) return PRNN_ISA_PORTABLE;
    if (__get_cpuid_max(0, NULL) < 7) return PRNN_ISA_PORTABLE;
    __cpuid_count(7, 0, a, b, c, d);
    int avx2 = (b >> 5) & 1, f = (b >> 16) & 1, dq = (b >> 17) & 1, vl = (b >> 31) & 1;
    if (!avx2 || !fma) return PRNN_ISA_PORTABLE;
    if (f && dq && vl && (xcr0 & 0xE6) == 0xE6) return PRNN_ISA_AVX512;
    return PRNN_ISA_AVX2;
}
#else
static prnn_isa prnn_detect(void) { return PRNN_ISA_PORTABLE; }
#endif

static _Atomic int prnn_detected = -1;  // -1: not yet detected
static _Atomic int prnn_active = -1;    // -1: follow detection

prnn_isa prnn_detected_isa(void) {
    int v = atomic_load_explicit(&prnn_detected, memory_order_relaxed);
    if (v < 0) {
        v = (int)prnn_detect();
        atomic_store_explicit(&prnn_detected, v, memory_order_relaxed);
    }
    return (prnn_isa)v;
}

prnn_isa prnn_active_isa(void) {
    int v = atomic_load_explicit(&prnn_active, memory_order_relaxed);
    return v < 0 ? prnn_detected_isa() : (prnn_isa)v;
}

prnn_isa prnn_force_isa(prnn_isa isa) {
    int want = (int)isa, best = (int)prnn_detected_isa();
    if (want < 0) want = 0;
    if (want > best) want = best;
    atomic_store_explicit(&prnn_active, want, memory_order_relaxed);
    return (prnn_isa)want;
}

const char *prnn_isa_name(prnn_isa isa) {
    switch (isa) {
    case PRNN_ISA_AVX512: return "avx512";
    case PRNN_ISA_AVX2: return "avx2+fma";
    default: return "portable";
    }
}

void *prnn_alloc_aligned(size_t bytes) {
    void *p = NULL;
    if (posix_memalign(&p, 64, bytes ? bytes : 64) != 0) return NULL;
    return p;
}
void prnn_free_aligned(void *p) { free(p); }

void prnn_sgemm_k0(int M, int N, float *C, int ldc, int mode) {
    if (mode == PRNN_C_LOAD) return;
    for (int i = 0; i < M; i++) {
        float *c = C + (size_t)i * ldc;
        if (mode == PRNN_C_ADD) for (int j = 0; j < N; j++) c[j] = c[j] + 0.0f;  // −0 becomes +0, as the tiles add
        else memset(c, 0, (size_t)N * sizeof(float));
    }
}
void prnn_dgemm_k0(int M, int N, double *C, int ldc, int accumulate) {
    if (accumulate) return;
    for (int i = 0; i < M; i++) for (int j = 0; j < N; j++) C[(size_t)i * ldc + j] = 0.0;
}

// ---------------------------------------------------------------- packing (ISA-independent layout)
size_t prnn_sgemm_packed_b_count(int K, int N) {
    if (K <= 0 || N <= 0) return 0;
    return (size_t)K * (((size_t)N + 2 * PRNN_PACK_NR - 1) / (2 * PRNN_PACK_NR) * (2 * PRNN_PACK_NR));
}

void prnn_sgemm_pack_b(int K, int N, const float *B, int ldb, float *packed) {
    if (K <= 0 || N <= 0) return;
    int panels = (int)(prnn_sgemm_packed_b_count(K, N) / ((size_t)K * PRNN_PACK_NR));  // even: pairs
    for (int s = 0; s < panels; s++) {
        int j0 = s * PRNN_PACK_NR, w = N - j0 < PRNN_PACK_NR ? N - j0 : PRNN_PACK_NR;
        if (w < 0) w = 0;
        float *dst = packed + (size_t)s * K * PRNN_PACK_NR;
        for (int k = 0; k < K; k++) {
            float *d = dst + (size_t)k * PRNN_PACK_NR;
            if (w > 0) memcpy(d, B + (size_t)k * ldb + j0, (size_t)w * sizeof(float));
            if (w < PRNN_PACK_NR) memset(d + w, 0, (size_t)(PRNN_PACK_NR - w) * sizeof(float));
        }
    }
}

// ---------------------------------------------------------------- dispatching entry points
void prnn_sgemm(int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C, int ldc, int accumulate) {
    accumulate = accumulate != 0;  // the tiles' PRNN_C_ZERO or PRNN_C_LOAD
    if (M <= 0 || N <= 0) return;
    if (K <= 0) { prnn_sgemm_k0(M, N, C, ldc, accumulate); return; }
    switch (prnn_active_isa()) {
#if PRNN_X86
    case PRNN_ISA_AVX512: prnn_sgemm_avx512(M, N, K, A, lda, B, ldb, C, ldc, accumulate); return;
    case PRNN_ISA_AVX2: prnn_sgemm_avx2(M, N, K, A, lda, B, ldb, C, ldc, accumulate); return;
#endif
    default: prnn_sgemm_portable(M, N, K, A, lda, B, ldb, C, ldc, accumulate); return;
    }
}

/// Both packed entry points; `mode` one of PRNN_C_ZERO, _LOAD, _ADD.
static void sgemm_packed(int M, int N, int K, const float *A, int lda, const float *packed, float *C, int ldc,
                         int mode) {
    if (M <= 0 || N <= 0) return;
    if (K <= 0) { prnn_sgemm_k0(M, N, C, ldc, mode); return; }
    switch (prnn_active_isa()) {
#if PRNN_X86
    case PRNN_ISA_AVX512: prnn_sgemm_packed_avx512(M, N, K, A, lda, packed, C, ldc, mode); return;
    case PRNN_ISA_AVX2: prnn_sgemm_packed_avx2(M, N, K, A, lda, packed, C, ldc, mode); return;
#endif
    default: prnn_sgemm_packed_portable(M, N, K, A, lda, packed, C, ldc, mode); return;
    }
}

void prnn_sgemm_packed(int M, int N, int K, const float *A, int lda, const float *packed, float *C, int ldc, int accumulate) {
    sgemm_packed(M, N, K, A, lda, packed, C, ldc, accumulate ? PRNN_C_LOAD : PRNN_C_ZERO);
}

void prnn_sgemm_packed_add(int M, int N, int K, const float *A, int lda, const float *packed, float *C, int ldc) {
    sgemm_packed(M, N, K, A, lda, packed, C, ldc, PRNN_C_ADD);
}

void prnn_dgemm(int M, int N, int K, const double *A, int lda, const double *B, int ldb, double *C, int ldc, int accumulate) {
    if (M <= 0 || N <= 0) return;
    if (K <= 0) { prnn_dgemm_k0(M, N, C, ldc, accumulate); return; }
    switch (prnn_active_isa()) {
#if PRNN_X86
    case PRNN_ISA_AVX512: prnn_dgemm_avx512(M, N, K, A, lda, B, ldb, C, ldc, accumulate); return;
    case PRNN_ISA_AVX2: prnn_dgemm_avx2(M, N, K, A, lda, B, ldb, C, ldc, accumulate); return;
#endif
    default: prnn_dgemm_portable(M, N, K, A, lda, B, ldb, C, ldc, accumulate); return;
    }
}

void prnn_activation_f32(prnn_activation act, const float *x, float *y, size_t n) {
    if (n == 0) return;
    switch (prnn_active_isa()) {
#if PRNN_X86
    case PRNN_ISA_AVX512: prnn_activation_f32_avx512(act, x, y, n); return;
    case PRNN_ISA_AVX2: prnn_activation_f32_avx2(act, x, y, n); return;
#endif
    default: prnn_activation_f32_portable(act, x, y, n); return;
    }
}

void prnn_activation_f64(prnn_activation act, const double *x, double *y, size_t n) {
    if (n == 0) return;
    switch (prnn_active_isa()) {
#if PRNN_X86
    case PRNN_ISA_AVX512: prnn_activation_f64_avx512(act, x, y, n); return;
    case PRNN_ISA_AVX2: prnn_activation_f64_avx2(act, x, y, n); return;
#endif
    default: prnn_activation_f64_portable(act, x, y, n); return;
    }
}
