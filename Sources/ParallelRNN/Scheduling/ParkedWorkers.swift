import _ParallelRNNKernels
import Dispatch
import Synchronization

/// Pool threads that have run a call's work item and wait a moment, spinning, for the next call's job (as
/// onnxruntime's and TF's pools do), so that back-to-back calls hand their jobs to a running thread instead of waking
/// one.
///
/// A woken Dispatch thread started 23–39 µs after its enqueue on the 2-vCPU dev VM (p10–p90), and its bind then moved
/// it to the other vCPU (14–30 µs): a call of a few hundred microseconds waited that long for its second shard. A
/// parked thread takes a handed job within a microsecond and claims its shards as an item would. Each park lasts
/// ``spinNanoseconds`` after the thread's last job (longer only while a caller is handing it one); at most
/// `cores − 1` threads park or run handed jobs at a time; they hold no binding (every shard restores its thread's,
/// unless the OS refused, which is reported once); and only items of calls made outside any shard, whose shards did
/// not outnumber the cores, park (else a spinning thread would take a core from a shard still to run).
enum ParkedWorkers {
    /// How long a thread spins for a new shard after its last one: 100 µs (tests lengthen it to exercise hand-offs
    /// where calls come slower, as under ThreadSanitizer).
    package static var spinNanoseconds: Int {
        get { spin.load(ordering: .relaxed) }
        set { spin.store(min(max(0, newValue), 1_000_000_000), ordering: .relaxed) }  // at most 1 s
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

    /// Threads parked or running a handed job now (tests).
    package static var parkedNow: Int { parkedCount.load(ordering: .relaxed) }
    /// Jobs handed to parked threads so far (tests, diagnostics).
    package static var handOffs: Int { handOffCount.load(ordering: .relaxed) }
    /// At most this many threads park (or run handed jobs) at a time: cores − 1, and none on one core.
    package static let limit = min(capacity, max(0, (Topology.sharedIfAvailable?.coreCount ?? 1) - 1))

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

    /// Starts a pool thread that parks, when none is parked. Not from inside a shard: a thread created there would
    /// inherit the shard's binding and control word, and the cores run the outer call's shards.
    static func prime() {
        guard limit > 0, parkedNow == 0, !PinnedExecutor.callerIsInShard else { return }
        DispatchQueue(label: "ParallelRNN.park").async { park() }
    }

    /// Parks the calling pool thread: runs the jobs handed to it until ``spinNanoseconds`` pass without one. Returns
    /// false at once when ``limit`` threads are parked already.
    @discardableResult
    package static func park() -> Bool {
        guard limit > 0 else { return false }
        if parkedCount.wrappingAdd(1, ordering: .relaxed).newValue > limit {
            parkedCount.wrappingSubtract(1, ordering: .relaxed)
            return false
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
                    guard job.parksAfter else { return true }
                    break  // park again, with a fresh deadline
                }
                if state == Slot.parked && DispatchTime.now().uptimeNanoseconds > deadline
                    && slot.state.compareExchange(expected: Slot.parked, desired: Slot.empty, ordering: .acquiringAndReleasing).exchanged {
                    return true
                }
                prnn_cpu_relax()  // parked, or reserved by a caller about to hand a job
            }
        }
        return false  // no free slot (cannot happen: each of at most `limit` ≤ `capacity` threads holds one)
    }
}
