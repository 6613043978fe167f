// The AVX-512 gate kernels again, handing the cell formulas 2 vectors at a time (GATES_K 2) where gates_avx512.c
// hands them 1: more independent dependency chains, more registers (llvm-mca's Zen 4 model prefers 1, Zen 3's AVX2
// measured 2 best). prnn_avx512_tune() times both on the machine and keeps the faster; the same bits either way.
#include "prnn_internal.h"
#if PRNN_X86
#include "simd_avx512.h"
#define GATES_FN PRNN_INLINE PRNN_AVX512_TARGET
#define GATES_OUTLINE_FN static __attribute__((noinline)) PRNN_AVX512_TARGET
#define GATES_EXPORT(name) PRNN_AVX512_TARGET void name##_avx512k2
#define GATES_K 2
#include "activation_impl.h"
#include "gates_impl.h"
#endif
