#ifndef PRNN_PEAK_H
#define PRNN_PEAK_H
// FP32 FMA peak probe for `parallel-rnn peak`: independent FMA chains in registers, no memory traffic.
// Uses the kernels' run-time ISA choice (prnn_active_isa): AVX-512 (16 × 16-lane chains), AVX2+FMA
// (12 × 8-lane chains) or portable scalar fmaf (16 chains). The x86 loops are inline assembly inside
// __attribute__((target(...))) functions, so the measurement does not depend on the C optimisation level.
#include "prnn_kernels.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Floating-point operations (an FMA counts 2) that one iteration of prnn_peak_fma_f32 performs with `isa`.
long long prnn_peak_flops_per_iteration(prnn_isa isa);

/// Runs `iterations` rounds of the FMA chains for `isa` (clamped to prnn_detected_isa()) and returns the sum of the
/// accumulators (finite, about 10 per lane), so the work cannot be optimised away. `isa_used` (may be NULL)
/// receives the ISA that ran.
double prnn_peak_fma_f32(prnn_isa isa, long long iterations, prnn_isa *isa_used);

#ifdef __cplusplus
}
#endif
#endif
