// Fused cell gate kernels (gates_impl.h) on 16 lanes (AVX-512); loop tails use masked loads and stores.
#include "prnn_internal.h"
#if PRNN_X86
#include "simd_avx512.h"
#define GATES_FN PRNN_INLINE PRNN_AVX512_TARGET
#define GATES_OUTLINE_FN static __attribute__((noinline)) PRNN_AVX512_TARGET
#define GATES_EXPORT(name) PRNN_AVX512_TARGET void name##_avx512
#ifndef GATES_K  // -DGATES_K=n to experiment
#define GATES_K 1
#endif
#include "activation_impl.h"
#include "gates_impl.h"
#endif
