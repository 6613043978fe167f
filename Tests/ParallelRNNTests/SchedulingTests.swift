import Dispatch
import Foundation
import Synchronization
import Testing
@testable import ParallelRNN

/// Topology, ShardPlan and PinnedExecutor: the scheduler under the `rnn` engine.
@Suite("Scheduling")
struct SchedulingTests {
    // MARK: - Topology

    /// Steps run inside a shard on every path (the executor keys nested calls' enqueues and the core-speed record on
    /// it), nested shards count, and nothing is left counted afterwards.
    @Test func stepsRunInsideAShard() throws {
        #expect(!PinnedExecutor.callerIsInShard)
        let outside = Atomic<Int>(0), calls = Atomic<Int>(0)
        let inner: StepFunction<Float> = { x, s in
            if !PinnedExecutor.callerIsInShard { outside.add(1, ordering: .relaxed) }
            calls.add(1, ordering: .relaxed)
            return (x, s)
        }
        let executions: [Execution] = [.serial, .automatic, .threads(3), .threads(2, pinned: false)]
        let outer: StepFunction<Float> = { x, s in
            for e in executions { _ = try rnn(inner, inputs: Tensor(zeros: [4, 2, 1]), initialStates: [], execution: e) }
            if !PinnedExecutor.callerIsInShard { outside.add(1, ordering: .relaxed) }
            return (x, s)
        }
        for e in executions { _ = try rnn(outer, inputs: Tensor(zeros: [4, 2, 1]), initialStates: [], execution: e) }
        #expect(calls.load(ordering: .relaxed) > 0)
        #expect(outside.load(ordering: .relaxed) == 0)
        #expect(!PinnedExecutor.callerIsInShard)
    }

