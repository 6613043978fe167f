import _ParallelRNNKernels
import Dispatch
import Synchronization

/// Runs the shards of a ``ShardPlan`` and waits for all of them (fork-join).
///
/// - A one-shard unpinned plan runs on the calling thread.
/// - Otherwise the calling thread runs one shard itself (it would otherwise only wait): for a pinned plan the shard
///   whose core the caller is on right now (no migration), else shard 0. For each other shard a work item goes on its
///   own serial queue, which runs on Dispatch's global *overcommit* pool: pool threads that are never held back
///   behind other callers' blocked threads (see Benchmarks/SCHEDULING.md).
/// - A pool thread that ran a call's work item spins a moment (100 µs) before it returns to Dispatch, and a call that
///   finds one parked hands it the job (whose shards it claims as an item would) instead of enqueuing an item:
///   back-to-back calls skip the wake-up (``ParkedWorkers``).
/// - Work items do not own a shard: each claims the next shard nobody has started, and the calling thread, after its
///   own shard, claims the rest too. So a call never waits for a thread it has not got: the overcommit pool is finite
///   (255 threads on Linux), and when it is full of blocked callers — hundreds of concurrent `rnnAsync` calls, or a
///   step function that calls `rnn` under hundreds of outer shards — each caller finishes its own shards alone. The
///   caller waits only for shards already running; items that start later find nothing left and return.
/// - Pinned plans bind each shard's thread to core `shard mod coreCount` after saving its previous binding, and
///   restore that binding before the thread is handed back (pool threads and the caller never stay pinned). When
///   binding is refused (or `topology` is nil) the shard runs unpinned after a one-time diagnostic.
/// - Every shard runs with FTZ/DAZ set (restored afterwards), also on the calling thread, so results do not depend on
///   which thread ran a row.
/// - libdispatch creates pool threads on the thread that enqueues, and a new thread inherits its creator's binding and
///   control word. A call from inside a shard (a step function that calls `rnn`) therefore enqueues with the thread
///   widened to the process's CPUs and its control word as outside the shard, then pins it again.
/// - An error a shard throws is attributed to the step it last polled its ``StopFlag`` for. The call rethrows,
///   unchanged, the error of the earliest failing step (ties: the lowest shard), as Keras, which runs each step on the
///   whole batch, would raise it; the other shards stop once they are past that step (``ShardFailures``).
package enum PinnedExecutor {
    /// Whether the calling thread is running a shard now (a step function that calls `rnn` calls from inside one).
    package static var callerIsInShard: Bool { prnn_in_shard() != 0 }

    /// Runs `body(shard, rows, stop)` for every shard of `plan`; returns when all have returned.
    ///
    /// `inlineFirstShard: false` sends every shard to a work item (the calling thread only waits, so it depends on
    /// getting pool threads); it exists for the measurements in Benchmarks/SCHEDULING.md.
    package static func run(
        _ plan: ShardPlan, topology: Topology?, inlineFirstShard: Bool = true,
        _ body: @Sendable (_ shard: Int, _ rows: Range<Int>, _ stop: StopFlag) throws -> Void
    ) throws {
        let shardCount = plan.ranges.count
        if shardCount == 0 { return }  // nothing to run (and no last shard to signal the wait)
        let failures = ShardFailures(shards: shardCount)
        if shardCount == 1 && !plan.pinned {
            let previous = prnn_shard_enter()
            defer { prnn_shard_exit(previous) }
            try body(0, plan.ranges[0], failures.flag(shard: 0))
            return
        }
        if plan.pinned && topology == nil {
            SchedulingDiagnostic.topologyUnavailable.emitOnce("no hwloc topology; running unpinned")
        }
        withoutActuallyEscaping(body) { escapable in
            // The work items capture `job`, never the closure itself: an item may start after this call has
            // returned (it then finds no shard left), and the closure must not outlive this scope.
            let topology = plan.pinned ? topology : nil
            // The calling thread runs the shard whose core it is on now (no migration), else shard 0.
            var inline: Int? = nil
            if inlineFirstShard {
                inline = topology.flatMap { $0.coreIndex(ofCPU: Topology.currentCPU()) }.flatMap { $0 < shardCount ? $0 : nil } ?? 0
            }
            let inShard = callerIsInShard
            let job = ShardJob(plan: plan, topology: topology, failures: failures, reserved: inline, callerInShard: inShard,
                               body: escapable)
            let widened = inShard ? Topology.sharedIfAvailable?.widenCurrentThread() : nil
            let control = inShard ? prnn_outside_shard_fp_enter() : 0
            for _ in 0..<job.claimableCount where !ParkedWorkers.handOff(job) {
                // A fresh serial queue per item targets Dispatch's *overcommit* root queue, so every shard gets a
                // thread at once even when all threads of the width-limited global pool (= Swift's cooperative pool
                // on Linux) are blocked waiting for other calls' shards; `DispatchQueue.global()` would wait for
                // libdispatch's once-per-second pool monitor there (measured: Benchmarks/SCHEDULING.md).
                // The item holds the job only while it runs the job's shards, not while it is parked.
                let held = Unmanaged.passRetained(job)
                DispatchQueue(label: "ParallelRNN.shard").async {
                    let parks = { () -> Bool in
                        let job = held.takeRetainedValue()
                        job.runClaimed()
                        return job.parksAfter
                    }()
                    if parks { ParkedWorkers.park() }
                }
            }
            if inShard {
                prnn_flush_denormals_restore(control)
                widened?.restore()
            }
            if let inline {
                job.runReserved(inline)
                job.runClaimed()  // whatever no pool thread has started yet
            }
            job.waitForAll()
            job.releaseBody()
        }
        if let error = failures.reported { throw error }
    }
}

