/// How one call splits its batch rows into shards: contiguous ranges in order, each run by one work item.
///
/// `ranges` cover `0..<rows` exactly, in order, none empty (except the single `0..<0` of an empty batch). With
/// `pinned`, shard `i` runs on allowed core `i mod coreCount`; a single unpinned shard runs on the calling thread.
package struct ShardPlan: Sendable, Equatable {
    /// Row ranges, contiguous and in order, covering `0..<rows`; `[0..<0]` when `rows == 0`.
    package var ranges: [Range<Int>]
    /// Whether each shard binds its thread to a core.
    package var pinned: Bool
    /// Whether the engine times the shards and sizes later plans by the cores' measured speeds (``CoreSpeeds``):
    /// `.automatic` plans of one pinned shard per core.
    package var adaptive: Bool

    package init(ranges: [Range<Int>], pinned: Bool, adaptive: Bool = false) {
        self.ranges = ranges
        self.pinned = pinned
        self.adaptive = adaptive
    }

    /// The number of shards.
    package var count: Int { ranges.count }

    /// Splits `rows` rows.
    ///
    /// - `.serial` → one shard, unpinned (on the calling thread).
    /// - `.threads(n, pinned:)` → exactly `min(n, rows)` shards, sizes differing by at most one (the first shards get
    ///   the extra rows); `n <= 0` throws ``RNNError/threadCount(_:)``.
    /// - `.automatic` → `min(coreCount, max(1, rows / minimumRowsPerShard), maximumShards)` shards, pinned — except
    ///   that a plan of one shard is unpinned (it runs on the calling thread: no hop, no migration).
    ///
    /// `rows == 0` gives `[0..<0]`, unpinned, whatever the execution (the step still runs, on the calling thread).
    /// `coreCount`, `minimumRowsPerShard` and `maximumShards` (a cap the caller derives from its work estimate; only
    /// `.automatic` reads it) below 1 count as 1.
    package static func make(rows: Int, execution: Execution, coreCount: Int, minimumRowsPerShard: Int,
                             maximumShards: Int = .max) throws(RNNError) -> ShardPlan {
        let (count, pinned) = try shape(rows: rows, execution: execution, coreCount: coreCount,
                                        minimumRowsPerShard: minimumRowsPerShard, maximumShards: maximumShards)
        guard rows > 0 else { return ShardPlan(ranges: [0..<0], pinned: false) }
        let base = rows / count
        let extra = rows % count
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(count)
        var start = 0
        for shard in 0..<count {
            let end = start + base + (shard < extra ? 1 : 0)
            ranges.append(start..<end)
            start = end
        }
        return ShardPlan(ranges: ranges, pinned: pinned)
    }

    /// `rows` rows in `weights.count` contiguous shards sized in proportion to `weights` (largest remainders), each
    /// at least one row. Requires `rows ≥ weights.count ≥ 1` and positive weights.
    package static func proportional(rows: Int, weights: [Double], pinned: Bool) -> ShardPlan {
        let count = weights.count
        precondition(count >= 1 && rows >= count && weights.allSatisfy { $0 > 0 }, "proportional plan: bad arguments")
        let total = weights.reduce(0, +)
        // One row each, then the remaining rows by share; leftovers to the largest fractional parts.
        let spare = rows - count
        let exact = weights.map { Double(spare) * $0 / total }
        var sizes = exact.map { 1 + Int($0) }
        let order = (0..<count).sorted { (exact[$0] - exact[$0].rounded(.down)) > (exact[$1] - exact[$1].rounded(.down)) }
        for i in order.prefix(rows - sizes.reduce(0, +)) { sizes[i] += 1 }
        var ranges: [Range<Int>] = []
        var start = 0
        for size in sizes {
            ranges.append(start..<(start + size))
            start += size
        }
        return ShardPlan(ranges: ranges, pinned: pinned)
    }

    /// The speed-weighted split of `rows` (``proportional(rows:weights:pinned:)``), unless every shard of the
    /// `even` split has a size the kernel runs faster at: `fastGain(size)` > 1, that kernel's time ratio at other sizes
    /// over its time at `size`. Then `even` is kept while it finishes first: its slowest core takes
    /// (rows / n) / (slowest · gain), the weighted split about rows / Σ speeds (at the plain rate), so `even` wins
    /// while mean speed / slowest ≤ gain (for two cores, speeds up to 2 · gain − 1 apart).
    static func weighted(even: ShardPlan, rows: Int, weights: [Double], fastGain: ((Int) -> Double)?) -> ShardPlan {
        if let fastGain, let gain = even.ranges.map({ fastGain($0.count) }).min(), gain > 1,
           let lo = weights.min(), lo > 0, weights.reduce(0, +) / Double(weights.count) / lo <= gain {
            return even
        }
        return proportional(rows: rows, weights: weights, pinned: even.pinned)
    }

    /// Length-aware split of positions `0..<work.count`, where `work[p]` is the cost of the row at position `p`
    /// (e.g. its number of live time steps; the caller sorted rows by decreasing work). Shard count and pinning are
    /// those of ``make(rows:execution:coreCount:minimumRowsPerShard:maximumShards:)`` for `work.count` rows.
    ///
    /// The ranges are contiguous and non-empty, and minimise the largest per-shard total (the time of the parallel
    /// region); among such splits, boundaries sit as close as possible to equal shares of the total work (and, for
    /// equal work, of the row count). Negative work counts as 0.
    package static func make(work: [Int], execution: Execution, coreCount: Int, minimumRowsPerShard: Int,
                             maximumShards: Int = .max) throws(RNNError) -> ShardPlan {
        let rows = work.count
        let (count, pinned) = try shape(rows: rows, execution: execution, coreCount: coreCount,
                                        minimumRowsPerShard: minimumRowsPerShard, maximumShards: maximumShards)
        guard rows > 0 else { return ShardPlan(ranges: [0..<0], pinned: false) }
        return ShardPlan(ranges: WorkPartition(work: work).split(into: count), pinned: pinned)
    }

    /// Shard count (≥ 1, ≤ max(rows, 1)) and pinning for `rows` rows.
    private static func shape(rows: Int, execution: Execution, coreCount: Int, minimumRowsPerShard: Int,
                              maximumShards: Int) throws(RNNError) -> (count: Int, pinned: Bool) {
        switch execution.mode {
        case .serial:
            return (1, false)
        case let .threads(n, pinned):
            guard n > 0 else { throw .threadCount(n) }
            return (max(1, min(n, rows)), pinned && rows > 0)
        case .automatic:
            let perShard = max(1, minimumRowsPerShard)
            let count = min(max(1, coreCount), max(1, rows / perShard), max(1, maximumShards))
            return (count, count > 1)
        }
    }
}

