// TEMPORARY: the scheduler branch's Topology has `summary` (TopologySummary); main's stand-in does not yet.
// DELETE this file when the scheduler lands on main.
import ParallelRNN

extension Topology {
    var summary: String { "hwloc topology: \(coreCount) allowed cores (details need the scheduler branch)" }
}