/// The state the shards of one ``PinnedExecutor/run(_:topology:_:)`` call share.
final class ShardJob: @unchecked Sendable {
    // `body` is written before any item is enqueued and cleared after waitForAll(); a shard reads it only after
    // claiming a shard, which no thread can do once all shards have finished.
    private var body: (@Sendable (Int, Range<Int>, StopFlag) throws -> Void)?
    private let plan: ShardPlan
    private let topology: Topology?
    private let failures: ShardFailures
    /// The shards any thread may claim, in order: all but the one the caller reserved for itself.
    private let claimable: [Int]
    /// Index into `claimable` of the next unclaimed shard (may run past the end: nothing left).
    private let nextClaim = Atomic<Int>(0)
    /// Shards returned (run, skipped after a stop, or failed); the one that makes it `plan.ranges.count` signals.
    private let finished = Atomic<Int>(0)
    private let allFinished = DispatchSemaphore(value: 0)
    /// How long the caller spins for the other shards before it blocks.
    static let spinBeforeWaiting = Duration.microseconds(50)

    init(plan: ShardPlan, topology: Topology?, failures: ShardFailures, reserved: Int?, callerInShard: Bool,
         body: @escaping @Sendable (Int, Range<Int>, StopFlag) throws -> Void) {
        self.plan = plan
        self.topology = topology
        self.failures = failures
        self.claimable = (0..<plan.ranges.count).filter { $0 != reserved }
        self.shardsFitCores = plan.ranges.count <= (Topology.sharedIfAvailable?.coreCount ?? 1)
        self.parksAfter = shardsFitCores && !callerInShard
        self.body = body
    }

    /// How many shards the work items may claim (one item is enqueued for each).
    var claimableCount: Int { claimable.count }

    func releaseBody() { body = nil }

    /// Runs the caller's reserved shard.
    func runReserved(_ shard: Int) {
        run(shard)
        shardReturned()
    }

    /// Whether the shards do not outnumber the cores. When they do, a thread that spins (the waiting caller, a parked
    /// pool thread) may hold the core a shard still to run is waiting for.
    private let shardsFitCores: Bool
    /// Whether a pool thread that ran this job may park (``ParkedWorkers``): when the shards fit the cores and the
    /// call was not made from inside a shard (a step that calls `rnn`), where the cores run the outer call's shards.
    let parksAfter: Bool

    /// Claims and runs shards until none is left unclaimed.
    func runClaimed() {
        while true {
            let i = nextClaim.wrappingAdd(1, ordering: .relaxed).oldValue
            guard i < claimable.count else { return }
            run(claimable[i])
            shardReturned()
        }
    }

    /// Blocks until every shard has returned (not for the work items: an unstarted one claims nothing).
    func waitForAll() {
        // A call's shards usually end within microseconds of each other: spin that long before sleeping, since a
        // thread woken from the semaphore (its vCPU halted meanwhile) costs tens of µs on a VM. Not when the shards
        // outnumber the cores: a shard still to finish may then be waiting for this one.
        if shardsFitCores {
            let deadline = ContinuousClock.now.advanced(by: Self.spinBeforeWaiting)
            while finished.load(ordering: .relaxed) < plan.ranges.count && ContinuousClock.now < deadline { prnn_cpu_relax() }
        }
        allFinished.wait()
        // Acquires every shard's writes (its error and progress, the result rows) through the counter's release
        // sequence, in a way ThreadSanitizer sees (the semaphore alone it may not).
        let n = finished.load(ordering: .acquiring)
        assert(n == plan.ranges.count, "a shard was counted twice or not at all")
    }

    private func shardReturned() {
        if finished.wrappingAdd(1, ordering: .acquiringAndReleasing).newValue == plan.ranges.count {
            allFinished.signal()
        }
    }

    /// Runs one shard on the current thread: skip if a lower shard failed before its first step, pin, FTZ/DAZ, body,
    /// record its error, unpin.
    private func run(_ shard: Int) {
        guard !failures.stopsBeforeStart(shard: shard), let body else { return }
        let binding = topology?.bindCurrentThread(toCore: shard)
        defer { binding?.restore() }
        let previous = prnn_shard_enter()
        defer { prnn_shard_exit(previous) }
        do {
            try body(shard, plan.ranges[shard], failures.flag(shard: shard))
        } catch {
            failures.record(error, shard: shard)
        }
    }
}