    @Test func topologyIsSane() throws {
        let topology = try Topology.shared()
        let summary = topology.summary
        #expect(topology.coreCount >= 1)
        #expect(topology.coreCount <= summary.allowedProcessingUnits)
        #expect(summary.allowedProcessingUnits <= summary.processingUnits)
        #expect(summary.allowedCores == topology.coreCount)
        #expect(summary.packages >= 1)
        #expect(topology.cores.map(\.index) == Array(0..<topology.coreCount))
        let os = topology.cores.map(\.osIndex)
        #expect(Set(os).count == os.count, "cores must be distinct: \(os)")
        #expect(os == os.sorted(), "cores in OS order: \(os)")
        #expect(Set(os).isSubset(of: Set(topology.allowedOSIndices)))
        #expect(summary.coreCPUs == os)
        for core in topology.cores { #expect(topology.coreIndex(ofCPU: core.osIndex) == core.index) }
        #expect(topology.coreIndex(ofCPU: -1) == nil)
        #expect(topology.coreIndex(ofCPU: 1 << 20) == nil)
        #expect(summary.description.contains("cores: "))
        #expect(summary.description.contains("L2"))
        #expect(try Topology.shared() === topology, "loaded once")
    }

    @Test func allowedSetMatchesTheKernelsAffinity() throws {
        // /proc/self/status reports the main thread's affinity, cgroup cpusets included.
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("Cpus_allowed_list:") })
        let expected = Self.parseCPUList(String(line.dropFirst("Cpus_allowed_list:".count)))
        #expect(try Topology.shared().allowedOSIndices == expected)
    }

    /// `PARALLELRNN_EXPECT_CORES=1 taskset -c 0 swift test --filter coreCountUnderTaskset` checks `taskset`.
    @Test func coreCountUnderTaskset() throws {
        guard let value = ProcessInfo.processInfo.environment["PARALLELRNN_EXPECT_CORES"], let n = Int(value) else { return }
        #expect(try Topology.shared().coreCount == n)
    }

    @Test func bindAndRestoreOnTheCallingThread() throws {
        let topology = try Topology.shared()
        let before = topology.currentThreadBinding()
        for i in [0, 1, topology.coreCount, -1, 7] {
            let binding = try #require(topology.bindCurrentThread(toCore: i))
            let core = topology.cores[((i % topology.coreCount) + topology.coreCount) % topology.coreCount]
            #expect(binding.core == core)
            #expect(topology.currentThreadBinding() == [core.osIndex])
            #expect(Topology.currentCPU() == core.osIndex)
            #expect(binding.restore())
            #expect(topology.currentThreadBinding() == before)
        }
    }

    // MARK: - ShardPlan

    @Test func planCoversRowsEvenly() throws {
        let executions: [Execution] = [.serial, .automatic, .threads(1), .threads(2), .threads(3, pinned: false),
                                       .threads(8), .threads(100)]
        for rows in [0, 1, 2, 3, 5, 7, 16, 31, 64, 1000] {
            for execution in executions {
                for cores in [1, 2, 3, 16] {
                    for minimum in [1, 4, 16] {
                        let plan = try ShardPlan.make(rows: rows, execution: execution, coreCount: cores,
                                                      minimumRowsPerShard: minimum)
                        Self.expectCovers(plan, rows: rows)
                        let sizes = plan.ranges.map(\.count)
                        #expect(sizes.max()! - sizes.min()! <= 1, "\(rows) \(execution) \(sizes)")
                        #expect(sizes == sizes.sorted(by: >), "first shards get the extra row: \(sizes)")
                        let expected: Int
                        switch execution.mode {
                        case .serial: expected = 1
                        case let .threads(n, _): expected = max(1, min(n, rows))
                        case .automatic: expected = min(cores, max(1, rows / minimum))
                        }
                        #expect(plan.count == expected, "\(rows) \(execution) cores \(cores) min \(minimum)")
                        let pinned: Bool
                        switch execution.mode {
                        case .serial: pinned = false
                        case let .threads(_, p): pinned = p && rows > 0
                        case .automatic: pinned = expected > 1
                        }
                        #expect(plan.pinned == pinned, "\(rows) \(execution)")
                    }
                }
            }
        }
    }

    @Test func planPinningFollowsExecution() throws {
        #expect(try ShardPlan.make(rows: 10, execution: .threads(4), coreCount: 2, minimumRowsPerShard: 1).pinned)
        #expect(try !ShardPlan.make(rows: 10, execution: .threads(4, pinned: false), coreCount: 2,
                                    minimumRowsPerShard: 1).pinned)
        #expect(try ShardPlan.make(rows: 10, execution: .automatic, coreCount: 2, minimumRowsPerShard: 1).pinned)
        #expect(try !ShardPlan.make(rows: 10, execution: .serial, coreCount: 2, minimumRowsPerShard: 1).pinned)
        let more = try ShardPlan.make(rows: 10, execution: .threads(8), coreCount: 2, minimumRowsPerShard: 1)
        #expect(more.count == 8 && more.pinned, "more shards than cores is valid")
        #expect(more.ranges == [0..<2, 2..<4, 4..<5, 5..<6, 6..<7, 7..<8, 8..<9, 9..<10])
        let empty = try ShardPlan.make(rows: 0, execution: .threads(4), coreCount: 2, minimumRowsPerShard: 1)
        #expect(empty == ShardPlan(ranges: [0..<0], pinned: false))
    }

    @Test(arguments: [0, -1, -8])
    func nonPositiveThreadCountThrows(n: Int) {
        #expect(throws: RNNError.threadCount(n)) {
            try ShardPlan.make(rows: 10, execution: .threads(n), coreCount: 2, minimumRowsPerShard: 1)
        }
        #expect(throws: RNNError.threadCount(n)) {
            try ShardPlan.make(work: [3, 2, 1], execution: .threads(n), coreCount: 2, minimumRowsPerShard: 1)
        }
        #expect(throws: RNNError.threadCount(n)) {
            try ShardPlan.make(rows: 0, execution: .threads(n), coreCount: 2, minimumRowsPerShard: 1)
        }
    }

    @Test func workPlanBalancesTotals() throws {
        // Sorted by decreasing work: the heavy rows share fewer rows per shard.
        let work = [100, 90, 50, 40, 30, 20, 10, 10, 5, 5, 5, 5]
        let plan = try ShardPlan.make(work: work, execution: .threads(3), coreCount: 2, minimumRowsPerShard: 1)
        Self.expectCovers(plan, rows: work.count)
        #expect(plan.count == 3 && plan.pinned)
        let totals = plan.ranges.map { work[$0].reduce(0, +) }
        #expect(totals.max()! == Self.optimalMaxTotal(work, 3), "\(plan.ranges) \(totals)")
        #expect(plan.ranges[0].count < plan.ranges[2].count)

        // Equal work splits like make(rows:).
        let uniform = try ShardPlan.make(work: [Int](repeating: 7, count: 10), execution: .threads(4), coreCount: 2,
                                         minimumRowsPerShard: 1)
        #expect(uniform.ranges.map(\.count).max()! - uniform.ranges.map(\.count).min()! <= 1)
        // Zero work (all rows fully masked) still gives non-empty shards.
        let zero = try ShardPlan.make(work: [0, 0, 0, 0, 0], execution: .threads(2), coreCount: 2,
                                      minimumRowsPerShard: 1)
        #expect(zero.ranges == [0..<3, 3..<5])
        #expect(try ShardPlan.make(work: [], execution: .automatic, coreCount: 2, minimumRowsPerShard: 1)
                == ShardPlan(ranges: [0..<0], pinned: false))
    }

    @Test func workPlanIsOptimalOnRandomInputs() throws {
        var rng = SplitMix(seed: 42)
        for _ in 0..<300 {
            let n = Int(rng.next() % 14) + 1
            let work = (0..<n).map { _ in Int(rng.next() % 50) }.sorted(by: >)
            let threads = Int(rng.next() % 6) + 1
            let plan = try ShardPlan.make(work: work, execution: .threads(threads), coreCount: 4,
                                          minimumRowsPerShard: 1)
            Self.expectCovers(plan, rows: n)
            #expect(plan.count == min(threads, n))
            let worst = plan.ranges.map { work[$0].reduce(0, +) }.max()!
            #expect(worst == Self.optimalMaxTotal(work, plan.count), "\(work) into \(plan.count): \(plan.ranges)")
        }
        let automatic = try ShardPlan.make(work: [Int](repeating: 1, count: 40), execution: .automatic,
                                           coreCount: 3, minimumRowsPerShard: 16)
        #expect(automatic.count == 2 && automatic.pinned)
    }

    /// The planner's bisection picks exactly the ends the original linear scan picked (kept here as the reference),
    /// on random work with long runs of zeros and of equal values, as fully masked and equal-length rows give.
    @Test func workPlanMatchesTheLinearScan() throws {
        var rng = SplitMix(seed: 7)
        for trial in 0..<400 {
            let n = Int(rng.next() % 60) + 1
            let style = trial % 4
            var work = (0..<n).map { _ -> Int in
                switch style {
                case 0: Int(rng.next() % 50)
                case 1: rng.next() % 3 == 0 ? Int(rng.next() % 9) : 0  // mostly fully masked
                case 2: [0, 5, 5, 5, 12][Int(rng.next() % 5)]  // runs of equal lengths
                default: Int(rng.next() % 3)
                }
            }
            if trial % 3 == 0 { work.sort(by: >) }
            let count = Int(rng.next() % UInt64(n)) + 1
            let plan = WorkPartition(work: work).split(into: count)
            #expect(plan == Self.linearScanSplit(work, count), "\(work) into \(count)")
        }
        // Thousands of fully masked rows on as many shards: the case the scan took seconds on (O(n²)).
        let zeros = [Int](repeating: 0, count: 20_000)
        let plan = WorkPartition(work: zeros).split(into: 10_000)
        #expect(plan.count == 10_000 && plan.allSatisfy { $0.count == 2 })
    }

    /// The planner's original linear scan over the allowed ends (before the bisection).
    static func linearScanSplit(_ work: [Int], _ count: Int) -> [Range<Int>] {
        let n = work.count
        var prefix = [0]
        for w in work { prefix.append(prefix.last! + w) }
        func sum(_ a: Int, _ b: Int) -> Int { prefix[b] - prefix[a] }
        func groups(_ capacity: Int) -> Int {
            var g = 0, current = 0
            for w in work {
                if g == 0 || current + w > capacity { g += 1; current = w } else { current += w }
            }
            return g
        }
        var low = work.max() ?? 0, high = prefix[n]
        while low < high {
            let mid = low + (high - low) / 2
            if groups(mid) <= count { high = mid } else { low = mid + 1 }
        }
        let capacity = low
        var groupsNeeded = [Int](repeating: 0, count: n + 1)
        var end = n
        for p in stride(from: n - 1, through: 0, by: -1) {
            while sum(p, end) > capacity { end -= 1 }
            groupsNeeded[p] = 1 + groupsNeeded[end]
        }
        var ranges: [Range<Int>] = [], start = 0
        for shard in 0..<count {
            let remaining = count - shard
            if remaining == 1 { ranges.append(start..<n); break }
            let fairWork = Double(prefix[start]) + Double(prefix[n] - prefix[start]) / Double(remaining)
            let fairRows = Double(start) + Double(n - start) / Double(remaining)
            var best = start + 1, bestKey = (Double.infinity, Double.infinity), candidate = start + 1
            while candidate <= n - (remaining - 1), sum(start, candidate) <= capacity {
                if groupsNeeded[candidate] <= remaining - 1 {
                    let key = (abs(Double(prefix[candidate]) - fairWork), abs(Double(candidate) - fairRows))
                    if key.0 < bestKey.0 || (key.0 == bestKey.0 && key.1 <= bestKey.1) { best = candidate; bestKey = key }
                }
                candidate += 1
            }
            ranges.append(start..<best)
            start = best
        }
        return ranges
    }

    /// A caller's rounding mode does not reach the shard its own thread runs: every shard rounds to nearest, so the
    /// bits are the same for every Execution (review finding: round-toward-zero in the caller changed 20–37 of 48
    /// elements under .threads(4), differently from run to run).
    @Test func callersRoundingModeDoesNotReachItsShard() throws {
        let x = try Tensor<Float>(shape: [8, 6, 1], scalars: (0..<48).map { Float($0) * 0.37 + 0.1 })
        let step: StepFunction<Float> = { x, s in
            let h = s[0] * Tensor(repeating: 1.1, shape: []) + x * Tensor(repeating: 0.3, shape: [])
            return (h, [h])
        }
        func run(_ e: Execution) throws -> [UInt32] {
            try rnn(step, inputs: x, initialStates: [Tensor(zeros: [8, 1])], execution: e).outputs.scalars.map(\.bitPattern)
        }
        let nearest = try run(.serial)
        let saved = fegetround()
        fesetround(FE_TOWARDZERO)
        defer { fesetround(saved) }
        for e in [Execution.serial, .threads(4), .threads(8), .threads(4, pinned: false), .automatic] {
            for _ in 0..<3 { #expect(try run(e) == nearest, "\(e)") }
        }
    }

    // MARK: - PinnedExecutor

    @Test(arguments: [(Execution.serial, 10), (.threads(1), 10), (.threads(2), 10), (.threads(5), 10),
                      (.threads(7, pinned: false), 9), (.threads(16), 40), (.automatic, 64), (.threads(3), 0)])
    func everyShardRunsExactlyOnce(execution: Execution, rows: Int) throws {
        let topology = try Topology.shared()
        let plan = try ShardPlan.make(rows: rows, execution: execution, coreCount: topology.coreCount,
                                      minimumRowsPerShard: 4)
        let seen = TestLock<[Int: Range<Int>]>([:])
        let runs = Atomic<Int>(0)
        try PinnedExecutor.run(plan, topology: topology) { shard, range, stop in
            runs.add(1, ordering: .relaxed)
            #expect(!stop.isSet)
            seen.withLock { $0[shard] = range }
        }
        #expect(runs.load(ordering: .relaxed) == plan.count)
        let ranges = seen.withLock { $0 }
        #expect(ranges.count == plan.count)
        #expect((0..<plan.count).map { ranges[$0] } == plan.ranges)
    }

    @Test func pinnedShardsRunOnTheirCore() throws {
        let topology = try Topology.shared()
        for shards in [1, topology.coreCount, 2 * topology.coreCount + 1] {
            let plan = try ShardPlan.make(rows: 64, execution: .threads(shards), coreCount: topology.coreCount,
                                          minimumRowsPerShard: 1)
            let wrong = TestLock<[String]>([])
            try PinnedExecutor.run(plan, topology: topology) { shard, _, _ in
                let core = topology.cores[shard % topology.coreCount]
                let binding = topology.currentThreadBinding()
                var misses = 0
                let deadline = DispatchTime.now().uptimeNanoseconds + 2_000_000
                while DispatchTime.now().uptimeNanoseconds < deadline {
                    if Topology.currentCPU() != core.osIndex { misses += 1 }
                }
                if binding != [core.osIndex] || misses > 0 {
                    wrong.withLock { $0.append("shard \(shard): binding \(binding ?? []), \(misses) misses on \(core)") }
                }
            }
            #expect(wrong.withLock { $0 } == [])
        }
    }

    @Test func bindingIsRestoredOnPoolThreadsAndCaller() throws {
        let topology = try Topology.shared()
        let allowed = topology.allowedOSIndices
        let callerBefore = topology.currentThreadBinding()
        let plan = try ShardPlan.make(rows: 64, execution: .threads(4 * topology.coreCount),
                                      coreCount: topology.coreCount, minimumRowsPerShard: 1)
        for _ in 0..<20 {
            try PinnedExecutor.run(plan, topology: topology) { _, _, _ in
                var x = 0.0
                for i in 0..<2_000 { x += Double(i).squareRoot() }
                #expect(x > 0)
            }
        }
        #expect(topology.currentThreadBinding() == callerBefore)
        // Many follow-up unpinned items on the same global queue: none may see a leftover binding.
        let leaks = TestLock<[[Int]]>([])
        let group = DispatchGroup()
        for i in 0..<200 {
            // The global pool, and the overcommit pool the shards' serial queues run on.
            let queue = i % 2 == 0 ? DispatchQueue.global() : DispatchQueue(label: "probe")
            queue.async(group: group) {
                let binding = topology.currentThreadBinding() ?? []
                if binding != allowed { leaks.withLock { $0.append(binding) } }
            }
        }
        group.wait()
        #expect(leaks.withLock { $0 } == [], "allowed: \(allowed)")
    }

    struct ShardFailure: Error, Equatable { var shard: Int; var step: Int }
    struct LateFailure: Error, Equatable {}

    @Test func errorIsRethrownUnchangedAndOthersStop() throws {
        let topology = try Topology.shared()
        let plan = try ShardPlan.make(rows: 8, execution: .threads(4), coreCount: topology.coreCount,
                                      minimumRowsPerShard: 1)
        let steps = TestLock<[Int: Int]>([:])
        let totalSteps = 1_000_000
        #expect(throws: ShardFailure(shard: 1, step: 3)) {
            try PinnedExecutor.run(plan, topology: topology) { shard, _, stop in
                for step in 0..<totalSteps {
                    if stop.shouldStop(before: step) {
                        steps.withLock { $0[shard] = step }
                        // An error from a stopping shard (after step 3) must not replace step 3's.
                        if shard == 2 { throw LateFailure() }
                        return
                    }
                    if shard == 1 && step == 3 { throw ShardFailure(shard: 1, step: 3) }
                    usleep(10)
                }
                steps.withLock { $0[shard] = totalSteps }
            }
        }
        let ran = steps.withLock { $0 }
        #expect(ran.values.allSatisfy { $0 < totalSteps }, "other shards stop early: \(ran)")
        #expect(ran.values.allSatisfy { $0 >= 4 }, "no shard stops before it has run step 3: \(ran)")

        // The next call works.
        let runs = Atomic<Int>(0)
        try PinnedExecutor.run(plan, topology: topology) { _, _, stop in
            #expect(!stop.isSet)
            runs.add(1, ordering: .relaxed)
        }
        #expect(runs.load(ordering: .relaxed) == 4)
    }

    /// A shard that has not started skips only when a lower shard failed before its first step (whose error wins any
    /// tie with its own); one above a higher shard's such failure still runs, so the lowest shard's error is reported
    /// whichever thread records first. Failures at later steps never stop a shard from starting.
    @Test func aShardSkipsItsStartOnlyForALowerShardsFailureBeforeItsFirstStep() {
        let failures = ShardFailures(shards: 6)
        #expect((0..<6).filter { failures.stopsBeforeStart(shard: $0) } == [])
        failures.record(ShardFailure(shard: 4, step: -1), shard: 4)  // no step polled yet: step −1
        #expect((0..<6).filter { failures.stopsBeforeStart(shard: $0) } == [5])
        failures.record(ShardFailure(shard: 2, step: -1), shard: 2)
        #expect((0..<6).filter { failures.stopsBeforeStart(shard: $0) } == [3, 4, 5])
        failures.record(ShardFailure(shard: 3, step: -1), shard: 3)
        #expect((0..<6).filter { failures.stopsBeforeStart(shard: $0) } == [3, 4, 5])
        #expect(failures.reported as? ShardFailure == ShardFailure(shard: 2, step: -1))

        let later = ShardFailures(shards: 3)
        #expect(!later.flag(shard: 0).shouldStop(before: 0))
        later.record(ShardFailure(shard: 0, step: 0), shard: 0)
        #expect((0..<3).filter { later.stopsBeforeStart(shard: $0) } == [])
        #expect(later.flag(shard: 1).shouldStop(before: 1), "a running shard stops past the failing step")
    }


    /// shard that fails later in time but at an earlier step (or at the same step, with a lower index) wins.
    @Test(arguments: [Execution.threads(2), .threads(4), .threads(4, pinned: false)])
    func earliestStepsErrorIsReportedWhateverTheTiming(execution: Execution) throws {
        let topology = try Topology.shared()
        let plan = try ShardPlan.make(rows: 8, execution: execution, coreCount: topology.coreCount,
                                      minimumRowsPerShard: 1)
        let last = plan.count - 1
        // (failing step per shard, the shard that sleeps before its step 0, expected error)
        let cases: [([Int: Int], Int, ShardFailure)] = [
            ([0: 2, last: 5], 0, ShardFailure(shard: 0, step: 2)),        // slow shard, earlier step
            ([0: 7, last: 1], last, ShardFailure(shard: last, step: 1)),  // the other way round
            ([0: 3, last: 3], 0, ShardFailure(shard: 0, step: 3)),        // a tie: the lower shard
        ]
        for (failing, slow, expected) in cases {
            for _ in 0..<3 {
                #expect(throws: expected) {
                    try PinnedExecutor.run(plan, topology: topology) { shard, _, stop in
                        for step in 0..<1_000 {
                            if stop.shouldStop(before: step) { return }
                            if step == 0 && shard == slow { usleep(50_000) }
                            if failing[shard] == step { throw ShardFailure(shard: shard, step: step) }
                        }
                    }
                }
            }
        }
    }

    @Test func errorOnTheCallingThreadShardAndSerial() throws {
        let topology = try Topology.shared()
        for execution in [Execution.serial, .threads(3, pinned: false), .threads(3)] {
            let plan = try ShardPlan.make(rows: 9, execution: execution, coreCount: topology.coreCount,
                                          minimumRowsPerShard: 1)
            #expect(throws: ShardFailure(shard: 0, step: 0)) {
                try PinnedExecutor.run(plan, topology: topology) { shard, _, _ in
                    if shard == 0 { throw ShardFailure(shard: 0, step: 0) }
                }
            }
            #expect(throws: RNNError.threadCount(-3)) {
                try PinnedExecutor.run(plan, topology: topology) { shard, _, _ in
                    if shard == plan.count - 1 { throw RNNError.threadCount(-3) }
                }
            }
        }
    }

    @Test func refusedBindingRunsUnpinned() throws {
        let refusing = try Topology(refusingBinding: true)
        #expect(refusing.bindCurrentThread(toCore: 0) == nil)
        #expect(SchedulingDiagnostic.bindingRefused.wasEmitted)
        let allowed = refusing.allowedOSIndices
        let plan = try ShardPlan.make(rows: 16, execution: .threads(6), coreCount: refusing.coreCount,
                                      minimumRowsPerShard: 1)
        for topology in [refusing, nil] {
            let runs = Atomic<Int>(0)
            let pinnedSeen = Atomic<Int>(0)
            try PinnedExecutor.run(plan, topology: topology) { _, _, _ in
                runs.add(1, ordering: .relaxed)
                if refusing.currentThreadBinding() != allowed { pinnedSeen.add(1, ordering: .relaxed) }
            }
            #expect(runs.load(ordering: .relaxed) == 6)
            #expect(pinnedSeen.load(ordering: .relaxed) == 0)
        }
    }

    // MARK: - Helpers

    static func expectCovers(_ plan: ShardPlan, rows: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(plan.ranges.first?.lowerBound == 0, sourceLocation: sourceLocation)
        #expect(plan.ranges.last?.upperBound == rows, sourceLocation: sourceLocation)
        for (a, b) in zip(plan.ranges, plan.ranges.dropFirst()) {
            #expect(a.upperBound == b.lowerBound, sourceLocation: sourceLocation)
        }
        if rows > 0 { #expect(plan.ranges.allSatisfy { !$0.isEmpty }, sourceLocation: sourceLocation) }
    }

    /// Brute-force min over contiguous splits into exactly `k` non-empty parts of the largest part total.
    static func optimalMaxTotal(_ work: [Int], _ k: Int) -> Int {
        let n = work.count
        var best = [[Int]](repeating: [Int](repeating: Int.max, count: n + 1), count: k + 1)
        best[0][0] = 0
        for parts in 1...k {
            for end in 1...n {
                var total = 0
                for start in stride(from: end - 1, through: 0, by: -1) {
                    total += work[start]
                    if best[parts - 1][start] != Int.max {
                        best[parts][end] = min(best[parts][end], max(best[parts - 1][start], total))
                    }
                }
            }
        }
        return best[k][n]
    }

    static func parseCPUList(_ text: String) -> [Int] {
        text.trimmingCharacters(in: .whitespaces).split(separator: ",").flatMap { part -> [Int] in
            let bounds = part.split(separator: "-").compactMap { Int($0) }
            return bounds.count == 2 ? Array(bounds[0]...bounds[1]) : bounds
        }
    }
}

