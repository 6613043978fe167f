// Per-thread GEMM scratch: allocated on a thread's first large product, grown when a larger one needs it, and reused,
// so a steady-state call (the same shapes every time step) allocates nothing. Freed by a pthread key destructor when
// the thread exits.
#include "prnn_internal.h"
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

typedef struct {
    void *base[PRNN_SCRATCH_SLOTS];
    size_t capacity[PRNN_SCRATCH_SLOTS];
} prnn_scratch_set;

// The set is malloc'd and reached through the key, not thread-local storage: Darwin frees an image's thread-locals in
// a key destructor that may run before ours.
static pthread_key_t prnn_scratch_key;
static int prnn_scratch_key_ok;
static pthread_once_t prnn_scratch_once = PTHREAD_ONCE_INIT;

static void prnn_scratch_release(void *set) {
    prnn_scratch_set *s = set;
    for (int i = 0; i < PRNN_SCRATCH_SLOTS; i++) prnn_free_aligned(s->base[i]);
    free(s);  // the key now holds NULL: a later use on this thread (another destructor) makes a new set
}

static void prnn_scratch_make_key(void) {
    prnn_scratch_key_ok = pthread_key_create(&prnn_scratch_key, prnn_scratch_release) == 0;
}

void *prnn_thread_scratch(int slot, size_t bytes) {
    pthread_once(&prnn_scratch_once, prnn_scratch_make_key);
    if (!prnn_scratch_key_ok) return NULL;
    prnn_scratch_set *s = pthread_getspecific(prnn_scratch_key);
    if (!s) {
        s = calloc(1, sizeof *s);
        if (!s) return NULL;
        if (pthread_setspecific(prnn_scratch_key, s) != 0) {
            free(s);
            return NULL;
        }
    }
    if (bytes <= s->capacity[slot]) return s->base[slot];
    size_t grown = s->capacity[slot] + s->capacity[slot] / 2;  // geometric growth: O(log) reallocations
    if (grown < bytes) grown = bytes;
    if (grown > SIZE_MAX - 4095) return NULL;
    grown = (grown + 4095) & ~(size_t)4095;
    void *p = prnn_alloc_aligned(grown);
    if (!p) return NULL;
    prnn_free_aligned(s->base[slot]);
    s->base[slot] = p;
    s->capacity[slot] = grown;
    return p;
}
