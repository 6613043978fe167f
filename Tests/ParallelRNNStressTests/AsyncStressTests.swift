import Dispatch
import Foundation
import ParallelRNN
import Synchronization
import Testing

extension StressTests {
    /// `rnnAsync` must not block Swift's cooperative pool: with more concurrent calls than cores whose steps wait for
    /// another task, that task still runs (a blocking implementation would time out here instead of deadlocking).
    /// Beside the other suites, whose synchronous tests can hold every pool thread for a minute on two cores, the
    /// window counts from the other task's first run: from then on it needs a thread again within 20 s.
    @Test func asyncCallsDoNotBlockTheCooperativePool() async throws {
        let cores = max(1, Stress.allowedCPUs.count)
        let calls = 4 * cores + 2
        for round in 0..<Stress.count(5) {
            let started = Moment()
            let opened = Flag()
            let timedOut = Counter()
            // Every step of every call waits (bounded) until the other task has run: 20 s from its first run, or
            // 300 s for that first run.
            let waitForOpener: @Sendable () -> Void = {
                let stepStart = DispatchTime.now().uptimeNanoseconds
                while !opened.isSet {
                    let now = DispatchTime.now().uptimeNanoseconds
                    let deadline = started.value.map { $0 + 20_000_000_000 } ?? stepStart + 300_000_000_000
                    if now > deadline {
                        timedOut.increment()
                        return
                    }
                    usleep(200)
                }
            }
            let workloads = (0..<calls).map { Workload(seed: UInt64(round * 100 + $0)) }
            let results = try await withThrowingTaskGroup(of: (Int, [Tensor<Float>]).self) { group in
                // The other task, added first: it starts, lets the calls begin, then needs a thread for a moment.
                group.addTask(priority: .high) {
                    started.record()
                    try await Task.sleep(for: .milliseconds(20))
                    await Task.yield()
                    opened.set()
                    return (-1, [])
                }
                for (i, workload) in workloads.enumerated() {
                    group.addTask {
                        (i, try await workload.runAsync(i % 2 == 0 ? .automatic : .threads(cores + 1),
                                                        beforeEachStep: waitForOpener))
                    }
                }
                var out: [Int: [Tensor<Float>]] = [:]
                for try await (i, r) in group where i >= 0 { out[i] = r }
                return out
            }
            #expect(timedOut.value == 0, "steps waited 20 s for a task that could not run")
            if timedOut.value > 0 { break }  // each further round would only wait another 20 s
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

/// A moment recorded once (uptime nanoseconds), shared by tasks and Dispatch threads.
final class Moment: Sendable {
    private let nanoseconds = Atomic<UInt64>(0)
    var value: UInt64? {
        let t = nanoseconds.load(ordering: .acquiring)
        return t == 0 ? nil : t
    }
    func record() { nanoseconds.store(max(1, DispatchTime.now().uptimeNanoseconds), ordering: .releasing) }
}

/// A counter shared by tasks and Dispatch threads.
final class Counter: Sendable {
    private let count = Atomic<Int>(0)
    var value: Int { count.load(ordering: .relaxed) }
    func increment() { count.add(1, ordering: .relaxed) }
}
