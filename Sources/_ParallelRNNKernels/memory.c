// Buffers for tensors, packed weights and shard workspaces.
// - Large ones (≥ 4 MiB) are 2 MiB aligned and advised as transparent huge pages where the OS offers them (Linux,
//   THP "madvise" mode): a fresh 50 MiB result then costs 25 page faults instead of 12 800, and strided row writes
//   into it miss the TLB far less. Elsewhere, or when the advice is refused, they are ordinary pages.
// - Freed buffers above 128 KiB are kept for reuse (the 16 most recently released, at most 256 MiB in all, like the
//   caching allocators of other frameworks): a call that repeats the previous call's shapes then neither faults nor
//   has the kernel zero its results again (measured ≈ 3 % of a B512 T50 U512 LSTM call). Below 4 MiB they are sized
//   in whole 4 KiB pages. Left to glibc, they are mmapped afresh on some calls and not others, depending on its heap's
//   history (a w4 result of 4.1 MB: ≈ 250 page faults per call on average, where there had been none).
//   prnn_release_cached_buffers() returns them.
// - Small ones (≤ 128 KiB) freed on a thread are kept in that thread's own short list (the 8 most recently released,
//   512 KiB at most) and handed out again for the same 64-byte size class. A user step makes the same few tensors
//   every step; without the list each one is a posix_memalign and a free on glibc's slow path (chunks split, merged
//   and consolidated: ≈ 12 % of the w4 generic step, B32 U32, on Zen 3). The list is the thread's own, so it takes no
//   lock; it is emptied when the thread exits or calls prnn_release_cached_buffers().
#define _GNU_SOURCE
#include "prnn_internal.h"
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#define PRNN_HUGE ((size_t)2 << 20)
#define PRNN_LARGE_BUFFER ((size_t)4 << 20)
#define PRNN_CACHE_SLOTS 16
#define PRNN_CACHE_LIMIT ((size_t)256 << 20)

static struct { void *p; size_t bytes; unsigned long stamp; } cached[PRNN_CACHE_SLOTS];
static size_t cached_total;
static unsigned long cache_clock;  // insertion order: the oldest kept buffer makes room for a newly released one
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

#define PRNN_SMALL_MAX ((size_t)128 << 10)
#define PRNN_SMALL_SLOTS 8
#define PRNN_SMALL_LIMIT ((size_t)512 << 10)

typedef struct {
    void *p[PRNN_SMALL_SLOTS];
    size_t bytes[PRNN_SMALL_SLOTS];
    int count;
    size_t total;
} small_cache;

// Each thread's list is malloc'd and reached through a pthread key, not thread-local storage: Darwin frees an image's
// thread-locals in a key destructor that may run before ours. A list is made by the thread's first small allocation,
// not by a free, so buffers freed during the thread's teardown, after the destructor, go straight to free().
static pthread_key_t small_key;
static int small_key_ok;
static pthread_once_t small_once = PTHREAD_ONCE_INIT;

static size_t small_size(size_t bytes) { return (bytes + 63) & ~(size_t)63; }

static void drain_small(small_cache *c) {
    for (int i = 0; i < c->count; i++) free(c->p[i]);
    c->count = 0;
    c->total = 0;
}

static void small_thread_exit(void *c) {
    drain_small(c);
    free(c);
}

static void make_small_key(void) { small_key_ok = pthread_key_create(&small_key, small_thread_exit) == 0; }

/// The calling thread's list, made on first use when `create`; NULL when there is none (or no key).
static small_cache *thread_small(int create) {
    pthread_once(&small_once, make_small_key);
    if (!small_key_ok) return NULL;
    small_cache *c = pthread_getspecific(small_key);
    if (!c && create) {
        c = calloc(1, sizeof(small_cache));
        if (c && pthread_setspecific(small_key, c) != 0) {
            free(c);
            c = NULL;
        }
    }
    return c;
}

/// Removes entry i, keeping the others in release order (oldest first).
static void remove_small(small_cache *c, int i) {
    c->total -= c->bytes[i];
    c->count--;
    for (int j = i; j < c->count; j++) {
        c->p[j] = c->p[j + 1];
        c->bytes[j] = c->bytes[j + 1];
    }
}

static void *take_small(size_t size) {
    small_cache *c = thread_small(1);
    for (int i = c ? c->count - 1 : -1; i >= 0; i--) {  // the most recently released first
        if (c->bytes[i] != size) continue;
        void *p = c->p[i];
        remove_small(c, i);
        return p;
    }
    return prnn_alloc_aligned(size);
}

