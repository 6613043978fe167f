// Flush-to-zero / denormals-are-zero on the calling thread (MXCSR bits 15 and 6). TensorFlow runs its kernels the same way.
#include "prnn_internal.h"

#if PRNN_X86
#include <xmmintrin.h>
unsigned prnn_flush_denormals_enter(void) {
    unsigned previous = _mm_getcsr();
    _mm_setcsr(previous | 0x8040u);
    return previous;
}
void prnn_flush_denormals_restore(unsigned previous) { _mm_setcsr(previous); }
#else
unsigned prnn_flush_denormals_enter(void) { return 0; }
void prnn_flush_denormals_restore(unsigned previous) { (void)previous; }
#endif