/// Contiguous min-max partition of non-negative work values (painter's partition).
struct WorkPartition {
    /// prefix[p] = total work of positions 0..<p.
    private let prefix: [Int]

    init(work: [Int]) {
        var prefix = [0]
        prefix.reserveCapacity(work.count + 1)
        for w in work { prefix.append(prefix[prefix.count - 1] + max(0, w)) }
        self.prefix = prefix
    }

    private var n: Int { prefix.count - 1 }
    private func sum(_ from: Int, _ to: Int) -> Int { prefix[to] - prefix[from] }

    /// Exactly `count` non-empty contiguous ranges (1 ≤ count ≤ n) whose largest total is minimal.
    func split(into count: Int) -> [Range<Int>] {
        let capacity = optimalCapacity(count)
        // groupsNeeded[p]: greedy (= minimal) number of groups of total ≤ capacity covering positions p..<n.
        var groupsNeeded = [Int](repeating: 0, count: n + 1)
        var end = n
        for p in stride(from: n - 1, through: 0, by: -1) {
            // Largest `end` with sum(p, end) ≤ capacity; moves left as p moves left.
            while sum(p, end) > capacity { end -= 1 }
            groupsNeeded[p] = 1 + groupsNeeded[end]
        }
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(count)
        var start = 0
        for shard in 0..<count {
            let remaining = count - shard
            if remaining == 1 {
                ranges.append(start..<n)
                break
            }
            let best = bestEnd(start: start, remaining: remaining, capacity: capacity, groupsNeeded: groupsNeeded)
            ranges.append(start..<best)
            start = best
        }
        return ranges
    }

