// <immintrin.h> for Scripts/emulate-avx512: the AVX-512 intrinsics the kernels use, from SIMDe (portable C), with
// fused multiply-adds that really fuse (SIMDe's fallback multiplies and adds, which would not match the hardware).
#ifndef PRNN_EMULATED_IMMINTRIN_H
#define PRNN_EMULATED_IMMINTRIN_H
#define SIMDE_ENABLE_NATIVE_ALIASES
// Newer clangs declare __m128bh in <emmintrin.h>, which SIMDe's aliases would redefine.
#include <emmintrin.h>
#define __m128bh prnn_emu_m128bh
#define __m256bh prnn_emu_m256bh
#define __m512bh prnn_emu_m512bh
#include <simde/x86/avx512.h>
#include <math.h>

static inline simde__m512 prnn_emu_fmadd_ps(simde__m512 a, simde__m512 b, simde__m512 c) {
    simde__m512_private a_ = simde__m512_to_private(a), b_ = simde__m512_to_private(b), c_ = simde__m512_to_private(c);
    for (int i = 0; i < 16; i++) c_.f32[i] = fmaf(a_.f32[i], b_.f32[i], c_.f32[i]);
    return simde__m512_from_private(c_);
}
static inline simde__m512d prnn_emu_fmadd_pd(simde__m512d a, simde__m512d b, simde__m512d c) {
    simde__m512d_private a_ = simde__m512d_to_private(a), b_ = simde__m512d_to_private(b), c_ = simde__m512d_to_private(c);
    for (int i = 0; i < 8; i++) c_.f64[i] = fma(a_.f64[i], b_.f64[i], c_.f64[i]);
    return simde__m512d_from_private(c_);
}
// Not aliased by SIMDe 0.7: the mask types, the compare predicates, the masked loads and stores (written lane by lane,
// so an emulated masked access touches only the active lanes, as the hardware's fault suppression does).
typedef simde__mmask16 __mmask16;
typedef simde__mmask8 __mmask8;
#ifndef _CMP_LT_OQ
#define _CMP_LT_OQ SIMDE_CMP_LT_OQ
#endif
#ifndef _CMP_UNORD_Q
#define _CMP_UNORD_Q SIMDE_CMP_UNORD_Q
#endif
static inline simde__m512 _mm512_maskz_loadu_ps(__mmask16 m, const void *p) {
    simde__m512_private r_ = simde__m512_to_private(simde_mm512_setzero_ps());
    for (int i = 0; i < 16; i++) if ((m >> i) & 1) r_.f32[i] = ((const float *)p)[i];
    return simde__m512_from_private(r_);
}
static inline simde__m512d _mm512_maskz_loadu_pd(__mmask8 m, const void *p) {
    simde__m512d_private r_ = simde__m512d_to_private(simde_mm512_setzero_pd());
    for (int i = 0; i < 8; i++) if ((m >> i) & 1) r_.f64[i] = ((const double *)p)[i];
    return simde__m512d_from_private(r_);
}
static inline void _mm512_mask_storeu_ps(void *p, __mmask16 m, simde__m512 v) {
    simde__m512_private v_ = simde__m512_to_private(v);
    for (int i = 0; i < 16; i++) if ((m >> i) & 1) ((float *)p)[i] = v_.f32[i];
}
static inline void _mm512_mask_storeu_pd(void *p, __mmask8 m, simde__m512d v) {
    simde__m512d_private v_ = simde__m512d_to_private(v);
    for (int i = 0; i < 8; i++) if ((m >> i) & 1) ((double *)p)[i] = v_.f64[i];
}
#undef _mm512_fmadd_ps
#undef _mm512_fmadd_pd
#define _mm512_fmadd_ps prnn_emu_fmadd_ps
#define _mm512_fmadd_pd prnn_emu_fmadd_pd
#endif
