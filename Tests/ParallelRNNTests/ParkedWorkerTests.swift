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
        for _ in 0..<50 {
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
            let handOffs = ParkedWorkers.handOffs
            let second = TestBox()
            try PinnedExecutor.run(plan, topology: topology) { shard, _, _ in
                let tid = Self.threadID()
                if tid != caller { second.set(tid: tid, shard: shard, binding: topology.currentThreadBinding() ?? []) }
            }
            let (tid, shard, binding) = second.get()
            guard ParkedWorkers.handOffs > handOffs, tid == worker else {
                failures.append("not handed to the parked thread (\(tid) vs \(worker))"); continue
            }
            #expect(parkedBinding == topology.allowedOSIndices, "a parked thread keeps no binding")
            #expect(binding == [topology.cores[shard % topology.coreCount].osIndex], "the handed shard runs pinned")
            return
        }
        Issue.record("no attempt handed a shard to a parked thread: \(Set(failures))")
    }

    /// A parked thread that is handed nothing returns after its spin (100 µs; longer if other suites' calls hand it
    /// shards meanwhile). One that never gave up would hold its pool thread for good.
    @Test(.enabled(if: cores >= 2, "needs two cores"))
    func aParkedThreadReturns() {
        let returned = DispatchSemaphore(value: 0)
        DispatchQueue(label: "park test").async {
            ParkedWorkers.park()
            returned.signal()
        }
        #expect(returned.wait(timeout: .now() + 10) == .success)
    }
}

/// One shard's thread, shard and binding, set from that shard's thread and read after the call.
private final class TestBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: (Int, Int, [Int]) = (0, -1, [])
    func set(tid: Int, shard: Int, binding: [Int]) { lock.lock(); value = (tid, shard, binding); lock.unlock() }
    func get() -> (Int, Int, [Int]) { lock.lock(); defer { lock.unlock() }; return value }
}
