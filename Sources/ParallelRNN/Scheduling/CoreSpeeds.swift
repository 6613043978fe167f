import Synchronization

/// The allowed cores' relative speeds as recent `.automatic` calls measured them.
///
/// On a shared machine one core can run slower than the other for seconds (another tenant on its sibling hardware
/// thread), and a call waits for its slowest shard. `.automatic` plans therefore size each core's shard by its
/// speed (``ShardPlan/proportional(rows:weights:pinned:)``), learned from the shards' own times: after every
/// measured call, `factor ← (factor + relative speed) / 2`, relative speed = (rows / seconds) over the mean, clamped
/// to 0.5…2 — per core, of this call's and the previous measured call's (of those that used the core), the one nearer
/// 1, or 1 when they lie on opposite sides of it: a core must look slower (or faster) in two calls running before the
/// split moves, so one disturbed call (a process's first, whose worker thread has just started: one shard up to 2×
/// slower, measured) does not reshape the next. Factors within 5 % of each other give the plain even split. Results
/// do not depend on the split (rows are independent), only the time does.
package final class CoreSpeeds: Sendable {
    /// One per allowed core (more cores than slots share nothing: they stay even).
    private final class Slot: Sendable {
        let bits = Atomic<UInt64>((1.0).bitPattern)
        /// The relative speed the previous measured call saw (1 before any).
        let lastBits = Atomic<UInt64>((1.0).bitPattern)
        var value: Double { Double(bitPattern: bits.load(ordering: .relaxed)) }
        func set(_ v: Double) { bits.store(v.bitPattern, ordering: .relaxed) }
        var last: Double { Double(bitPattern: lastBits.load(ordering: .relaxed)) }
        func setLast(_ v: Double) { lastBits.store(v.bitPattern, ordering: .relaxed) }
    }

    private let slots: [Slot]
    /// Serialises whole updates and reads (once per call, never inside a shard): concurrent callers would otherwise
    /// lose each other's updates or read half of one.
    private let update = Mutex(())

    package static let shared = CoreSpeeds(cores: 512)

    package init(cores: Int) { slots = (0..<max(1, cores)).map { _ in Slot() } }

    /// Calls shorter than this (slowest shard) are not measured: timer and wake-up noise would dominate.
    static let minimumSeconds = 0.002
    /// Factors closer than this ratio count as equal (no reweighting for noise-level differences).
    static let deadBand = 1.05

    /// Per-shard weights for a plan of `count` shards on cores `0..<count`, or nil for the even split.
    package func weights(count: Int) -> [Double]? {
        guard count > 1, count <= slots.count else { return nil }
        let w = update.withLock { _ in (0..<count).map { slots[$0].value } }
        guard let lo = w.min(), let hi = w.max(), lo > 0, hi / lo > Self.deadBand else { return nil }
        return w
    }

    /// Records a finished call: shard `i` ran `rows[i]` rows on core `i` in `seconds[i]`.
    package func record(rows: [Int], seconds: [Double]) {
        let count = rows.count
        guard count > 1, count == seconds.count, count <= slots.count,
              let slowest = seconds.max(), slowest >= Self.minimumSeconds,
              seconds.allSatisfy({ $0 > 0 }), rows.allSatisfy({ $0 > 0 }) else { return }
        let rates = zip(rows, seconds).map { Double($0) / $1 }
        let mean = rates.reduce(0, +) / Double(count)
        update.withLock { _ in
            var factors = (0..<count).map { i in
                let now = min(2, max(0.5, rates[i] / mean)), previous = slots[i].last
                slots[i].setLast(now)
                let agreed = (previous - 1) * (now - 1) <= 0 ? 1 : abs(previous - 1) < abs(now - 1) ? previous : now
                return (slots[i].value + agreed) / 2
            }
            let norm = factors.reduce(0, +) / Double(count)
            factors = factors.map { $0 / norm }
            for i in 0..<count { slots[i].set(factors[i]) }
        }
    }

    /// Forgets every measurement (all cores equal again).
    package func reset() { update.withLock { _ in for s in slots { s.set(1); s.setLast(1) } } }
}
