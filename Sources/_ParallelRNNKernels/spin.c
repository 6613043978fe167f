// A spin-wait hint for the executor's brief spin before it blocks.
#include "prnn_internal.h"

#if PRNN_X86
#include <immintrin.h>
void prnn_cpu_relax(void) { _mm_pause(); }
#elif defined(__aarch64__)
void prnn_cpu_relax(void) { __asm__ __volatile__("yield"); }
#else
void prnn_cpu_relax(void) {}
#endif
