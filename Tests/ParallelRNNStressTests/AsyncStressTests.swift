import Dispatch
import Foundation
import ParallelRNN
import Synchronization
import Testing

extension StressTests {
    /// `rnnAsync` must not block Swift's cooperative pool: with more concurrent calls than cores whose steps wait for
    /// another task, that task still runs (a blocking implementation would time out here instead of deadlocking).
    /// Other suites' long synchronous tests also hold pool threads, so Scripts/test runs this one in its own process.
    @Test func asyncCallsDoNotBlockTheCooperativePool() async throws {
        let cores = max(1, Stress.allowedCPUs.count)
        let calls = 4 * cores + 2
        for round in 0..<Stress.count(5) {
            let opened = Flag()
            let timedOut = Counter()
            // Every step of every call waits (bounded) until the other task has run.
            let waitForOpener: @Sendable () -> Void = {
                let deadline = DispatchTime.now().uptimeNanoseconds + 10_000_000_000
                while !opened.isSet {
                    if DispatchTime.now().uptimeNanoseconds > deadline {
                        timedOut.increment()
                        return
                    }
                    usleep(200)
                }
            }
            let workloads = (0..<calls).map { Workload(seed: UInt64(round * 100 + $0)) }
            let results = try await withThrowingTaskGroup(of: (Int, [Tensor<Float>]).self) { group in
                for (i, workload) in workloads.enumerated() {
                    group.addTask {
                        (i, try await workload.runAsync(i % 2 == 0 ? .automatic : .threads(cores + 1),
                                                        beforeEachStep: waitForOpener))
                    }
                }
                // The other task: it only needs a cooperative thread for a moment.
                group.addTask {
                    try await Task.sleep(for: .milliseconds(20))
                    await Task.yield()
                    opened.set()
                    return (-1, [])
                }
                var out: [Int: [Tensor<Float>]] = [:]
                for try await (i, r) in group where i >= 0 { out[i] = r }
                return out
            }
            #expect(timedOut.value == 0, "steps waited 10 s for a task that could not run")
            for (i, workload) in workloads.enumerated() {
                #expect(try bitwiseEqual(results[i] ?? [], workload.run(.serial)), "\(workload)")
            }
        }
    }
}

/// A one-way flag shared by tasks and Dispatch threads.
final class Flag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isSet: Bool { flag.load(ordering: .acquiring) }
    func set() { flag.store(true, ordering: .releasing) }
}

/// A counter shared by tasks and Dispatch threads.
final class Counter: Sendable {
    private let count = Atomic<Int>(0)
    var value: Int { count.load(ordering: .relaxed) }
    func increment() { count.add(1, ordering: .relaxed) }
}
