// Fused cell gate kernels (gates_impl.h) on one lane; the reference every ISA path equals bit for bit.
#include "prnn_internal.h"

#include "simd_portable.h"
#define GATES_FN static inline
#define GATES_OUTLINE_FN static __attribute__((noinline))
#define GATES_EXPORT(name) void name##_portable
#ifndef GATES_K  // -DGATES_K=n to experiment
#define GATES_K 2
#endif
#include "activation_impl.h"
#include "gates_impl.h"

