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
    /// this as one shard on the calling thread (or two when a pool thread is parked, from twice
    /// ``minimumWarmSecondsPerShard``). Waking and pinning a second thread cost ≈ 50–85 µs per call on the
    /// 2-vCPU dev VM (the bind migrates the woken thread to the other vCPU, and its caches are cold there); two shards
    /// lost up to ≈ 180 µs of serial work and won from ≈ 270 µs (Benchmarks/SCHEDULING.md › Small calls).
    package static let minimumSecondsPerShard = 100e-6

    /// The most shards `.automatic` gives a call of `estimatedSeconds` on one core: 1 under twice
    /// ``minimumSecondsPerShard``, else no limit (nil: no estimate, no limit). Only the one-or-more decision was
    /// measured, on two cores; larger calls split as before.
    ///
    /// `warm`: a pool thread is parked (``ParkedWorkers``), so a second shard starts within microseconds, on a core
    /// whose caches the previous call's shard warmed: from twice ``minimumWarmSecondsPerShard`` such a call gets two
    /// shards (only two: measured on two cores, and one parked thread is all it can count on).
    static func shardCap(estimatedSeconds: Double?, warm: Bool = false) -> Int {
        guard let seconds = estimatedSeconds, !seconds.isNaN else { return .max }
        if seconds >= 2 * minimumSecondsPerShard { return .max }
        return warm && seconds >= 2 * minimumWarmSecondsPerShard ? 2 : 1
    }

    /// The cut of ``shardCap(estimatedSeconds:warm:)`` per shard when a parked thread is ready: one-step LSTM calls
    /// at w1's sizes (estimated 67 and 134 µs at B 8 and 16) ran 21–29 % faster split than on one thread, B 4
    /// (17 µs) stays whole (Benchmarks/SCHEDULING.md › Parked workers).
    package static let minimumWarmSecondsPerShard = 20e-6

    /// Whether a call of `estimatedSeconds` would split if a pool thread were parked but runs whole now: it starts
    /// one (``ParkedWorkers/prime()``) so that the next call finds it.
    static func primesParkedThread(estimatedSeconds: Double, execution: Execution, cores: Int) -> Bool {
        execution.mode == .automatic && cores > 1 && shardCap(estimatedSeconds: estimatedSeconds) == 1
            && shardCap(estimatedSeconds: estimatedSeconds, warm: true) > 1
    }

    /// The even plan of ``ShardPlan/make(rows:execution:coreCount:minimumRowsPerShard:maximumShards:)``, except that an
    /// `.automatic` plan of one pinned shard per core is adaptive: sized by the cores' measured speeds.
    /// `fastGain`: how much faster the kernel runs a shard of that size (> 1 where disproportionately so;
    /// ``ShardPlan/weighted(even:rows:weights:fastGain:)``).
    /// `estimatedSeconds`: the call's work on one core, if known (``shardCap(estimatedSeconds:)``); `coreCount`: the
    /// cores `.automatic` may use (default ``coreCount(_:)``; tests pass their own).
    package static func plan(rows: Int, execution: Execution, minimumRows: Int = minimumRowsPerShard, coreCount givenCores: Int? = nil,
                     fastGain: ((Int) -> Double)? = nil, estimatedSeconds: Double? = nil,
                     warm: Bool = false) throws(RNNError) -> ShardPlan {
        let cores = givenCores ?? coreCount(execution)
        var plan = try ShardPlan.make(rows: rows, execution: execution, coreCount: cores, minimumRowsPerShard: minimumRows,
                                      maximumShards: shardCap(estimatedSeconds: estimatedSeconds, warm: warm))
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
