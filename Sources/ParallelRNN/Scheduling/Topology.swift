import CHwloc
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One core the process may use, as the scheduler binds to it.
///
/// The scheduler binds to a single processing unit (hardware thread) per physical core, so `sched_getcpu()` on a
/// pinned thread reports `osIndex`.
package struct Core: @unchecked Sendable, Equatable, CustomStringConvertible {
    /// Position in ``Topology/cores`` (shard `i` of a pinned plan runs on core `i mod coreCount`).
    package let index: Int
    /// OS index of the chosen processing unit (what `sched_getcpu()` and `taskset` call a CPU).
    package let osIndex: Int
    /// hwloc bitmap holding `osIndex` only; allocated once, owned and freed by the ``Topology``. Read-only.
    package let cpuset: hwloc_bitmap_t

    package var description: String { "core \(index) (PU \(osIndex))" }
}

/// The machine's topology as hwloc sees it, restricted to what this process may use.
///
/// Loaded once per process by ``shared()`` (thread-safe, lazily, never destroyed); other instances exist only for
/// tests. All members are immutable after `init`, so a `Topology` is safe to use from any thread: hwloc documents
/// binding calls on a loaded topology as thread-safe.
package final class Topology: @unchecked Sendable {
    private let handle: hwloc_topology_t
    private let allowedSet: hwloc_bitmap_t
    private let refusesBinding: Bool

    /// One processing unit per physical core the process may use (allowed cpuset ∩ process affinity), in OS order.
    package let cores: [Core]
    /// What `parallel-rnn topology` prints.
    package let summary: TopologySummary

    /// The number of cores the process may use (≥ 1).
    package var coreCount: Int { cores.count }

    /// `coreIndexByCPU[os]` = index in ``cores`` of the core whose chosen PU has OS index `os`, else -1.
    private let coreIndexByCPU: [Int]

    /// The index in ``cores`` of the core bound to PU `cpu` (e.g. `Topology.currentCPU()`), or nil.
    package func coreIndex(ofCPU cpu: Int) -> Int? {
        guard cpu >= 0, cpu < coreIndexByCPU.count, coreIndexByCPU[cpu] >= 0 else { return nil }
        return coreIndexByCPU[cpu]
    }

    /// OS indices of every processing unit the process may use (allowed cpuset ∩ process affinity), ascending.
    package var allowedOSIndices: [Int] { Self.osIndices(of: allowedSet) }

    private static let loaded = Result<Topology, RNNError> { () throws(RNNError) -> Topology in try Topology() }

    /// The process-wide topology, loaded on first use. Throws ``RNNError/topology(_:)`` when hwloc cannot load it
    /// (the error is remembered: later calls throw it again without retrying).
    package static func shared() throws(RNNError) -> Topology { try loaded.get() }

    /// ``shared()``, or nil after writing a one-time diagnostic to stderr: callers then run unpinned.
    package static var sharedIfAvailable: Topology? {
        switch loaded {
        case let .success(topology):
            return topology
        case let .failure(error):
            SchedulingDiagnostic.topologyUnavailable.emitOnce("\(error.description); running unpinned")
            return nil
        }
    }

    /// Loads a fresh topology. `refusingBinding` makes ``bindCurrentThread(toCore:)`` behave as on a machine whose OS
    /// refuses thread binding (tests of the unpinned fallback).
    package init(refusingBinding: Bool = false) throws(RNNError) {
        var maybeHandle: hwloc_topology_t?
        guard hwloc_topology_init(&maybeHandle) == 0, let handle = maybeHandle else {
            throw .topology("hwloc_topology_init failed (errno \(errno))")
        }
        guard hwloc_topology_load(handle) == 0 else {
            let code = errno
            hwloc_topology_destroy(handle)
            throw .topology("hwloc_topology_load failed (errno \(code))")
        }
        guard let allowed = Self.allowedCPUSet(handle) else {
            hwloc_topology_destroy(handle)
            throw .topology("no processing unit is allowed for this process")
        }
        let cores = Self.chooseCores(handle, allowed: allowed)
        guard !cores.isEmpty else {
            hwloc_bitmap_free(allowed)
            hwloc_topology_destroy(handle)
            throw .topology("no core is allowed for this process")
        }
        self.handle = handle
        self.allowedSet = allowed
        self.cores = cores
        var byCPU = [Int](repeating: -1, count: (cores.map(\.osIndex).max() ?? 0) + 1)
        for core in cores { byCPU[core.osIndex] = core.index }
        self.coreIndexByCPU = byCPU
        self.refusesBinding = refusingBinding
        self.summary = TopologySummary(handle, allowed: allowed, cores: cores)
    }

    deinit {
        for core in cores { hwloc_bitmap_free(core.cpuset) }
        hwloc_bitmap_free(allowedSet)
        hwloc_topology_destroy(handle)
    }

    /// Binds the calling thread to core `i mod coreCount` (negative `i` wrap too) after saving its current binding.
    ///
    /// Returns the token that restores the saved binding — call ``ThreadBinding/restore()`` on the same thread before
    /// it goes back to a pool — or nil when the OS refuses (then a one-time diagnostic goes to stderr and the caller
    /// runs unpinned).
    package func bindCurrentThread(toCore i: Int) -> ThreadBinding? {
        let core = cores[((i % coreCount) + coreCount) % coreCount]
        guard !refusesBinding else {
            SchedulingDiagnostic.bindingRefused.emitOnce("binding a thread to \(core) was refused (simulated); running unpinned")
            return nil
        }
        let saved = hwloc_bitmap_alloc()!
        guard prnn_hwloc_get_thread_binding(handle, saved) == 0 else {
            let code = errno
            hwloc_bitmap_free(saved)
            SchedulingDiagnostic.bindingRefused.emitOnce("reading a thread's binding failed (errno \(code)); running unpinned")
            return nil
        }
        guard prnn_hwloc_bind_thread(handle, core.cpuset) == 0 else {
            let code = errno
            hwloc_bitmap_free(saved)
            SchedulingDiagnostic.bindingRefused.emitOnce("binding a thread to \(core) was refused (errno \(code)); running unpinned")
            return nil
        }
        return ThreadBinding(topology: self, core: core, saved: saved)
    }

    /// Widens the calling thread's binding to every processing unit the process may use when it is narrower now (a
    /// pinned shard's thread), saving the current one; nil when it is not narrower or the OS refuses (no diagnostic:
    /// the caller goes on as it was).
    package func widenCurrentThread() -> ThreadBinding? {
        let saved = hwloc_bitmap_alloc()!
        guard prnn_hwloc_get_thread_binding(handle, saved) == 0, hwloc_bitmap_isequal(saved, allowedSet) == 0,
              prnn_hwloc_bind_thread(handle, allowedSet) == 0 else {
            hwloc_bitmap_free(saved)
            return nil
        }
        return ThreadBinding(topology: self, core: nil, saved: saved)
    }

    /// OS indices of the processing units the calling thread may run on now, or nil if hwloc cannot tell.
    package func currentThreadBinding() -> [Int]? {
        let set = hwloc_bitmap_alloc()!
        defer { hwloc_bitmap_free(set) }
        guard prnn_hwloc_get_thread_binding(handle, set) == 0 else { return nil }
        return Self.osIndices(of: set)
    }

    /// The OS index of the processing unit the calling thread runs on right now (`sched_getcpu()`), or -1.
    package static func currentCPU() -> Int { Int(sched_getcpu()) }

    /// Sets the calling thread's binding to `set` (used by ``ThreadBinding``).
    fileprivate func bindCurrentThread(to set: hwloc_const_bitmap_t) -> Bool {
        prnn_hwloc_bind_thread(handle, set) == 0
    }

    // MARK: - Loading

    /// The allowed cpuset (cgroup cpusets, offline CPUs removed) ∩ the process's affinity (`taskset`,
    /// `sched_setaffinity`). Falls back to the allowed cpuset alone when hwloc cannot read the affinity.
    private static func allowedCPUSet(_ handle: hwloc_topology_t) -> hwloc_bitmap_t? {
        let allowed = hwloc_bitmap_dup(hwloc_topology_get_allowed_cpuset(handle))!
        let affinity = hwloc_bitmap_alloc()!
        defer { hwloc_bitmap_free(affinity) }
        if prnn_hwloc_get_process_binding(handle, affinity) == 0, hwloc_bitmap_intersects(allowed, affinity) != 0 {
            hwloc_bitmap_and(allowed, allowed, affinity)
        }
        guard hwloc_bitmap_iszero(allowed) == 0 else {
            hwloc_bitmap_free(allowed)
            return nil
        }
        return allowed
    }

    /// The first allowed PU of every core with one, sorted by OS index (PUs themselves when hwloc knows no cores).
    private static func chooseCores(_ handle: hwloc_topology_t, allowed: hwloc_bitmap_t) -> [Core] {
        let type = hwloc_get_nbobjs_by_type(handle, HWLOC_OBJ_CORE) > 0 ? HWLOC_OBJ_CORE : HWLOC_OBJ_PU
        var chosen: [Int] = []
        let scratch = hwloc_bitmap_alloc()!
        defer { hwloc_bitmap_free(scratch) }
        var object = hwloc_get_next_obj_by_type(handle, type, nil)
        while let current = object {
            if let cpuset = current.pointee.cpuset {
                hwloc_bitmap_and(scratch, cpuset, allowed)
                let first = hwloc_bitmap_first(scratch)
                if first >= 0 { chosen.append(Int(first)) }
            }
            object = hwloc_get_next_obj_by_type(handle, type, current)
        }
        return chosen.sorted().enumerated().map { index, osIndex in
            let set = hwloc_bitmap_alloc()!
            hwloc_bitmap_only(set, UInt32(osIndex))
            return Core(index: index, osIndex: osIndex, cpuset: set)
        }
    }

    /// OS indices set in `set`, ascending (an infinite set is cut at its last explicitly set index).
    package static func osIndices(of set: hwloc_const_bitmap_t) -> [Int] {
        var out: [Int] = []
        var next = hwloc_bitmap_first(set)
        while next >= 0 {
            out.append(Int(next))
            next = hwloc_bitmap_next(set, next)
        }
        return out
    }
}

/// Restores the binding a thread had before ``Topology/bindCurrentThread(toCore:)`` (or
/// ``Topology/widenCurrentThread()``).
///
/// Not Sendable: it belongs to the thread that was bound, and ``restore()`` must run on that thread.
package final class ThreadBinding {
    private let topology: Topology
    private let saved: hwloc_bitmap_t
    private var restored = false
    /// The core the thread is bound to until ``restore()`` (nil: every allowed processing unit).
    package let core: Core?

    fileprivate init(topology: Topology, core: Core?, saved: hwloc_bitmap_t) {
        self.topology = topology
        self.core = core
        self.saved = saved
    }

    deinit { hwloc_bitmap_free(saved) }

    /// Puts the saved binding back on the calling thread (idempotent). Returns false (after a one-time diagnostic) if
    /// the OS refused.
    @discardableResult
    package func restore() -> Bool {
        guard !restored else { return true }
        restored = true
        guard topology.bindCurrentThread(to: saved) else {
            SchedulingDiagnostic.restoreFailed.emitOnce("restoring a thread's binding after \(core.map { "\($0)" } ?? "the allowed CPUs") failed (errno \(errno))")
            return false
        }
        return true
    }
}
