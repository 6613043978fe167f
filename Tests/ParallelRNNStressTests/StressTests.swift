import Dispatch
import Foundation
import ParallelRNN
import Synchronization
import Testing

/// Many concurrent callers of `rnn` (threads released together, Swift tasks), mixed shapes, masks, directions, flat
/// and nested calls: every parallel result must be bitwise identical to `.serial`; injected step errors must come
/// back unchanged and leave the library usable; no thread may stay pinned; memory must stay flat.
@Suite("Stress", .serialized)
struct StressTests {
    @Test func concurrentThreadsMatchSerial() throws {
        let threads = max(4, 2 * Stress.allowedCPUs.count)
        let callsPerThread = Stress.count(300)
        let found = Stress.failuresOnThreads(threads, callsPerThread: callsPerThread) { t, call, fail in
            let seed = UInt64(t * 100_000 + call)
            let workload = Workload(seed: seed)
            let execution = Stress.parallelExecutions[Int(seed % UInt64(Stress.parallelExecutions.count))]
            Stress.checkMatchesSerial("seed \(seed) \(workload)", execution, fail: fail, workload.run)
        }
        #expect(found.count == 0, "\(found.count) failures, first: \(found.prefix(3))")
    }

    @Test func concurrentTasksMatchSerial() async throws {
        let tasks = max(4, 3 * Stress.allowedCPUs.count)
        let callsPerTask = Stress.count(120)
        let found = try await withThrowingTaskGroup(of: [String].self) { group in
            for t in 0..<tasks {
                group.addTask {
                    var failures: [String] = []
                    for call in 0..<callsPerTask {
                        let seed = UInt64(7_000_000 + t * 10_000 + call)
                        let workload = Workload(seed: seed)
                        let execution = Stress.parallelExecutions[Int(seed % UInt64(Stress.parallelExecutions.count))]
                        // Alternate the blocking and the async form.
                        let parallel = call % 2 == 0 ? try workload.run(execution)
                                                     : try await workload.runAsync(execution)
                        let serial = try workload.run(.serial)
                        if !bitwiseEqual(parallel, serial) {
                            failures.append("seed \(seed) \(execution) \(workload): differs from serial")
                        }
                    }
                    return failures
                }
            }
            var all: [String] = []
            for try await part in group { all += part }
            return all
        }
        #expect(found.count == 0, "\(found.count) failures, first: \(found.prefix(3))")
    }

    @Test func injectedStepErrorsComeBackUnchanged() throws {
        let threads = max(2, Stress.allowedCPUs.count)
        let callsPerThread = Stress.count(200)
        let found = Stress.failuresOnThreads(threads, callsPerThread: callsPerThread) { t, call, fail in
            let seed = UInt64(9_000_000 + t * 10_000 + call)
            let failing = Workload(seed: seed, injectFailure: true)
            let execution = Stress.parallelExecutions[Int(seed % UInt64(Stress.parallelExecutions.count))]
            Stress.checkInjectedFailure(failing, seed: seed, execution, fail: fail)
            // The next call works and is still exact.
            let healthy = Workload(seed: seed ^ 0x5555)
            Stress.checkMatchesSerial("seed \(seed) after an error", execution, fail: fail, healthy.run)
        }
        #expect(found.count == 0, "\(found.count) failures, first: \(found.prefix(3))")
    }

    @Test func noThreadStaysPinned() throws {
        let allowed = Stress.allowedCPUs
        try #require(!allowed.isEmpty)
        // Many pinned calls, from several threads at once and with more shards than cores.
        let callers = max(2, allowed.count)
        let done = DispatchGroup()
        for c in 0..<callers {
            DispatchQueue.global().async(group: done) {
                for call in 0..<Stress.count(200) {
                    let workload = Workload(seed: UInt64(c * 1000 + call))
                    _ = try? workload.run(call % 2 == 0 ? .automatic : .threads(3 * allowed.count + 1))
                }
            }
        }
        done.wait()
        #expect(Stress.currentThreadCPUs() == allowed, "the calling thread")
        // Plain work items on every global queue see the full allowed set.
        let leaks = Locked<[String]>([])
        let probes = DispatchGroup()
        let queues: [(String, DispatchQueue)] = [
            ("global", .global()), ("userInitiated", .global(qos: .userInitiated)), ("utility", .global(qos: .utility)),
            ("serial (overcommit pool)", DispatchQueue(label: "probe")),
            ("concurrent", DispatchQueue(label: "probe.concurrent", attributes: .concurrent)),
        ]
        for i in 0..<Stress.count(400, minimum: 50) {
            let (name, queue) = queues[i % queues.count]
            queue.async(group: probes) {
                let cpus = Stress.currentThreadCPUs() ?? []
                if cpus != allowed { leaks.withLock { $0.append("\(name): \(cpus)") } }
            }
        }
        probes.wait()
        let found = leaks.withLock { $0 }
        #expect(found.count == 0, "pinned leftovers (allowed \(allowed)): \(found.prefix(5))")
    }

    /// Process-wide RSS, so it runs only alone (`PARALLELRNN_ALONE=1`, as Scripts/test runs it): beside the other
    /// suites their allocations grow RSS by more than the bound in most windows.
    @Test(.enabled(if: Stress.runsAlone, "measures the whole process's RSS: Scripts/test runs it alone"))
    func residentMemoryStaysFlat() throws {
        let workloads = (0..<16).map { Workload(seed: UInt64(11_000 + $0)) }
        let executions = Stress.parallelExecutions
        func batch(_ calls: Int) throws {
            for i in 0..<calls {
                _ = try workloads[i % workloads.count].run(executions[i % executions.count])
            }
        }
        try batch(300)  // warm-up: thread pool, malloc arenas, topology
        // Equal windows of calls, RSS sampled after each. Per-thread state (malloc arenas of new Dispatch threads, each
        // thread's GEMM scratch) may still settle in the first window, so it is not judged. A leak grows RSS in every
        // window; other suites running in this process at the same time grow it in some (their allocations and frees
        // are not ours), so the median window is judged: a leak of `bound / window` bytes per call or more fails it
        // (1 KiB per call at the default scale). Large buffers released by any test are kept for reuse (bounded, by
        // design; see releaseCachedBuffers): they are returned before each sample so that only leaks count.
        let windows = 5
        let window = max(100, Stress.count(3000) / windows)
        let bound = window * 1024
        func sample() -> Int {
            releaseCachedBuffers()
            return Stress.residentBytes()
        }
        try batch(window)
        var samples = [sample()]
        for _ in 0..<windows {
            try batch(window)
            samples.append(sample())
        }
        let growths = zip(samples.dropFirst(), samples).map { $0 - $1 }
        let median = growths.sorted()[windows / 2]
        print("RSS (KiB) after a settling window and \(windows) windows of \(window) calls: \(samples.map { $0 / 1024 })")
        #expect(median < bound, "median RSS growth \(median / 1024) KiB per \(window) calls (growths \(growths.map { $0 / 1024 }) KiB) ≥ \(bound / 1024) KiB")
    }
}
