// AVX-512 activations: activation_impl.h on 16 float / 8 double lanes; tails through masked loads and stores.
#include "prnn_internal.h"

#if PRNN_X86
#include <immintrin.h>
#include <string.h>

#include "simd_avx512.h"
#include "activation_impl.h"
#define ACT_EXPORT PRNN_AVX512_TARGET
#define ACT_NAME(base) base##_avx512
#include "activation_loops.h"
#endif
