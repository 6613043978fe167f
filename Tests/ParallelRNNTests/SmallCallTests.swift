import Testing
@testable import ParallelRNN

/// `.automatic` on small fused calls: the cells' cost estimate and the shard cap the scheduler derives from it.
@Suite("Small calls")
struct SmallCallTests {
    static func lstm(input: Int, units: Int) throws -> LSTM {
        try LSTM(kernel: Tensor(zeros: [input, 4 * units]), recurrentKernel: Tensor(zeros: [units, 4 * units]),
                 bias: Tensor(zeros: [4 * units]))
    }

    @Test("the shard cap: one shard under twice minimumSecondsPerShard of estimated work, else none; none without an estimate")
    func shardCap() {
        let unit = Engine.minimumSecondsPerShard
        #expect(Engine.shardCap(estimatedSeconds: nil) == .max)
        #expect(Engine.shardCap(estimatedSeconds: .nan) == .max)
        #expect(Engine.shardCap(estimatedSeconds: .infinity) == .max)
        #expect(Engine.shardCap(estimatedSeconds: 2 * unit) == .max)
        #expect(Engine.shardCap(estimatedSeconds: 1e300) == .max)
        #expect(Engine.shardCap(estimatedSeconds: 1.99 * unit) == 1)
        #expect(Engine.shardCap(estimatedSeconds: 0) == 1)
        #expect(Engine.shardCap(estimatedSeconds: -1e300) == 1)
        #expect(Engine.shardCap(estimatedSeconds: -.infinity) == 1)
    }

    @Test("with a parked thread the cut falls to twice minimumWarmSecondsPerShard; a call between the cuts primes one")
    func warmShardCap() {
        let warm = Engine.minimumWarmSecondsPerShard, cold = Engine.minimumSecondsPerShard
        #expect(Engine.shardCap(estimatedSeconds: 1.99 * warm, warm: true) == 1)
        #expect(Engine.shardCap(estimatedSeconds: 2 * warm, warm: true) == 2)
        #expect(Engine.shardCap(estimatedSeconds: 2 * cold, warm: true) == .max)
        #expect(Engine.shardCap(estimatedSeconds: 2 * warm) == 1)
        #expect(Engine.shardCap(estimatedSeconds: nil, warm: true) == .max)
        #expect(!Engine.primesParkedThread(estimatedSeconds: 1.99 * warm, execution: .automatic, cores: 2))
        #expect(Engine.primesParkedThread(estimatedSeconds: 2 * warm, execution: .automatic, cores: 2))
        #expect(Engine.primesParkedThread(estimatedSeconds: 1.99 * cold, execution: .automatic, cores: 2))
        #expect(!Engine.primesParkedThread(estimatedSeconds: 2 * cold, execution: .automatic, cores: 2), "splits anyway")
        #expect(!Engine.primesParkedThread(estimatedSeconds: 2 * warm, execution: .automatic, cores: 1))
        #expect(!Engine.primesParkedThread(estimatedSeconds: 2 * warm, execution: .threads(2), cores: 2))
    }