/// Keeps p, making room by freeing the oldest kept buffers (so a thread whose shapes change keeps its newest ones).
static void keep_small(void *p, size_t size) {
    small_cache *c = thread_small(0);
    if (!c) {
        free(p);
        return;
    }
    while (c->count == PRNN_SMALL_SLOTS || c->total + size > PRNN_SMALL_LIMIT) {
        free(c->p[0]);
        remove_small(c, 0);
    }
    c->p[c->count] = p;
    c->bytes[c->count] = size;
    c->count++;
    c->total += size;
}

/// Kept buffers' size classes: whole huge pages from 4 MiB (equal shapes and nearby ones share a class), whole 4 KiB
/// pages below; 0 when the size cannot be rounded (only a caller's bug asks for that much).
static size_t large_size(size_t bytes) {
    size_t unit = bytes >= PRNN_LARGE_BUFFER ? PRNN_HUGE : 4096;
    if (bytes > SIZE_MAX - (unit - 1)) return 0;
    return (bytes + unit - 1) & ~(unit - 1);
}

void *prnn_alloc_buffer(size_t bytes) {
    if (bytes <= PRNN_SMALL_MAX) return take_small(small_size(bytes));
    size_t size = large_size(bytes);
    if (size == 0) return NULL;
    void *p = NULL;
    pthread_mutex_lock(&cache_lock);
    for (int i = 0; i < PRNN_CACHE_SLOTS; i++) {
        if (cached[i].p && cached[i].bytes == size) {
            p = cached[i].p;
            cached[i].p = NULL;
            cached_total -= size;
            break;
        }
    }
    pthread_mutex_unlock(&cache_lock);
    if (p) return p;
    // By the class, not the request: a request just under 4 MiB rounds up to the 4 MiB class, and every buffer of
    // that class, cached and handed to a later 4 MiB request, must be huge-page aligned.
    if (size < PRNN_LARGE_BUFFER) return prnn_alloc_aligned(size);
    if (posix_memalign(&p, PRNN_HUGE, size) != 0) return NULL;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    (void)madvise(p, size, MADV_HUGEPAGE);
#endif
    return p;
}

/// The slot of the oldest kept buffer (-1 if none).
static int oldest_slot(void) {
    int oldest = -1;
    for (int i = 0; i < PRNN_CACHE_SLOTS; i++)
        if (cached[i].p && (oldest < 0 || cached[i].stamp < cached[oldest].stamp)) oldest = i;
    return oldest;
}

void prnn_free_buffer(void *p, size_t bytes) {
    if (!p) return;
    if (bytes <= PRNN_SMALL_MAX) { keep_small(p, small_size(bytes)); return; }
    size_t size = large_size(bytes);
    void *evicted[PRNN_CACHE_SLOTS];
    int n_evicted = 0;
    pthread_mutex_lock(&cache_lock);
    if (size <= PRNN_CACHE_LIMIT) {
        // Keep the newest buffers: evict the oldest until this one fits (slot count and byte limit).
        for (;;) {
            int free_slot = -1;
            for (int i = 0; i < PRNN_CACHE_SLOTS && free_slot < 0; i++) if (!cached[i].p) free_slot = i;
            if (free_slot >= 0 && cached_total + size <= PRNN_CACHE_LIMIT) {
                cached[free_slot].p = p;
                cached[free_slot].bytes = size;
                cached[free_slot].stamp = ++cache_clock;
                cached_total += size;
                p = NULL;
                break;
            }
            int victim = oldest_slot();
            if (victim < 0) break;
            evicted[n_evicted++] = cached[victim].p;
            cached_total -= cached[victim].bytes;
            cached[victim].p = NULL;
        }
    }
    pthread_mutex_unlock(&cache_lock);
    for (int i = 0; i < n_evicted; i++) free(evicted[i]);
    free(p);
}

void prnn_release_cached_buffers(void) {
    small_cache *small = thread_small(0);
    if (small) drain_small(small);
    pthread_mutex_lock(&cache_lock);
    for (int i = 0; i < PRNN_CACHE_SLOTS; i++) {
        free(cached[i].p);
        cached[i].p = NULL;
    }
    cached_total = 0;
    pthread_mutex_unlock(&cache_lock);
}

size_t prnn_cached_buffer_bytes(void) {
    pthread_mutex_lock(&cache_lock);
    size_t total = cached_total;
    pthread_mutex_unlock(&cache_lock);
    return total;
}

size_t prnn_thread_cached_small_bytes(void) {
    small_cache *c = thread_small(0);
    return c ? c->total : 0;
}
