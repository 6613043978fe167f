import _ParallelRNNKernels
import Dispatch
import Synchronization

/// Pool threads that have run a call's shards and wait a moment, spinning, for the next call's (as onnxruntime's and
/// TF's pools do), so that back-to-back calls hand their shards to a running thread instead of waking one.
///
/// A woken Dispatch thread started 23–39 µs after its enqueue on the 2-vCPU dev VM (p10–p90), and its bind then moved
/// it to the other vCPU (14–30 µs): a call of a few hundred microseconds waited that long for its second shard. A
/// parked thread takes a handed shard within a microsecond. Each park lasts at most ``spinNanoseconds`` after the thread's
/// last shard; at most `cores − 1` threads park at a time, never pinned (every shard restores its thread's binding),
/// and only after calls whose shards did not outnumber the cores (where a spinning thread would take a core from a
/// shard still to run).
enum ParkedWorkers {
    /// How long a thread spins for a new shard after its last one: 100 µs (tests lengthen it to exercise hand-offs
    /// where calls come slower, as under ThreadSanitizer).
    package static var spinNanoseconds: Int {
        get { spin.load(ordering: .relaxed) }
        set { spin.store(max(0, newValue), ordering: .relaxed) }
    }
    private static let spin = Atomic<Int>(100_000)
    /// Slots for parked threads; the number parked is also capped by the cores (``limit``).
    static let capacity = 16

    /// A parked thread's slot: `empty` → `parked` (by a thread that parks) → `reserved` (by a caller handing it a
    /// job) → `handed` (the job written) → `empty` (the parked thread took it); or `parked` → `empty` (it gave up).
    final class Slot: @unchecked Sendable {
        let state = Atomic<Int>(Slot.empty)
        /// Written by the handing caller between `reserved` and `handed`; read by the parked thread after `handed`.
        var job: Unmanaged<ShardJob>?
        static let empty = 0, parked = 1, reserved = 2, handed = 3
    }

    static let slots: [Slot] = (0..<capacity).map { _ in Slot() }
    private static let parkedCount = Atomic<Int>(0)
    private static let handOffCount = Atomic<Int>(0)

    /// Threads parked now (tests).
    package static var parkedNow: Int { parkedCount.load(ordering: .relaxed) }
    /// Jobs handed to parked threads so far (tests, diagnostics).
    package static var handOffs: Int { handOffCount.load(ordering: .relaxed) }
    private static let limit = min(capacity, max(0, (Topology.sharedIfAvailable?.coreCount ?? 1) - 1))

    /// Hands `job` to a parked thread, which will run `job.runClaimed()`; false when none is parked.
    static func handOff(_ job: ShardJob) -> Bool {
        guard parkedCount.load(ordering: .relaxed) > 0 else { return false }
        for slot in slots where slot.state.load(ordering: .relaxed) == Slot.parked {
            if slot.state.compareExchange(expected: Slot.parked, desired: Slot.reserved, ordering: .acquiring).exchanged {
                slot.job = Unmanaged.passRetained(job)
                slot.state.store(Slot.handed, ordering: .releasing)
                handOffCount.add(1, ordering: .relaxed)
                return true
            }
        }
        return false
    }

    /// Parks the calling pool thread: runs the jobs handed to it until ``spinNanoseconds`` pass without one.
    package static func park() {
        guard limit > 0 else { return }
        if parkedCount.wrappingAdd(1, ordering: .relaxed).newValue > limit {
            parkedCount.wrappingSubtract(1, ordering: .relaxed)
            return
        }
        defer { parkedCount.wrappingSubtract(1, ordering: .relaxed) }
        let spin = UInt64(spinNanoseconds)
        while let slot = slots.first(where: {
            $0.state.compareExchange(expected: Slot.empty, desired: Slot.parked, ordering: .acquiringAndReleasing).exchanged
        }) {
            let deadline = DispatchTime.now().uptimeNanoseconds + spin
            while true {
                let state = slot.state.load(ordering: .acquiring)
                if state == Slot.handed {
                    let job = slot.job!.takeRetainedValue()
                    slot.job = nil
                    slot.state.store(Slot.empty, ordering: .releasing)
                    job.runClaimed()
                    guard job.parksAfter else { return }
                    break  // park again, with a fresh deadline
                }
                if state == Slot.parked && DispatchTime.now().uptimeNanoseconds > deadline
                    && slot.state.compareExchange(expected: Slot.parked, desired: Slot.empty, ordering: .acquiringAndReleasing).exchanged {
                    return
                }
                prnn_cpu_relax()  // parked, or reserved by a caller about to hand a job
            }
        }
    }
}
