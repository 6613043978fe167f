#ifndef PARALLELRNN_CHWLOC_SHIM_H
#define PARALLELRNN_CHWLOC_SHIM_H
// hwloc for Swift. Enum flags import as structs and function-like macros do not import at all, so the calls
// ParallelRNN's scheduler needs are wrapped here as static inline functions with plain C types.
#include <hwloc.h>

// Glibc's Swift module is built without _GNU_SOURCE: declare what we need.
extern int sched_getcpu(void);

/// Binds the calling thread (only) to `set`. Returns 0, or -1 with errno set (e.g. EPERM, EINVAL, ENOSYS).
static inline int prnn_hwloc_bind_thread(hwloc_topology_t topology, hwloc_const_cpuset_t set) {
    return hwloc_set_cpubind(topology, set, HWLOC_CPUBIND_THREAD);
}

/// Writes the calling thread's current binding into `set`. Returns 0, or -1 with errno set.
static inline int prnn_hwloc_get_thread_binding(hwloc_topology_t topology, hwloc_cpuset_t set) {
    return hwloc_get_cpubind(topology, set, HWLOC_CPUBIND_THREAD);
}

/// Writes the whole process's binding (union over its threads on Linux) into `set`. Returns 0, or -1.
static inline int prnn_hwloc_get_process_binding(hwloc_topology_t topology, hwloc_cpuset_t set) {
    return hwloc_get_cpubind(topology, set, HWLOC_CPUBIND_PROCESS);
}

/// Size in bytes of a cache object (0 when hwloc does not know it or `obj` is not a cache).
static inline unsigned long long prnn_hwloc_cache_size(hwloc_obj_t obj) {
    if (obj == NULL || obj->attr == NULL || !hwloc_obj_type_is_cache(obj->type)) return 0;
    return (unsigned long long)obj->attr->cache.size;
}

/// Local memory in bytes of a NUMA node object (0 when unknown).
static inline unsigned long long prnn_hwloc_numa_memory(hwloc_obj_t obj) {
    if (obj == NULL || obj->attr == NULL || obj->type != HWLOC_OBJ_NUMANODE) return 0;
    return (unsigned long long)obj->attr->numanode.local_memory;
}

#endif
