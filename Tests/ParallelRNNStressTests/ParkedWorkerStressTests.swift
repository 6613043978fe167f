import Dispatch
import Foundation
@testable import ParallelRNN
import Testing

extension StressTests {
    /// Back-to-back calls from several threads with the parked threads spinning long enough to be handed most of
    /// them (here and under ThreadSanitizer, where calls come slower): results bitwise as `.serial`, injected errors
    /// back unchanged, and no thread left pinned.
    @Test func parkedThreadsTakeBackToBackCalls() throws {
        let saved = ParkedWorkers.spinNanoseconds
        ParkedWorkers.spinNanoseconds = 20_000_000
        defer { ParkedWorkers.spinNanoseconds = saved }
        let cores = Topology.sharedIfAvailable?.coreCount ?? 1  // physical cores, as the executor counts them
        // Shards ≤ cores park afterwards; more shards than cores do not (a handed job of those must not re-park).
        let executions: [Execution] = [.automatic, .threads(2), .threads(cores), .threads(2, pinned: false),
                                       .threads(2 * cores + 1)]
        let handOffsBefore = ParkedWorkers.handOffs
        let found = Stress.failuresOnThreads(max(2, cores), callsPerThread: Stress.count(150, minimum: 30)) { t, call, fail in
            if ParkedWorkers.parkedNow > ParkedWorkers.limit {
                fail("\(ParkedWorkers.parkedNow) threads parked, limit \(ParkedWorkers.limit)")
            }
            let seed = UInt64(12_000_000 + t * 10_000 + call)
            let execution = executions[call % executions.count]
            if call % 7 == 3 {
                Stress.checkInjectedFailure(Workload(seed: seed, injectFailure: true), seed: seed, execution, fail: fail)
            } else {
                let workload = Workload(seed: seed)
                Stress.checkMatchesSerial("seed \(seed) \(workload)", execution, fail: fail, workload.run)
            }
        }
        #expect(found.count == 0, "\(found.count) failures, first: \(found.prefix(3))")
        if ParkedWorkers.limit > 0 {
            #expect(ParkedWorkers.handOffs > handOffsBefore, "no call was handed to a parked thread")
        }
        // Parked threads are unpinned: plain work items (which may land on a thread that was parked) see every CPU.
        ParkedWorkers.spinNanoseconds = saved
        usleep(50_000)  // the 20 ms parks end
        let leaks = Locked<[String]>([])
        let probes = DispatchGroup()
        for i in 0..<Stress.count(200, minimum: 50) {
            (i % 2 == 0 ? DispatchQueue(label: "probe") : .global()).async(group: probes) {
                let cpus = Stress.currentThreadCPUs() ?? []
                if cpus != Stress.allowedCPUs { leaks.withLock { $0.append("\(cpus)") } }
            }
        }
        probes.wait()
        #expect(leaks.withLock { $0 } == [], "pinned leftovers")
    }
}