/// A lock-protected value. NSLock (pthread) rather than `Mutex`, whose futex ThreadSanitizer cannot see on Linux.
private final class TestLock<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()
    init(_ value: Value) { self.value = value }
    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

/// Measurements behind Benchmarks/SCHEDULING.md. Skipped unless `PARALLELRNN_SCHED_BENCH=1`; run in release:
/// `PARALLELRNN_SCHED_BENCH=1 swift test -c release --filter SchedulingBenchmarks`.
@Suite("SchedulingBenchmarks", .serialized,
       .enabled(if: ProcessInfo.processInfo.environment["PARALLELRNN_SCHED_BENCH"] == "1"))
struct SchedulingBenchmarks {
    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// Median and min of `reps` timings (µs) of `iterations` runs of `body`, per run.
    static func measure(reps: Int = 9, iterations: Int, _ body: () throws -> Void) rethrows -> (median: Double, min: Double) {
        var samples: [Double] = []
        for _ in 0..<reps {
            let start = now()
            for _ in 0..<iterations { try body() }
            samples.append(Double(now() - start) / 1000 / Double(iterations))
        }
        samples.sort()
        return (samples[samples.count / 2], samples[0])
    }

    static func format(_ t: (median: Double, min: Double)) -> String {
        String(format: "median %8.2f µs  min %8.2f µs", t.median, t.min)
    }

