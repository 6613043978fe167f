/// One shard's sequential time loop. The generic step and the fused cells are the two implementations; the
/// scheduler runs `runShard` on each shard's thread and knows neither.
package protocol ShardKernel: Sendable {
    /// Runs processing steps `0..<T` for the rows at `positions` of the plan, writing straight into the result
    /// buffers. Polls `stop` once per step and returns early when another shard failed.
    func runShard(_ shard: Int, positions: Range<Int>, stop: StopFlag) throws
}

/// Runs a kernel over a shard plan on the pinned executor.
package enum Engine {
    /// Rows per shard below which `.automatic` does not split a generic step further: its per-step cost has a
    /// fixed part (tensor allocations, the step closure), so tiny shards lose (Benchmarks/SCHEDULING.md).
    package static let minimumRowsPerShard = 4
    /// The fused cells gain from splitting down to one row per shard (Benchmarks/SCHEDULING.md).
    package static let minimumRowsPerCellShard = 1

    static func plan(rows: Int, execution: Execution, minimumRows: Int = minimumRowsPerShard) throws(RNNError) -> ShardPlan {
        try ShardPlan.make(rows: rows, execution: execution, coreCount: coreCount(execution),
                           minimumRowsPerShard: minimumRows)
    }

    /// Cores the plan may use (1 for `.serial`; 1 when hwloc is unavailable).
    static func coreCount(_ execution: Execution) -> Int {
        if case .serial = execution.mode { return 1 }
        return Topology.sharedIfAvailable?.coreCount ?? 1
    }

    static func run(_ kernel: some ShardKernel, plan: ShardPlan) throws {
        let topology = plan.pinned ? Topology.sharedIfAvailable : nil
        try PinnedExecutor.run(plan, topology: topology) { shard, positions, stop in
            try kernel.runShard(shard, positions: positions, stop: stop)
        }
    }
}
