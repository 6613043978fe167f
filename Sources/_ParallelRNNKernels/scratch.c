// Per-thread GEMM scratch: allocated on a thread's first large product, grown when a larger one needs it, and reused,
// so a steady-state call (the same shapes every time step) allocates nothing. Freed by a pthread key destructor when
// the thread exits.
#include "prnn_internal.h"
#include <pthread.h>
#include <stdlib.h>

typedef struct {
    void *base[PRNN_SCRATCH_SLOTS];
    size_t capacity[PRNN_SCRATCH_SLOTS];
} prnn_scratch_set;

static _Thread_local prnn_scratch_set prnn_scratch;
static _Thread_local int prnn_scratch_registered;
static pthread_key_t prnn_scratch_key;
static pthread_once_t prnn_scratch_once = PTHREAD_ONCE_INIT;

static void prnn_scratch_release(void *set) {
    prnn_scratch_set *s = set;
    for (int i = 0; i < PRNN_SCRATCH_SLOTS; i++) {
        prnn_free_aligned(s->base[i]);
        s->base[i] = NULL;
        s->capacity[i] = 0;
    }
    prnn_scratch_registered = 0;  // runs on the exiting thread: a later use (another destructor) registers again
}

static void prnn_scratch_make_key(void) { (void)pthread_key_create(&prnn_scratch_key, prnn_scratch_release); }

void *prnn_thread_scratch(int slot, size_t bytes) {
    prnn_scratch_set *s = &prnn_scratch;
    if (bytes <= s->capacity[slot]) return s->base[slot];
    if (!prnn_scratch_registered) {
        pthread_once(&prnn_scratch_once, prnn_scratch_make_key);
        if (pthread_setspecific(prnn_scratch_key, s) != 0) return NULL;
        prnn_scratch_registered = 1;
    }
    size_t grown = s->capacity[slot] + s->capacity[slot] / 2;  // geometric growth: O(log) reallocations
    if (grown < bytes) grown = bytes;
    grown = (grown + 4095) & ~(size_t)4095;
    void *p = prnn_alloc_aligned(grown);
    if (!p) return NULL;
    prnn_free_aligned(s->base[slot]);
    s->base[slot] = p;
    s->capacity[slot] = grown;
    return p;
}
