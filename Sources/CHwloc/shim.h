#ifndef PARALLELRNN_CHWLOC_SHIM_H
#define PARALLELRNN_CHWLOC_SHIM_H
#include <hwloc.h>
// Glibc's Swift module is built without _GNU_SOURCE: declare what we need.
extern int sched_getcpu(void);
#endif
