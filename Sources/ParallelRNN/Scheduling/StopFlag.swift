import Synchronization

/// What the shards of one ``PinnedExecutor`` call share about failure: each shard's progress, each shard's error,
/// and the earliest processing step at which any shard failed.
///
/// The call reports the error of the earliest failing step, ties going to the lowest shard: the error Keras would
/// raise, which runs each step on the whole batch. Shards stop once they are past that step, so which error a call
/// throws does not depend on which thread got there first.
package final class ShardFailures: @unchecked Sendable {
    /// The earliest step at which a shard failed (`Int.max`: none; −1: before its first step).
    private let earliest = Atomic<Int>(.max)
    /// The lowest shard that failed before its first step (`Int.max`: none).
    private let lowestFailedBeforeStart = Atomic<Int>(.max)
    // Slot s is written only by the thread running shard s, and read after the executor's join (which acquires).
    // Progress slots are a cache line apart: each shard writes its own once per step.
    private static let stride = 64 / MemoryLayout<Int>.stride
    private let progress: UnsafeMutableBufferPointer<Int>
    private let errors: UnsafeMutableBufferPointer<(step: Int, error: any Error)?>

    package init(shards: Int) {
        progress = .allocate(capacity: max(1, shards) * Self.stride)
        progress.initialize(repeating: -1)
        errors = .allocate(capacity: max(1, shards))
        errors.initialize(repeating: nil)
    }

    deinit {
        progress.deallocate()
        _ = errors.deinitialize()
        errors.deallocate()
    }

    /// Shard `shard`'s view, polled once per step.
    package func flag(shard: Int) -> StopFlag { StopFlag(failures: self, shard: shard) }

    /// Whether some shard failed.
    package var isSet: Bool { earliest.load(ordering: .acquiring) != .max }

    /// Whether `shard`, not started yet, should not start: a lower shard failed before its first step. (Its error
    /// wins every tie with this shard's, which could only be at that step too; a higher one's would not, so this
    /// shard still runs — else which error a call reports would depend on which thread got there first.)
    func stopsBeforeStart(shard: Int) -> Bool { lowestFailedBeforeStart.load(ordering: .acquiring) < shard }

    @inline(__always)
    fileprivate func shouldStop(_ shard: Int, before step: Int) -> Bool {
        progress[shard * Self.stride] = step
        return earliest.load(ordering: .acquiring) < step
    }

    /// Records `error`, thrown by `shard` during the step it last polled for (−1: before its first poll).
    func record(_ error: any Error, shard: Int) {
        let step = progress[shard * Self.stride]
        errors[shard] = (step, error)
        Self.lower(earliest, to: step)
        if step < 0 { Self.lower(lowestFailedBeforeStart, to: shard) }
    }

    /// Sets `value` to `candidate` where that is lower (an atomic minimum).
    private static func lower(_ value: borrowing Atomic<Int>, to candidate: Int) {
        var current = value.load(ordering: .relaxed)
        while candidate < current {
            let (exchanged, original) = value.compareExchange(
                expected: current, desired: candidate, ordering: .acquiringAndReleasing)
            if exchanged { break }
            current = original
        }
    }

    /// The error of the earliest failing step, lowest shard first; read only after every shard has returned.
    var reported: (any Error)? {
        var best: (step: Int, error: any Error)? = nil
        for case let failure? in errors where failure.step < (best?.step ?? .max) { best = failure }
        return best?.error
    }
}

/// One shard's view of its call's ``ShardFailures``: polled once per processing step, it says when to stop.
package struct StopFlag: Sendable {
    private let failures: ShardFailures
    private let shard: Int

    fileprivate init(failures: ShardFailures, shard: Int) {
        self.failures = failures
        self.shard = shard
    }

    /// Whether the shard should return before running processing step `step`: a shard failed at an earlier step, so
    /// no error this one could raise from here on would be reported. Call it once per step, in order, starting at 0:
    /// an error the shard throws is attributed to the last step it polled for. (A kernel that never throws may poll
    /// `0..<T` once per row block it runs in turn, as the fused cells' transposed blocks do.)
    @inline(__always)
    package func shouldStop(before step: Int) -> Bool { failures.shouldStop(shard, before: step) }

    /// Whether some shard of the call failed (at any step).
    package var isSet: Bool { failures.isSet }
}
