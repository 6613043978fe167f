/// One shard's sequential time loop. The generic step and the fused cells are the two implementations; the
/// scheduler runs `runShard` on each shard's thread and knows neither.
package protocol ShardKernel: Sendable {
    /// Runs processing steps `0..<T` for the rows at `positions` of the plan, writing straight into the result
    /// buffers. Asks `stop.shouldStop(before: k)` before each step k and returns when it says so (a shard failed at an
    /// earlier step); an error it throws belongs to the last step it asked about.
    func runShard(_ shard: Int, positions: Range<Int>, stop: StopFlag) throws
}

/// Runs a kernel over a shard plan on the pinned executor.
package enum Engine {
    /// Rows per shard below which `.automatic` does not split a generic step further: its per-step cost has a
    /// fixed part (tensor allocations, the step closure), so tiny shards lose (Benchmarks/SCHEDULING.md).
    package static let minimumRowsPerShard = 4
    /// The fused cells gain from splitting down to one row per shard (Benchmarks/SCHEDULING.md), once the call is
    /// not small (``minimumSecondsPerShard``).
    package static let minimumRowsPerCellShard = 1
    /// `.automatic` runs a call whose work on one core is estimated (the fused cells estimate theirs) under twice
    /// this as one shard on the calling thread. Waking and pinning a second thread cost ≈ 50–85 µs per call on the
    /// 2-vCPU dev VM (the bind migrates the woken thread to the other vCPU, and its caches are cold there); two shards
    /// lost up to ≈ 180 µs of serial work and won from ≈ 270 µs (Benchmarks/SCHEDULING.md › Small calls).
    package static let minimumSecondsPerShard = 100e-6

    /// The most shards `.automatic` gives a call of `estimatedSeconds` on one core: 1 under twice
    /// ``minimumSecondsPerShard``, else no limit (nil: no estimate, no limit). Only the one-or-more decision was
    /// measured, on two cores; larger calls split as before.
    static func shardCap(estimatedSeconds: Double?) -> Int {
        guard let seconds = estimatedSeconds, !seconds.isNaN else { return .max }
        return seconds < 2 * minimumSecondsPerShard ? 1 : .max
    }

    /// The even plan of ``ShardPlan/make(rows:execution:coreCount:minimumRowsPerShard:maximumShards:)``, except that an
    /// `.automatic` plan of one pinned shard per core is adaptive: sized by the cores' measured speeds.
    /// `fastGain`: how much faster the kernel runs a shard of that size (> 1 where disproportionately so;
    /// ``ShardPlan/weighted(even:rows:weights:fastGain:)``).
    /// `estimatedSeconds`: the call's work on one core, if known (``shardCap(estimatedSeconds:)``); `coreCount`: the
    /// cores `.automatic` may use (default ``coreCount(_:)``; tests pass their own).
    package static func plan(rows: Int, execution: Execution, minimumRows: Int = minimumRowsPerShard, coreCount givenCores: Int? = nil,
                     fastGain: ((Int) -> Double)? = nil, estimatedSeconds: Double? = nil) throws(RNNError) -> ShardPlan {
        let cores = givenCores ?? coreCount(execution)
        var plan = try ShardPlan.make(rows: rows, execution: execution, coreCount: cores, minimumRowsPerShard: minimumRows,
                                      maximumShards: shardCap(estimatedSeconds: estimatedSeconds))
        guard execution.mode == .automatic, plan.pinned, plan.count == cores, plan.count > 1 else { return plan }
        if let weights = CoreSpeeds.shared.weights(count: plan.count), rows >= plan.count {
            plan = ShardPlan.weighted(even: plan, rows: rows, weights: weights, fastGain: fastGain)
        }
        plan.adaptive = true
        return plan
    }

    /// Cores the plan may use (1 for `.serial`; 1 when hwloc is unavailable).
    package static func coreCount(_ execution: Execution) -> Int {
        if case .serial = execution.mode { return 1 }
        return Topology.sharedIfAvailable?.coreCount ?? 1
    }

    /// Runs every shard of `plan`; an adaptive plan's shard times feed ``CoreSpeeds``.
    static func run(_ kernel: some ShardKernel, plan: ShardPlan) throws {
        let topology = plan.pinned ? Topology.sharedIfAvailable : nil
        // Each shard writes only its own slot; read after the executor has joined every shard.
        let seconds = UnsafeMutableBufferPointer<Double>.allocate(capacity: plan.count)
        defer { seconds.deallocate() }
        seconds.initialize(repeating: 0)
        let slots = SendableSlots(base: seconds.baseAddress!)
        try PinnedExecutor.run(plan, topology: topology) { shard, positions, stop in
            let start = ContinuousClock.now
            try kernel.runShard(shard, positions: positions, stop: stop)
            let elapsed = ContinuousClock.now - start
            slots.base[shard] = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        }
        // Not from inside a shard (a step that calls rnn): its cores are busy with the outer call's other shards.
        if plan.adaptive && topology != nil && !PinnedExecutor.callerIsInShard {
            CoreSpeeds.shared.record(rows: plan.ranges.map(\.count), seconds: Array(seconds))
        }
    }
}

/// Per-shard result slots shared with the shards' threads (each writes only its own index).
private struct SendableSlots: @unchecked Sendable {
    let base: UnsafeMutablePointer<Double>
}
