import Testing
@testable import ParallelRNN

/// `.automatic` on small fused calls: the cells' cost estimate and the shard cap the scheduler derives from it.
@Suite("Small calls")
struct SmallCallTests {
    static func lstm(input: Int, units: Int) throws -> LSTM {
        try LSTM(kernel: Tensor(zeros: [input, 4 * units]), recurrentKernel: Tensor(zeros: [units, 4 * units]),
                 bias: Tensor(zeros: [4 * units]))
    }

    @Test("the shard cap: one shard per minimumSecondsPerShard of estimated work, at least one, none without an estimate")
    func shardCap() {
        let unit = Engine.minimumSecondsPerShard
        #expect(Engine.shardCap(estimatedSeconds: nil) == .max)
        #expect(Engine.shardCap(estimatedSeconds: .infinity) == .max)
        #expect(Engine.shardCap(estimatedSeconds: .nan) == .max)
        #expect(Engine.shardCap(estimatedSeconds: 0) == 1)
        #expect(Engine.shardCap(estimatedSeconds: -1) == 1)
        #expect(Engine.shardCap(estimatedSeconds: 1.99 * unit) == 1)
        #expect(Engine.shardCap(estimatedSeconds: 2 * unit) == 2)
        #expect(Engine.shardCap(estimatedSeconds: 16.5 * unit) == 16)
        #expect(Engine.shardCap(estimatedSeconds: 1e300) >= 1 << 20)
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
        // Engine.plan without an estimate: the plain automatic plan (one shard per core, rows permitting).
        let cores = Engine.coreCount(.automatic)
        #expect(try Engine.plan(rows: 64, execution: .automatic, minimumRows: 1).count == min(cores, 64))
        #expect(try Engine.plan(rows: 64, execution: .automatic, minimumRows: 1, estimatedSeconds: 1e-6).count == 1)
    }

    @Test("the cost estimate: the measured small calls fall on the right side of two shards' threshold")
    func costEstimate() throws {
        let two = 2 * Engine.minimumSecondsPerShard
        // Serial faster on the dev VM (measured: serial / two shards, µs): I128 U256 B8 T1 48 / 132, B16 T1 85 / 148;
        // I = U = 4, B 64, T 100: 105 / 124, B 64 T 1: 4 / 58.
        let big = try Self.lstm(input: 128, units: 256), tiny = try Self.lstm(input: 4, units: 4)
        #expect(CellCost.serialSeconds(big.math, steps: 1, rowSteps: 8) < two)
        #expect(CellCost.serialSeconds(big.math, steps: 1, rowSteps: 16) < two)
        #expect(CellCost.serialSeconds(tiny.math, steps: 100, rowSteps: 6400) < two)
        #expect(CellCost.serialSeconds(tiny.math, steps: 1, rowSteps: 64) < two)
        // Two shards faster: I128 U256 B16 T4 337 / 280, B64 T1 350 / 278; I = U = 4, B 8, T 1000: 416 / 320;
        // I = U = 32, B 16, T 100: 277 / 229; and w1 (B64 T100), 17 ms.
        #expect(CellCost.serialSeconds(big.math, steps: 4, rowSteps: 64) >= two)
        #expect(CellCost.serialSeconds(big.math, steps: 1, rowSteps: 64) >= two)
        #expect(CellCost.serialSeconds(tiny.math, steps: 1000, rowSteps: 8000) >= two)
        #expect(CellCost.serialSeconds(try Self.lstm(input: 32, units: 32).math, steps: 100, rowSteps: 1600) >= two)
        #expect(Engine.shardCap(estimatedSeconds: CellCost.serialSeconds(big.math, steps: 100, rowSteps: 6400)) >= 64)
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
        let cores = Engine.coreCount(.automatic)
        let big = try Self.lstm(input: 128, units: 256)
        func plan(_ b: Int, _ t: Int, lengths: [Int]? = nil, _ execution: Execution = .automatic) throws -> ShardPlan {
            let g = LoopGeometry(batch: b, time: t, timeMajor: false, goBackwards: false, zeroOutputForMask: false,
                                 returnAllOutputs: true)
            return try CellRunner.plan(big.math, batch: b, time: t, mask: lengths.map { SequenceMask(lengths: $0, geometry: g) },
                                       execution: execution, lengthAware: true, transposedShards: .preferred).plan
        }
        for small in [try plan(8, 1), try plan(16, 1), try plan(64, 2, lengths: [2, 1] + Array(repeating: 0, count: 62))] {
            #expect(small.count == 1 && !small.pinned, "\(small)")
        }
        #expect(try plan(64, 100).count == min(cores, 64))
        #expect(try plan(64, 100, lengths: (0..<64).map { 1 + (37 * $0 + 11) % 100 }).count == min(cores, 64))
        #expect(try plan(8, 1, .threads(2)).count == 2, "explicit thread counts are not capped")
    }

    @Test("a small automatic call gives the serial call's bits, and so does one just over the threshold")
    func smallCallsMatchSerial() throws {
        var rng = SplitMix(seed: 3201)
        let i = 8, u = 12
        let cell = try LSTM(kernel: Tensor(shape: [i, 4 * u], scalars: (0..<(i * 4 * u)).map { _ in 0.5 * rng.float() }),
                            recurrentKernel: Tensor(shape: [u, 4 * u], scalars: (0..<(u * 4 * u)).map { _ in 0.5 * rng.float() }),
                            bias: Tensor(shape: [4 * u], scalars: (0..<(4 * u)).map { _ in 0.5 * rng.float() }))
        for (b, t) in [(2, 1), (16, 3), (64, 300)] {  // estimated ≈ 0.1, 3 and 930 µs: serial, serial, split
            let x = try Tensor<Float>(shape: [b, t, i], scalars: (0..<(b * t * i)).map { _ in rng.float() })
            let automatic = try cell(x), serial = try cell(x, execution: .serial)
            #expect(automatic.outputs.scalars == serial.outputs.scalars, "B \(b) T \(t)")
            #expect(automatic.newStates.map(\.scalars) == serial.newStates.map(\.scalars), "B \(b) T \(t)")
        }
    }
}
