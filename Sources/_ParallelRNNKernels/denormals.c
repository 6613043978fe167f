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

// Shards on this thread (nested calls run shards inside shards) and its control word outside all of them.
static _Thread_local unsigned shard_depth;
static _Thread_local unsigned outside_csr;

unsigned prnn_shard_enter(void) {
#if PRNN_X86
    // The whole control word, not FTZ/DAZ or-ed into the caller's: round to nearest and every exception masked in every
    // shard, so that a caller's fesetround/feenableexcept cannot reach only the shard its own thread runs (as TF's pool).
    unsigned previous = _mm_getcsr();
    _mm_setcsr(0x9FC0u);
#else
    unsigned previous = 0;
#endif
    if (shard_depth++ == 0) outside_csr = previous;
    return previous;
}

void prnn_shard_exit(unsigned previous) {
    shard_depth--;
    prnn_flush_denormals_restore(previous);
}

int prnn_in_shard(void) { return shard_depth > 0; }

unsigned prnn_outside_shard_fp_enter(void) {
#if PRNN_X86
    unsigned current = _mm_getcsr();
    _mm_setcsr(outside_csr);
    return current;
#else
    return 0;
#endif
}
