import Dispatch
import Foundation
import ParallelRNN
import Testing

/// libdispatch creates pool threads on the thread that enqueues work, and a new thread inherits its creator's CPU
/// binding and MXCSR. A step function that calls `rnn` enqueues from inside a shard: pinned to one core, with FTZ/DAZ
/// set. Threads created then must not keep either (found in review: they stayed pinned to the outer shard's core, and
/// flushed denormals in any later work item, until they exited).
extension StressTests {
    @Test func threadsCreatedInsideAShardInheritNeitherItsPinNorFTZ() throws {
        let allowed = Stress.allowedCPUs
        try #require(!allowed.isEmpty)
        #expect(Probe.keepsDenormals(), "this thread flushes denormals before the test")
        let inner: StepFunction<Float> = { x, s in (x, s) }
        let innerInputs = Tensor<Float>(zeros: [64, 1, 1])
        let outer: StepFunction<Float> = { x, s in
            // Many shards, so that the idle pool threads do not suffice and new ones are created.
            _ = try rnn(inner, inputs: innerInputs, initialStates: [], execution: .threads(32, pinned: false))
            _ = try rnn(inner, inputs: innerInputs, initialStates: [], execution: .threads(32))
            return (x, s)
        }
        for _ in 0..<Stress.count(20, minimum: 5) {
            _ = try rnn(outer, inputs: Tensor(zeros: [8, 3, 1]), initialStates: [], execution: .automatic)
        }
        // Probes on the overcommit pool, each holding its thread for a moment, so that every idle thread takes one.
        let leaks = Locked<[String]>([])
        let probes = DispatchGroup()
        for i in 0..<Stress.count(96, minimum: 48) {
            DispatchQueue(label: "probe.\(i)").async(group: probes) {
                let cpus = Stress.currentThreadCPUs() ?? []
                if cpus != allowed { leaks.withLock { $0.append("pinned to \(cpus)") } }
                if !Probe.keepsDenormals() { leaks.withLock { $0.append("flushes denormals") } }
                usleep(3_000)
            }
        }
        probes.wait()
        let found = leaks.withLock { $0 }
        #expect(found.count == 0, "probes on inherited state (allowed \(allowed)): \(Set(found).sorted())")
        #expect(Stress.currentThreadCPUs() == allowed && Probe.keepsDenormals(), "the calling thread")
    }
}

private enum Probe {
    /// Whether this thread computes with subnormal numbers (no FTZ/DAZ): a subnormal times one is itself.
    @inline(never) static func keepsDenormals(_ x: Float = Float(bitPattern: 0x0000_1000)) -> Bool {
        opaque(x) * opaque(1) != 0
    }

    @inline(never) static func opaque(_ v: Float) -> Float { v }
}
