import Testing
@testable import ParallelRNN

/// The fused cells against their own `stepFunction` run through the generic `rnn` loop: the same CellMath and the
/// same FMA chains, so outputs must be bitwise identical — across shard counts, with and without length-aware
/// shards, for every flag and mask kind; and, with a mask, the same bits when the masked steps' inputs are NaN or ±inf.
@Suite struct CellPathTests {
    @Test("length-aware masks: one run of valid steps per row at the start of the processing order, else at its end")
    func lengthAwareMasks() throws {
        func lengths(_ rows: [[Bool]], goBackwards: Bool = false) throws -> (lengths: [Int], atEnd: Bool)? {
            let (b, t) = (rows.count, rows[0].count)
            let g = LoopGeometry(batch: b, time: t, timeMajor: false, goBackwards: goBackwards, zeroOutputForMask: false,
                                 returnAllOutputs: true)
            return CellRunner.lengthAwareLengths(SequenceMask(mask: try Tensor(shape: [b, t], scalars: rows.flatMap { $0 }),
                                                              geometry: g), batch: b)
        }
        let (T, F) = (true, false)
        let right = [[T, T, F, F], [T, F, F, F], [T, T, T, T], [F, F, F, F]]  // right padding
        let left = right.map { Array($0.reversed()) }                          // left padding
        #expect(try lengths(right).map { $0.lengths } == [2, 1, 4, 0])
        #expect(try lengths(right)?.atEnd == false)
        #expect(try lengths(left).map { $0.lengths } == [2, 1, 4, 0])
        #expect(try lengths(left)?.atEnd == true)
        #expect(try lengths(right, goBackwards: true)?.atEnd == true, "right padding processed backwards: valid steps last")
        #expect(try lengths(left, goBackwards: true)?.atEnd == false)
        #expect(try lengths([[T, T, T], [F, F, F]])?.atEnd == false, "all valid or all masked rows: the prefix form")
        #expect(try lengths([[T, F, F], [F, F, T]]) == nil, "a prefix row and a suffix row together: the general path")
        #expect(try lengths([[F, T, F]]) == nil, "a run in the middle: the general path")
        #expect(try lengths([[T, F, T]]) == nil)
    }

    enum Kind: String, CaseIterable { case lstm, gruAfter, gruBefore, simple }

    struct Case: CustomStringConvertible {
        var kind: Kind, batch: Int, time: Int, input: Int, units: Int
        var goBackwards: Bool, timeMajor: Bool, zero: Bool, all: Bool, maskKind: Int, bias: Bool, seed: UInt64
        var description: String { "\(kind) B\(batch) T\(time) I\(input) U\(units) back=\(goBackwards) tm=\(timeMajor) z=\(zero) all=\(all) mask=\(maskKind) bias=\(bias)" }
    }

    static let cases: [Case] = (0..<48).map { i in
        var g = SplitMix(seed: UInt64(i) &* 104_729 &+ 3)
        return Case(kind: Kind.allCases[i % 4], batch: [1, 3, 7, 16, 33][Int(g.next() % 5)], time: 1 + Int(g.next() % 12),
                    input: 1 + Int(g.next() % 20), units: 1 + Int(g.next() % 40),
                    goBackwards: g.next() % 2 == 0, timeMajor: g.next() % 3 == 0, zero: g.next() % 2 == 0,
                    all: g.next() % 4 != 0, maskKind: Int(g.next() % 4), bias: g.next() % 4 != 0, seed: g.next())
    }

