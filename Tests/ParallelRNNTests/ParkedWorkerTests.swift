import Dispatch
import Foundation
import Synchronization
import Testing
@testable import ParallelRNN

/// ParkedWorkers: the pool threads that wait a moment for the next call's shards.
@Suite("Parked workers")
struct ParkedWorkerTests {
    static let cores = (try? Topology.shared().coreCount) ?? 1

    /// The OS thread id of the calling thread (`/proc/thread-self` links to `PID/task/TID`).
    static func threadID() -> Int {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self"))
            .flatMap { $0.split(separator: "/").last.flatMap { Int($0) } } ?? 0
    }

    /// `Cpus_allowed_list` of thread `tid` of this process.
    static func allowedCPUs(ofThread tid: Int) throws -> [Int] {
        let status = try String(contentsOfFile: "/proc/self/task/\(tid)/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("Cpus_allowed_list:") })
        return SchedulingTests.parseCPUList(String(line.dropFirst("Cpus_allowed_list:".count)))
    }

    /// After a two-shard call the pool thread that ran the other shard parks, unpinned (its binding restored), and the
    /// next call hands it its shard, which it runs pinned to that shard's core. Other suites' calls run meanwhile and
    /// may take the parked thread first, so the sequence has to succeed in one of several attempts.
    @Test(.enabled(if: cores >= 2, "needs two cores"))
    func theNextCallsShardGoesToTheParkedThread() throws {
        let topology = try Topology.shared()
        let plan = try ShardPlan.make(rows: 8, execution: .threads(2), coreCount: topology.coreCount, minimumRowsPerShard: 1)
        let caller = Self.threadID()
        var failures: [String] = []
        // Other suites' calls (small ones included, which start a parked thread and then take it) compete for the one
        // parked thread two cores allow: try for up to 30 s.
        let giveUp = DispatchTime.now().uptimeNanoseconds + 30_000_000_000
        while DispatchTime.now().uptimeNanoseconds < giveUp {
            let first = Atomic<Int>(0)
            try PinnedExecutor.run(plan, topology: topology) { _, _, _ in
                let tid = Self.threadID()
                if tid != caller { first.store(tid, ordering: .relaxed) }
            }
            let worker = first.load(ordering: .relaxed)
            guard worker != 0 else { failures.append("the caller ran both shards"); continue }
            // It parks right after its shard; look while it spins.
            let deadline = DispatchTime.now().uptimeNanoseconds + 1_000_000
            while ParkedWorkers.parkedNow == 0 && DispatchTime.now().uptimeNanoseconds < deadline {}
            guard ParkedWorkers.parkedNow > 0, let parkedBinding = try? Self.allowedCPUs(ofThread: worker) else {
                failures.append("no thread parked"); continue
            }
            // The worker may be running another suite's shard right now (pinned); only a parked one must be unpinned,
            // so a pinned reading is a failed attempt, not yet a failure.
            guard parkedBinding == topology.allowedOSIndices else {
                failures.append("the parked thread was pinned (\(parkedBinding))"); continue
            }
            let handOffs = ParkedWorkers.handOffs
            let second = TestBox()
            try PinnedExecutor.run(plan, topology: topology) { shard, _, _ in
                let tid = Self.threadID()
                if tid != caller {
                    second.set(tid: tid, shard: shard, binding: topology.currentThreadBinding() ?? [])
                } else {
                    // The caller's shard lasts 300 µs, so that the other is claimed by the thread it was handed to.
                    let end = DispatchTime.now().uptimeNanoseconds + 300_000
                    while DispatchTime.now().uptimeNanoseconds < end {}
                }
            }
            let (tid, shard, binding) = second.get()
            guard ParkedWorkers.handOffs > handOffs, tid == worker else {
                failures.append("not handed to the parked thread (\(tid) vs \(worker))"); continue
            }
            #expect(binding == [topology.cores[shard % topology.coreCount].osIndex], "the handed shard runs pinned")
            return
        }
        Issue.record("no attempt in 30 s handed a shard to a parked thread: \(Set(failures).prefix(8))")
    }

    /// A parked thread that is handed nothing returns after its spin (100 µs; longer if other suites' calls hand it
    /// shards meanwhile). One that never gave up would hold its pool thread for good.
    @Test(.enabled(if: cores >= 2, "needs two cores"))
    func aParkedThreadReturns() {
        // park() declines at once while other suites' threads fill the limit: retry until it has parked.
        for _ in 0..<1000 {
            let parked = Atomic<Bool>(false)
            let returned = DispatchSemaphore(value: 0)
            DispatchQueue(label: "park test").async {
                parked.store(ParkedWorkers.park(), ordering: .relaxed)
                returned.signal()
            }
            guard returned.wait(timeout: .now() + 10) == .success else {
                Issue.record("a parked thread did not return within 10 s")
                return
            }
            if parked.load(ordering: .relaxed) { return }
            usleep(1000)
        }
        Issue.record("no thread could park in 1000 attempts (limit \(ParkedWorkers.limit), parked \(ParkedWorkers.parkedNow))")
    }
}

/// One shard's thread, shard and binding, set from that shard's thread and read after the call.
private final class TestBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: (Int, Int, [Int]) = (0, -1, [])
    func set(tid: Int, shard: Int, binding: [Int]) { lock.lock(); value = (tid, shard, binding); lock.unlock() }
    func get() -> (Int, Int, [Int]) { lock.lock(); defer { lock.unlock() }; return value }
}