    @Test func bindRestoreCost() throws {
        let topology = try Topology.shared()
        // Already on the target core: bind to the core we run on.
        let here = topology.cores.firstIndex { $0.osIndex == Topology.currentCPU() } ?? 0
        let anchor = topology.bindCurrentThread(toCore: here)
        let same = Self.measure(iterations: 2000) {
            let b = topology.bindCurrentThread(toCore: here)
            b?.restore()
        }
        anchor?.restore()
        print("bind+restore, same core:        \(Self.format(same))")
        if topology.coreCount > 1 {
            // Pinned to core A, then bind to core B and restore to A: two migrations.
            let a = topology.bindCurrentThread(toCore: 0)
            let other = Self.measure(iterations: 500) {
                let b = topology.bindCurrentThread(toCore: 1)
                b?.restore()
            }
            a?.restore()
            print("bind+restore, other core (2 migrations): \(Self.format(other))")
        }
        let cpu = Self.measure(iterations: 100_000) { _ = Topology.currentCPU() }
        print("sched_getcpu:                   \(Self.format(cpu))")
    }

    @Test func forkJoinOverhead() throws {
        let topology = try Topology.shared()
        let n = topology.coreCount
        let empty: @Sendable (Int, Range<Int>, StopFlag) throws -> Void = { _, _, _ in }
        func plan(_ e: Execution) throws -> ShardPlan {
            try ShardPlan.make(rows: 64, execution: e, coreCount: n, minimumRowsPerShard: 1)
        }
        let cases: [(String, ShardPlan, Bool)] = [
            ("serial (calling thread)", try plan(.serial), true),
            ("\(n) shards unpinned, caller runs one", try plan(.threads(n, pinned: false)), true),
            ("\(n) shards pinned,   caller runs one", try plan(.threads(n)), true),
            ("\(n) shards unpinned, all on workers", try plan(.threads(n, pinned: false)), false),
            ("\(n) shards pinned,   all on workers", try plan(.threads(n)), false),
            ("\(2 * n) shards pinned, caller runs one", try plan(.threads(2 * n)), true),
        ]
        for (name, p, inline) in cases {
            let t = try Self.measure(iterations: 300) {
                try PinnedExecutor.run(p, topology: topology, inlineFirstShard: inline, empty)
            }
            print("fork-join, empty shards, \(name): \(Self.format(t))")
        }
        // A persistent pool of n-1 threads pinned once, woken by semaphores (the alternative design).
        let pool = PersistentPinnedPool(topology: topology, workers: n - 1)
        let t = Self.measure(iterations: 300) { pool.run { _ in } }
        print("fork-join, empty shards, persistent pinned pool (\(n) shards): \(Self.format(t))")
        pool.shutdown()
    }