    @Test("the cells' warm plans: w1's one-step LSTM splits in two from B 8 (estimated 67 µs), not at B 4 (17 µs)")
    func warmCellPlans() throws {
        let cell = try Self.lstm(input: 128, units: 256)
        for (batch, cores, shards) in [(4, 2, 1), (8, 2, 2), (16, 16, 2), (64, 16, 16), (8, 1, 1)] {
            let x = Tensor<Float>(zeros: [batch, 1, 128])
            let math = cell.math
            let plan = try CellRunner.makePlan(math, batch: batch, time: 1, mask: nil, execution: .automatic,
                                               lengthAware: true, transposedShards: .preferred, coreCount: cores,
                                               warm: true).plan
            #expect(plan.count == shards, "B \(batch), \(cores) cores")
            if batch <= 16 {
                #expect(try cell.shardPlan(x, mask: nil, goBackwards: false, timeMajor: false, execution: .automatic).count == 1,
                        "cold: one shard")
            }
        }
    }

    @Test("only .automatic reads maximumShards; its plan of one shard is unpinned, and the length-aware plan agrees")
    func capOnlyShapesAutomatic() throws {
        for (cap, expected) in [(Int.max, 2), (3, 2), (2, 2), (1, 1), (0, 1), (-5, 1)] {
            let plan = try ShardPlan.make(rows: 64, execution: .automatic, coreCount: 2, minimumRowsPerShard: 1,
                                          maximumShards: cap)
            #expect(plan.count == expected && plan.pinned == (expected > 1), "cap \(cap)")
            let work = try ShardPlan.make(work: (0..<64).map { 100 - $0 }, execution: .automatic, coreCount: 2,
                                          minimumRowsPerShard: 1, maximumShards: cap)
            #expect(work.count == expected && work.pinned == (expected > 1), "cap \(cap), length-aware")
        }
        let capped = try ShardPlan.make(rows: 64, execution: .automatic, coreCount: 16, minimumRowsPerShard: 1,
                                        maximumShards: 5)
        #expect(capped.ranges.map(\.count) == [13, 13, 13, 13, 12] && capped.pinned)
        for execution in [Execution.serial, .threads(3), .threads(4, pinned: false)] {
            let plain = try ShardPlan.make(rows: 64, execution: execution, coreCount: 2, minimumRowsPerShard: 1)
            #expect(try ShardPlan.make(rows: 64, execution: execution, coreCount: 2, minimumRowsPerShard: 1,
                                       maximumShards: 1) == plain, "\(execution)")
        }
        // Engine.plan: without an estimate, or with a large one, one shard per core; with a small one, one shard.
        for cores in [2, 16] {
            #expect(try Engine.plan(rows: 64, execution: .automatic, minimumRows: 1, coreCount: cores).count == cores)
            #expect(try Engine.plan(rows: 64, execution: .automatic, minimumRows: 1, coreCount: cores,
                                    estimatedSeconds: 1).count == cores)
            let small = try Engine.plan(rows: 64, execution: .automatic, minimumRows: 1, coreCount: cores,
                                        estimatedSeconds: 1e-6)
            #expect(small.count == 1 && !small.pinned)
            #expect(try Engine.plan(rows: 64, execution: .threads(cores), minimumRows: 1, coreCount: cores,
                                    estimatedSeconds: 1e-6).count == cores, "explicit thread counts are not capped")
        }
    }

    @Test("the cost estimate: the measured small calls fall on the right side of two shards' threshold")
    func costEstimate() throws {
        let two = 2 * Engine.minimumSecondsPerShard
        // One shard was faster on the dev VM (SCHEDULING.md › Small calls, medians µs, serial / two shards): I128 U256
        // B8 T1 48.9 / 110.0, B16 T1 86.7 / 146.0; I = U = 4, B 64, T 100: 101.4 / 118.0, B 64 T 1: 4.6 / 59.2.
        let big = try Self.lstm(input: 128, units: 256), tiny = try Self.lstm(input: 4, units: 4)
        #expect(CellCost.serialSeconds(big.math, steps: 1, rowSteps: 8) < two)
        #expect(CellCost.serialSeconds(big.math, steps: 1, rowSteps: 16) < two)
        #expect(CellCost.serialSeconds(tiny.math, steps: 100, rowSteps: 6400) < two)
        #expect(CellCost.serialSeconds(tiny.math, steps: 1, rowSteps: 64) < two)
        // Two shards faster: I128 U256 B16 T4 323.5 / 268.8, B64 T1 330.2 / 270.0; I = U = 4, B 8, T 1000:
        // 417.5 / 307.9; I = U = 32, B 16, T 100: 271.3 / 244.2; and w1 (B64 T100), 17 ms.
        #expect(CellCost.serialSeconds(big.math, steps: 4, rowSteps: 64) >= two)
        #expect(CellCost.serialSeconds(big.math, steps: 1, rowSteps: 64) >= two)
        #expect(CellCost.serialSeconds(tiny.math, steps: 1000, rowSteps: 8000) >= two)
        #expect(CellCost.serialSeconds(try Self.lstm(input: 32, units: 32).math, steps: 100, rowSteps: 1600) >= two)
        #expect(Engine.shardCap(estimatedSeconds: CellCost.serialSeconds(big.math, steps: 100, rowSteps: 6400)) == .max)
        // Grows with every dimension; a GRU's three gates cost less than an LSTM's four.
        let base = CellCost.serialSeconds(big.math, steps: 10, rowSteps: 80)
        #expect(CellCost.serialSeconds(big.math, steps: 11, rowSteps: 80) > base)
        #expect(CellCost.serialSeconds(big.math, steps: 10, rowSteps: 81) > base)
        #expect(CellCost.serialSeconds(try Self.lstm(input: 129, units: 256).math, steps: 10, rowSteps: 80) > base)
        let gru = try GRU(kernel: Tensor(zeros: [128, 768]), recurrentKernel: Tensor(zeros: [256, 768]),
                          bias: Tensor(zeros: [2, 768]), resetAfter: true)
        #expect(CellCost.serialSeconds(gru.math, steps: 10, rowSteps: 80) < base)
        // B·T beyond Int (a zero-size input may have that many rows): finite, and the cap stays defined.
        let huge = CellCost.serialSeconds(tiny.math, steps: Int.max, rowSteps: Double(Int.max) * 4)
        #expect(huge.isFinite && Engine.shardCap(estimatedSeconds: huge) >= 1)
    }

    @Test("the cells' plans: a small automatic call runs as one unpinned shard, a large one on every core; masked too")
    func cellPlans() throws {
        let big = try Self.lstm(input: 128, units: 256)
        let w3Lengths = (0..<64).map { 1 + (37 * $0 + 11) % 100 }
        for cores in [2, 16] {
            func plan(_ b: Int, _ t: Int, lengths: [Int]? = nil, _ execution: Execution = .automatic) throws -> ShardPlan {
                let g = LoopGeometry(batch: b, time: t, timeMajor: false, goBackwards: false, zeroOutputForMask: false,
                                     returnAllOutputs: true)
                return try CellRunner.makePlan(big.math, batch: b, time: t,
                                               mask: lengths.map { SequenceMask(lengths: $0, geometry: g) },
                                               execution: execution, lengthAware: true, transposedShards: .preferred,
                                               coreCount: cores).plan
            }
            // Estimated 67 and 134 µs; masked: 64 rows of 100 steps but three valid row-steps (the longest row's 2).
            let masked = [2, 1] + Array(repeating: 0, count: 62)
            for small in [try plan(8, 1), try plan(16, 1), try plan(64, 100, lengths: masked)] {
                #expect(small.count == 1 && !small.pinned, "\(cores) cores: \(small)")
            }
            #expect(try plan(64, 100).count == cores)
            #expect(try plan(64, 1).count == cores, "estimated 536 µs")
            #expect(try plan(64, 100, lengths: w3Lengths).count == cores)
            #expect(try plan(8, 1, .threads(2)).count == 2, "explicit thread counts are not capped")
        }
    }

    @Test("a small automatic call gives the serial call's bits, and so does a larger one")
    func smallCallsMatchSerial() throws {
        var rng = SplitMix(seed: 3201)
        let i = 8, u = 12
        let cell = try LSTM(kernel: Tensor(shape: [i, 4 * u], scalars: (0..<(i * 4 * u)).map { _ in 0.5 * rng.float() }),
                            recurrentKernel: Tensor(shape: [u, 4 * u], scalars: (0..<(u * 4 * u)).map { _ in 0.5 * rng.float() }),
                            bias: Tensor(shape: [4 * u], scalars: (0..<(4 * u)).map { _ in 0.5 * rng.float() }))
        for (b, t) in [(2, 1), (16, 3), (64, 300)] {  // estimated ≈ 0.4, 3 and 930 µs: serial, serial, split
            let x = try Tensor<Float>(shape: [b, t, i], scalars: (0..<(b * t * i)).map { _ in rng.float() })
            let automatic = try cell(x), serial = try cell(x, execution: .serial)
            #expect(automatic.outputs.scalars == serial.outputs.scalars, "B \(b) T \(t)")
            #expect(automatic.newStates.map(\.scalars) == serial.newStates.map(\.scalars), "B \(b) T \(t)")
        }
    }
}
