import Testing
@testable import ParallelRNN

/// Speed-weighted `.automatic` plans: the proportional split and the speed estimate behind it.
@Suite("Core speeds")
struct CoreSpeedTests {
    @Test("proportional plans: contiguous, cover the rows, at least one row each, sizes follow the weights")
    func proportional() {
        #expect(ShardPlan.proportional(rows: 90, weights: [2, 1], pinned: true)
                == ShardPlan(ranges: [0..<60, 60..<90], pinned: true))
        #expect(ShardPlan.proportional(rows: 10, weights: [1, 1, 1], pinned: false).ranges.map(\.count).sorted() == [3, 3, 4])
        #expect(ShardPlan.proportional(rows: 2, weights: [100, 1], pinned: true).ranges == [0..<1, 1..<2])
        for rows in 3..<50 {
            let plan = ShardPlan.proportional(rows: rows, weights: [1.3, 0.7, 1.0], pinned: true)
            let lower: Int = plan.ranges[0].lowerBound, upper: Int = plan.ranges[2].upperBound
            #expect(lower == 0)
            #expect(upper == rows)
            #expect(zip(plan.ranges, plan.ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
            #expect(plan.ranges.allSatisfy { !$0.isEmpty })
            let expected: Double = Double(rows - 3) * 1.3 / 3.0 + 1.0
            let first: Double = Double(plan.ranges[0].count)
            #expect(abs(first - expected) <= 1)
        }
    }

    @Test("an even split of shard sizes the kernel runs faster at is kept while mean speed / slowest ≤ its gain")
    func fastEvenSplit() {
        let even = ShardPlan(ranges: [0..<32, 32..<64], pinned: true)
        let fast: (Int) -> Double = { $0 == 32 ? 1.08 : 1 }
        let close = [1.06, 0.99]  // mean / slowest 1.035
        #expect(ShardPlan.weighted(even: even, rows: 64, weights: close, fastGain: fast) == even)
        #expect(ShardPlan.weighted(even: even, rows: 64, weights: close, fastGain: nil)
                == ShardPlan.proportional(rows: 64, weights: close, pinned: true))
        #expect(ShardPlan.proportional(rows: 64, weights: close, pinned: true).ranges.map(\.count) == [33, 31])
        // Two cores 14 % apart: the even split's slow shard takes 32 / (0.935 · 1.08) = 31.7 units, the weighted
        // one 64 / 2 = 32 — even still wins; at 1.1 / 0.9 (mean / slowest 1.11) it no longer does.
        #expect(ShardPlan.weighted(even: even, rows: 64, weights: [1.065, 0.935], fastGain: fast) == even)
        #expect(ShardPlan.weighted(even: even, rows: 64, weights: [1.1, 0.9], fastGain: fast).ranges.map(\.count) == [35, 29])
        #expect(ShardPlan.weighted(even: even, rows: 64, weights: [1.1, 0.9], fastGain: { $0 == 32 ? 1.12 : 1 }) == even,
                "a larger gain tolerates more")
        #expect(ShardPlan.weighted(even: even, rows: 64, weights: [1.2, 0.8], fastGain: fast).ranges.map(\.count) == [38, 26],
                "speeds 1.5× apart: the weighted split")
        #expect(ShardPlan.weighted(even: even, rows: 64, weights: [1.02, 0.98], fastGain: { _ in 1 })
                == ShardPlan.proportional(rows: 64, weights: [1.02, 0.98], pinned: true), "a gain of 1 is no fast size")
        let uneven = ShardPlan(ranges: [0..<33, 33..<65], pinned: true)
        #expect(ShardPlan.weighted(even: uneven, rows: 65, weights: [1.02, 0.98], fastGain: fast).ranges.map(\.count) == [33, 32],
                "33 rows are not a fast size: weighted")
    }

    @Test("speeds: even until a core is measurably slower in two calls running, then weights toward the faster core; short calls ignored")
    func speeds() {
        let speeds = CoreSpeeds(cores: 4)
        #expect(speeds.weights(count: 2) == nil)
        speeds.record(rows: [50, 50], seconds: [0.1, 0.1])
        #expect(speeds.weights(count: 2) == nil, "equal speeds: the even split")
        speeds.record(rows: [50, 50], seconds: [0.0005, 0.001])
        #expect(speeds.weights(count: 2) == nil, "too short to measure")
        // One disturbed call (a process's first: its worker thread just started) between undisturbed ones.
        speeds.record(rows: [50, 50], seconds: [0.1, 0.2])
        #expect(speeds.weights(count: 2) == nil, "one slow call alone: still even")
        speeds.record(rows: [50, 50], seconds: [0.1, 0.1])
        #expect(speeds.weights(count: 2) == nil, "one slow call alone: still even")
        // Two disturbed calls that disagree (core 1 slow, then core 0 slow) move nothing either.
        speeds.record(rows: [50, 50], seconds: [0.1, 0.2])
        speeds.record(rows: [50, 50], seconds: [0.25, 0.1])
        #expect(speeds.weights(count: 2) == nil, "calls that disagree: still even")
        speeds.record(rows: [50, 50], seconds: [0.1, 0.1])
        // Core 1 at half speed, four calls: the weights converge toward 2:1 (4/3 : 2/3).
        for _ in 0..<4 { speeds.record(rows: [50, 50], seconds: [0.1, 0.2]) }
        let w = try! #require(speeds.weights(count: 2))
        let w0: Double = w[0], w1: Double = w[1]
        #expect(w0 > 1.25)
        #expect(w1 < 0.75)
        #expect(abs(w0 + w1 - 2) < 1e-9)
        // Measured under that split, both shards now take equal time: the weights stay.
        let plan = ShardPlan.proportional(rows: 99, weights: w, pinned: true)
        let before = w
        let counts: [Int] = plan.ranges.map(\.count)
        let times: [Double] = [Double(counts[0]) / 1000, Double(counts[1]) / 500]
        speeds.record(rows: counts, seconds: times)
        let after = try! #require(speeds.weights(count: 2))
        let drift: Double = abs(after[0] - before[0])
        #expect(drift < 0.05)
        speeds.reset()
        #expect(speeds.weights(count: 2) == nil)
    }
}
