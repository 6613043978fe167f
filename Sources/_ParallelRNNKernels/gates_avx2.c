// Fused cell gate kernels (gates_impl.h) on 8 lanes (AVX2+FMA); loop tails use masked loads and stores.
#include "prnn_internal.h"
#if PRNN_X86
#include "simd_avx2.h"
#define GATES_FN PRNN_INLINE PRNN_AVX2_TARGET
#define GATES_OUTLINE_FN static __attribute__((noinline)) PRNN_AVX2_TARGET
#define GATES_EXPORT(name) PRNN_AVX2_TARGET void name##_avx2
#ifndef GATES_K  // -DGATES_K=n to experiment
#define GATES_K 2
#endif
#include "activation_impl.h"
#include "gates_impl.h"
#endif