    /// Wall time of `rnn` with the w4-style Tensor step `h' = tanh(x_t + h·W)` (U = 32) for small batches:
    /// where does splitting start to pay?
    @Test(arguments: [(32, 100), (8, 20), (128, 50)])
    func minimumRowsPerShard(units: Int, time: Int) throws {
        let n = try Topology.shared().coreCount
        var g = SplitMix(seed: 1)
        let w = try Tensor<Float>(shape: [units, units], scalars: (0..<(units * units)).map { _ in g.float() * 0.1 })
        let step: StepFunction<Float> = { x, s in
            let h = tanh(x + matmul(s[0], w))
            return (h, [h])
        }
        print("rnn U=\(units) T=\(time): µs per call (median of 9)")
        for batch in [1, 2, 3, 4, 6, 8, 12, 16, 32, 64] {
            let x = try Tensor<Float>(shape: [batch, time, units],
                                      scalars: (0..<(batch * time * units)).map { _ in g.float() })
            let h0 = Tensor<Float>(zeros: [batch, units])
            var line = "B=\(batch):"
            var executions: [(String, Execution)] = [("serial", .serial)]
            for k in Set([2, n / 2, n]).sorted() where k >= 2 && k <= batch {
                executions.append(("\(k) pinned", .threads(k)))
            }
            executions.append(("\(min(n, batch)) unpinned", .threads(n, pinned: false)))
            for (name, e) in executions {
                let reps = max(3, 2000 / (batch * time))
                let t = try Self.measure(iterations: reps) {
                    _ = try rnn(step, inputs: x, initialStates: [h0], execution: e)
                }
                line += String(format: "  %@ %8.1f", name, t.median)
            }
            print(line)
        }
    }
}