    static func tensor(_ shape: [Int], _ g: inout SplitMix, scale: Float = 1) -> Tensor<Float> {
        try! Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in g.float() * scale })
    }

    @Test(arguments: cases)
    func fusedEqualsGenericStep(_ c: Case) throws {
        var g = SplitMix(seed: c.seed)
        let (B, T, I, U) = (c.batch, c.time, c.input, c.units)
        let gates = [Kind.lstm: 4, .gruAfter: 3, .gruBefore: 3, .simple: 1][c.kind]!
        let kernel = Self.tensor([I, gates * U], &g, scale: 0.5), recurrent = Self.tensor([U, gates * U], &g, scale: 0.5)
        let x = Self.tensor(c.timeMajor ? [T, B, I] : [B, T, I], &g)
        var mask: Tensor<Bool>?
        if c.maskKind != 0 {
            var bits = [[Bool]](repeating: [], count: B)
            for b in 0..<B {
                let len = Int(g.next() % UInt64(T + 1))
                // kind 1: prefix in processing order (length-aware path); kind 2: random holes; kind 3: the valid
                // steps last in processing order (length-aware, rows starting late).
                bits[b] = (0..<T).map { t in
                    switch c.maskKind {
                    case 1: c.goBackwards ? t >= T - len : t < len
                    case 3: c.goBackwards ? t < len : t >= T - len
                    default: g.next() % 3 != 0
                    }
                }
            }
            let flat = c.timeMajor ? (0..<T).flatMap { t in (0..<B).map { bits[$0][t] } } : bits.flatMap { $0 }
            mask = try Tensor(shape: c.timeMajor ? [T, B] : [B, T], scalars: flat)
        }
        let stateCount = c.kind == .lstm ? 2 : 1
        let h0 = (0..<stateCount).map { _ in Self.tensor([B, U], &g) }

        let call: (Tensor<Float>, Execution, Bool, Int) throws -> RNNResult<Float>
        let step: StepFunction<Float>
        switch c.kind {
        case .lstm:
            let cell = try LSTM(kernel: kernel, recurrentKernel: recurrent, bias: c.bias ? Self.tensor([4 * U], &g) : nil)
            step = cell.stepFunction
            call = { try CellRunner.run(cell.math, cellName: "LSTM", inputs: $0, mask: mask, initialStates: h0, goBackwards: c.goBackwards, timeMajor: c.timeMajor, zeroOutputForMask: c.zero, returnAllOutputs: c.all, execution: $1, lengthAware: $2, projectionBudget: $3) }
        case .gruAfter, .gruBefore:
            let after = c.kind == .gruAfter
            let cell = try GRU(kernel: kernel, recurrentKernel: recurrent,
                               bias: c.bias ? Self.tensor(after ? [2, 3 * U] : [3 * U], &g) : nil, resetAfter: after,
                               recurrentActivation: c.seed % 2 == 0 ? .hardSigmoid : .sigmoid)
            step = cell.stepFunction
            call = { try CellRunner.run(cell.math, cellName: "GRU", inputs: $0, mask: mask, initialStates: h0, goBackwards: c.goBackwards, timeMajor: c.timeMajor, zeroOutputForMask: c.zero, returnAllOutputs: c.all, execution: $1, lengthAware: $2, projectionBudget: $3) }
        case .simple:
            let cell = try SimpleRNN(kernel: kernel, recurrentKernel: recurrent, bias: c.bias ? Self.tensor([U], &g) : nil,
                                     activation: c.seed % 2 == 0 ? .relu : .tanh)
            step = cell.stepFunction
            call = { try CellRunner.run(cell.math, cellName: "SimpleRNN", inputs: $0, mask: mask, initialStates: h0, goBackwards: c.goBackwards, timeMajor: c.timeMajor, zeroOutputForMask: c.zero, returnAllOutputs: c.all, execution: $1, lengthAware: $2, projectionBudget: $3) }
        }
        let reference = try rnn(step, inputs: x, initialStates: h0, goBackwards: c.goBackwards, mask: mask,
                                timeMajor: c.timeMajor, zeroOutputForMask: c.zero, returnAllOutputs: c.all, execution: .serial)
        // Keras computes masked steps and discards them: inputs there (NaN, ±inf, huge) must not reach any result, on
        // any path — the generic loop included.
        var inputs = [("clean", x)]
        if let mask {
            let poison: [Float] = [.nan, .infinity, -.infinity, 3e38]
            let valid = mask.scalars, width = I
            let poisoned = try Tensor(shape: x.shape, scalars: x.scalars.enumerated().map { i, v in
                valid[i / width] ? v : poison[(i / width + i) % poison.count]
            })
            inputs.append(("poisoned", poisoned))
            let generic = try rnn(step, inputs: poisoned, initialStates: h0, goBackwards: c.goBackwards, mask: mask,
                                  timeMajor: c.timeMajor, zeroOutputForMask: c.zero, returnAllOutputs: c.all,
                                  execution: .threads(2))
            #expect(generic.outputs.isBitwiseIdentical(to: reference.outputs), "\(c) generic, poisoned")
            #expect(generic.lastOutput.isBitwiseIdentical(to: reference.lastOutput), "\(c) generic, poisoned")
            for (a, b) in zip(generic.newStates, reference.newStates) { #expect(a.isBitwiseIdentical(to: b), "\(c) generic, poisoned") }
        }
        for (name, input) in inputs {
            for execution in [Execution.serial, .threads(2), .threads(3, pinned: false), .automatic] {
                // Projection budgets: the default (usually the whole sequence in one block), one step per block, a few.
                for lengthAware in [false, true] {
                    for budget in [FusedCellKernel<LSTMMath>.defaultProjectionBudget, 0, 2048] {
                        let r = try call(input, execution, lengthAware, budget)
                        let label = "\(c) \(name) \(execution) la=\(lengthAware) budget=\(budget)"
                        #expect(r.outputs.isBitwiseIdentical(to: reference.outputs), "\(label)")
                        #expect(r.lastOutput.isBitwiseIdentical(to: reference.lastOutput), "\(label)")
                        #expect(r.newStates.count == stateCount)
                        for (a, b) in zip(r.newStates, reference.newStates) { #expect(a.isBitwiseIdentical(to: b), "\(label)") }
                    }
                }
            }
        }
    }
}
