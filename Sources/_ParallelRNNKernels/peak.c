// FP32 FMA peak probe (see prnn_peak.h). Every chain is acc = acc · m + a with m = 0.9999, a = 0.001: it converges
// to 10, never overflows and never produces denormals.
#include "prnn_peak.h"
#include <math.h>

#define PEAK_MUL 0.9999f
#define PEAK_ADD 0.001f

#if defined(__x86_64__)

#define FMA512(r) "vfmadd213ps %%zmm31, %%zmm30, %%zmm" #r "\n\t"
#define STORE512(r, off) "vmovups %%zmm" #r ", " #off "(%[out])\n\t"

__attribute__((target("avx512f")))
static void peak_avx512(long long iterations, float *out /* 256 floats */) {
    if (iterations <= 0) iterations = 1;
    const float mul = PEAK_MUL, add = PEAK_ADD;
    __asm__ volatile(
        "vbroadcastss %[m], %%zmm30\n\t"
        "vbroadcastss %[a], %%zmm31\n\t"
        "vpxord %%zmm0, %%zmm0, %%zmm0\n\t"
        "vmovaps %%zmm0, %%zmm1\n\t" "vmovaps %%zmm0, %%zmm2\n\t" "vmovaps %%zmm0, %%zmm3\n\t"
        "vmovaps %%zmm0, %%zmm4\n\t" "vmovaps %%zmm0, %%zmm5\n\t" "vmovaps %%zmm0, %%zmm6\n\t"
        "vmovaps %%zmm0, %%zmm7\n\t" "vmovaps %%zmm0, %%zmm8\n\t" "vmovaps %%zmm0, %%zmm9\n\t"
        "vmovaps %%zmm0, %%zmm10\n\t" "vmovaps %%zmm0, %%zmm11\n\t" "vmovaps %%zmm0, %%zmm12\n\t"
        "vmovaps %%zmm0, %%zmm13\n\t" "vmovaps %%zmm0, %%zmm14\n\t" "vmovaps %%zmm0, %%zmm15\n\t"
        ".p2align 5\n"
        "1:\n\t"
        FMA512(0) FMA512(1) FMA512(2) FMA512(3) FMA512(4) FMA512(5) FMA512(6) FMA512(7)
        FMA512(8) FMA512(9) FMA512(10) FMA512(11) FMA512(12) FMA512(13) FMA512(14) FMA512(15)
        "dec %[n]\n\t"
        "jnz 1b\n\t"
        STORE512(0, 0) STORE512(1, 64) STORE512(2, 128) STORE512(3, 192)
        STORE512(4, 256) STORE512(5, 320) STORE512(6, 384) STORE512(7, 448)
        STORE512(8, 512) STORE512(9, 576) STORE512(10, 640) STORE512(11, 704)
        STORE512(12, 768) STORE512(13, 832) STORE512(14, 896) STORE512(15, 960)
        "vzeroupper\n\t"
        : [n] "+r"(iterations)
        : [m] "m"(mul), [a] "m"(add), [out] "r"(out)
        : "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
          "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "xmm30", "xmm31");
}

#define FMA256(r) "vfmadd213ps %%ymm15, %%ymm14, %%ymm" #r "\n\t"
#define STORE256(r, off) "vmovups %%ymm" #r ", " #off "(%[out])\n\t"

__attribute__((target("avx2,fma")))
static void peak_avx2(long long iterations, float *out /* 96 floats */) {
    if (iterations <= 0) iterations = 1;
    const float mul = PEAK_MUL, add = PEAK_ADD;
    __asm__ volatile(
        "vbroadcastss %[m], %%ymm14\n\t"
        "vbroadcastss %[a], %%ymm15\n\t"
        "vxorps %%ymm0, %%ymm0, %%ymm0\n\t"
        "vmovaps %%ymm0, %%ymm1\n\t" "vmovaps %%ymm0, %%ymm2\n\t" "vmovaps %%ymm0, %%ymm3\n\t"
        "vmovaps %%ymm0, %%ymm4\n\t" "vmovaps %%ymm0, %%ymm5\n\t" "vmovaps %%ymm0, %%ymm6\n\t"
        "vmovaps %%ymm0, %%ymm7\n\t" "vmovaps %%ymm0, %%ymm8\n\t" "vmovaps %%ymm0, %%ymm9\n\t"
        "vmovaps %%ymm0, %%ymm10\n\t" "vmovaps %%ymm0, %%ymm11\n\t"
        ".p2align 5\n"
        "1:\n\t"
        FMA256(0) FMA256(1) FMA256(2) FMA256(3) FMA256(4) FMA256(5)
        FMA256(6) FMA256(7) FMA256(8) FMA256(9) FMA256(10) FMA256(11)
        "dec %[n]\n\t"
        "jnz 1b\n\t"
        STORE256(0, 0) STORE256(1, 32) STORE256(2, 64) STORE256(3, 96) STORE256(4, 128) STORE256(5, 160)
        STORE256(6, 192) STORE256(7, 224) STORE256(8, 256) STORE256(9, 288) STORE256(10, 320) STORE256(11, 352)
        "vzeroupper\n\t"
        : [n] "+r"(iterations)
        : [m] "m"(mul), [a] "m"(add), [out] "r"(out)
        : "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
          "xmm10", "xmm11", "xmm14", "xmm15");
}
#endif

#define PORTABLE_CHAINS 16

static void peak_portable(long long iterations, float *out /* 16 floats */) {
    if (iterations <= 0) iterations = 1;
    volatile float vm = PEAK_MUL, va = PEAK_ADD;  // not constant-folded
    const float m = vm, a = va;
    float acc[PORTABLE_CHAINS] = {0};
    for (long long n = 0; n < iterations; n++) {
        for (int j = 0; j < PORTABLE_CHAINS; j++) acc[j] = fmaf(acc[j], m, a);
    }
    for (int j = 0; j < PORTABLE_CHAINS; j++) out[j] = acc[j];
}

static prnn_isa peak_clamp(prnn_isa isa) {
    prnn_isa detected = prnn_detected_isa();
    return isa > detected ? detected : isa;
}

long long prnn_peak_flops_per_iteration(prnn_isa isa) {
    switch (peak_clamp(isa)) {
    case PRNN_ISA_AVX512: return 16LL * 16 * 2;
    case PRNN_ISA_AVX2: return 12LL * 8 * 2;
    default: return PORTABLE_CHAINS * 2;
    }
}

double prnn_peak_fma_f32(prnn_isa isa, long long iterations, prnn_isa *isa_used) {
    float out[256] = {0};
    int lanes;
    prnn_isa used = peak_clamp(isa);
    switch (used) {
#if defined(__x86_64__)
    case PRNN_ISA_AVX512: peak_avx512(iterations, out); lanes = 256; break;
    case PRNN_ISA_AVX2: peak_avx2(iterations, out); lanes = 96; break;
#endif
    default: used = PRNN_ISA_PORTABLE; peak_portable(iterations, out); lanes = PORTABLE_CHAINS; break;
    }
    if (isa_used) *isa_used = used;
    double sum = 0;
    for (int i = 0; i < lanes; i++) sum += out[i];
    return sum;
}