extension SchedulingBenchmarks {
    /// Wall time of the fused cells by batch and shard count (LSTM at the w1 shape, a small GRU).
    @Test(arguments: [(1, 128, 256, 100), (2, 32, 32, 100)])
    func cellShardScaling(kind: Int, input: Int, units: Int, time: Int) throws {
        let n = try Topology.shared().coreCount
        var g = SplitMix(seed: 2)
        let gates = kind == 1 ? 4 : 3
        func tensor(_ shape: [Int], _ f: Float) throws -> Tensor<Float> {
            try Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in g.float() * f })
        }
        let kernel = try tensor([input, gates * units], 0.1), recurrent = try tensor([units, gates * units], 0.1)
        let lstm = kind == 1 ? try LSTM(kernel: kernel, recurrentKernel: recurrent, bias: tensor([4 * units], 0.1)) : nil
        let gru = kind == 1 ? nil : try GRU(kernel: kernel, recurrentKernel: recurrent, bias: tensor([2, 3 * units], 0.1))
        print("\(kind == 1 ? "LSTM" : "GRU") I=\(input) U=\(units) T=\(time): µs per call (median)")
        for batch in [1, 2, 4, 8, 16, 32, 64] {
            let x = try tensor([batch, time, input], 1)
            var executions: [(String, Execution)] = [("serial", .serial), ("auto", .automatic)]
            for k in Set([2, 4, n / 2, n]).sorted() where k >= 2 && k <= batch && k <= n {
                executions.append(("\(k)p", .threads(k)))
            }
            executions.append(("\(min(n, batch))u", .threads(n, pinned: false)))
            var line = "B=\(batch):"
            for (name, e) in executions {
                let reps = max(3, 200 / batch)
                let t = try Self.measure(reps: 5, iterations: reps) {
                    _ = try lstm?(x, execution: e) ?? gru!(x, execution: e)
                }
                line += String(format: "  %@ %9.1f", name, t.median)
            }
            print(line)
        }
    }
}

/// The alternative to Dispatch: `workers` threads pinned once to cores 1...workers, woken per call by semaphores.
private final class PersistentPinnedPool: @unchecked Sendable {
    private var starts: [DispatchSemaphore] = []
    private let done = DispatchSemaphore(value: 0)
    private var task: ((Int) -> Void)?
    private var stopping = false
    private let workers: Int

    init(topology: Topology, workers: Int) {
        self.workers = workers
        for w in 0..<workers {
            let start = DispatchSemaphore(value: 0)
            starts.append(start)
            let thread = Thread { [self] in
                _ = topology.bindCurrentThread(toCore: w + 1)  // never restored: the thread is ours
                while true {
                    start.wait()
                    if stopping { return }
                    task?(w + 1)
                    done.signal()
                }
            }
            thread.start()
        }
    }

    func run(_ body: @escaping (Int) -> Void) {
        task = body
        for s in starts { s.signal() }
        body(0)
        for _ in 0..<workers { done.wait() }
    }

    func shutdown() {
        stopping = true
        for s in starts { s.signal() }
    }
}
