// AVX2+FMA activations: activation_impl.h on 8 float / 4 double lanes; tails through masked loads and stores.
#include "prnn_internal.h"

#if PRNN_X86
#include <immintrin.h>
#include <string.h>

#include "simd_avx2.h"
#include "activation_impl.h"
#define ACT_EXPORT PRNN_AVX2_TARGET
#define ACT_NAME(base) base##_avx2
#include "activation_loops.h"
#endif
