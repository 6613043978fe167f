// Portable activations: activation_impl.h on one lane. Bit-for-bit the same results as the AVX2/AVX-512 paths.
#include "prnn_internal.h"
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "simd_portable.h"
#include "activation_impl.h"
#define ACT_EXPORT
#define ACT_NAME(base) base##_portable
#include "activation_loops.h"