    /// The end of the shard that starts at `start` with `remaining` shards left (this one included). Allowed ends:
    /// non-empty, total ≤ capacity, leaving ≥ remaining − 1 positions that fit remaining − 1 groups — an interval,
    /// since `groupsNeeded` does not increase and the prefix sums do not decrease. Among them the end nearest the fair
    /// share of the remaining work, then of the remaining rows; on ties the later end (the first shards get the extra
    /// row). Found by bisection, O(log n): a linear scan was quadratic over runs of zero-work rows (fully masked).
    private func bestEnd(start: Int, remaining: Int, capacity: Int, groupsNeeded: [Int]) -> Int {
        let fairWork = Double(prefix[start]) + Double(prefix[n] - prefix[start]) / Double(remaining)
        let fairRows = Double(start) + Double(n - start) / Double(remaining)
        // [low, high]: the allowed ends.
        let low = firstIndex(from: start + 1, to: n + 1) { groupsNeeded[$0] <= remaining - 1 }
        let high = min(n - (remaining - 1), firstIndex(from: start + 1, to: n + 1) { sum(start, $0) > capacity } - 1)
        guard low <= high else { return start + 1 }
        // The nearest prefix values to fairWork: the last below it and the first at or above it; each holds a run of
        // ends, in which the row key picks its ends nearest fairRows (or the run's bounds).
        let above = firstIndex(from: low, to: high + 1) { Double(prefix[$0]) >= fairWork }
        var candidates: [Int] = []
        for anchor in [above - 1, above] where anchor >= low && anchor <= high {
            let value = prefix[anchor]
            let a = firstIndex(from: low, to: anchor) { prefix[$0] >= value }
            let b = firstIndex(from: anchor, to: high + 1) { prefix[$0] > value } - 1
            let near = Int(fairRows.rounded(.down))
            candidates += [a, b, min(max(near, a), b), min(max(near + 1, a), b)]
        }
        var best = start + 1
        var bestKey = (Double.infinity, Double.infinity)
        for candidate in candidates.sorted() {
            let key = (abs(Double(prefix[candidate]) - fairWork), abs(Double(candidate) - fairRows))
            if key.0 < bestKey.0 || (key.0 == bestKey.0 && key.1 <= bestKey.1) {
                best = candidate
                bestKey = key
            }
        }
        return best
    }

    /// The first index in `from..<to` where `predicate` holds (`to` if none); `predicate` must be monotone (false,
    /// then true).
    private func firstIndex(from: Int, to: Int, where predicate: (Int) -> Bool) -> Int {
        var (lo, hi) = (from, to)
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            if predicate(mid) { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }

    /// The smallest capacity C such that positions split into ≤ `count` contiguous groups of total ≤ C.
    private func optimalCapacity(_ count: Int) -> Int {
        var low = 0
        for p in 0..<n { low = max(low, sum(p, p + 1)) }
        var high = prefix[n]
        while low < high {
            let mid = low + (high - low) / 2
            if greedyGroups(capacity: mid) <= count { high = mid } else { low = mid + 1 }
        }
        return low
    }

    private func greedyGroups(capacity: Int) -> Int {
        var groups = 0
        var current = 0
        for p in 0..<n {
            let w = sum(p, p + 1)
            if groups == 0 || current + w > capacity {
                groups += 1
                current = w
            } else {
                current += w
            }
        }
        return groups
    }
}
