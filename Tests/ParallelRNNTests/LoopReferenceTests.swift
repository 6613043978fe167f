import Testing
@testable import ParallelRNN

/// The engine against a deliberately naive transcription of semantics §2.3/§6 (whole batch, scalar loops),
/// over random shapes, masks and flags. Both call the same deterministic step, so results must be bitwise equal.
@Suite struct LoopReferenceTests {
    struct Config: CustomStringConvertible {
        var batch: Int, time: Int, input: Int, units: Int
        var goBackwards: Bool, timeMajor: Bool, zeroOutputForMask: Bool, returnAllOutputs: Bool
        var maskKind: Int  // 0 none, 1 random, 2 prefix lengths (perSample), 3 mask [B,T,1]
        var seed: UInt64
        var description: String {
            "B\(batch) T\(time) I\(input) U\(units) back=\(goBackwards) tm=\(timeMajor) z=\(zeroOutputForMask) all=\(returnAllOutputs) mask=\(maskKind) seed=\(seed)"
        }
    }

    /// Wide rows and long T, so batch-major staging spans several chunks with a partial last one.
    static let wideConfigs: [Config] = (0..<8).map { i in
        Config(batch: [33, 40, 7, 64][i % 4], time: [23, 37, 50, 19][i % 4], input: [100, 130, 257, 64][i % 4],
               units: [70, 96, 40, 129][i % 4], goBackwards: i % 2 == 0, timeMajor: i % 4 == 3,
               zeroOutputForMask: i % 3 == 0, returnAllOutputs: i != 5, maskKind: i % 4, seed: UInt64(1000 + i))
    }

    static let configs: [Config] = wideConfigs + (0..<48).map { i in
        var g = SplitMix(seed: UInt64(i) &* 7919 &+ 1)
        return Config(batch: [0, 1, 2, 3, 5, 8, 13][Int(g.next() % 7)], time: 1 + Int(g.next() % 9),
                      input: 1 + Int(g.next() % 5), units: 1 + Int(g.next() % 6),
                      goBackwards: g.next() % 2 == 0, timeMajor: g.next() % 2 == 0,
                      zeroOutputForMask: g.next() % 2 == 0, returnAllOutputs: g.next() % 3 != 0,
                      maskKind: Int(g.next() % 4), seed: g.next())
    }

    @Test(arguments: configs)
    func matchesNaiveReference(_ c: Config) throws {
        var g = SplitMix(seed: c.seed)
        let B = c.batch, T = c.time, I = c.input, U = c.units
        let xShape = c.timeMajor ? [T, B, I] : [B, T, I]
        let x = try Tensor<Float>(shape: xShape, scalars: (0..<(B * T * I)).map { _ in g.float() })
        let w = try Tensor<Float>(shape: [I, U], scalars: (0..<(I * U)).map { _ in g.float() * 0.5 })
        let u = try Tensor<Float>(shape: [U, U], scalars: (0..<(U * U)).map { _ in g.float() * 0.5 })
        let h0 = try Tensor<Float>(shape: [B, U], scalars: (0..<(B * U)).map { _ in g.float() })
        // valid[b][t] in original time
        var valid = [[Bool]](repeating: [Bool](repeating: true, count: T), count: B)
        var lengths: [Int] = []
        if c.maskKind == 1 || c.maskKind == 3 {
            for b in 0..<B { for t in 0..<T { valid[b][t] = g.next() % 3 != 0 } }
        } else if c.maskKind == 2 {
            lengths = (0..<B).map { _ in Int(g.next() % UInt64(T + 1)) }
            for b in 0..<B { for t in 0..<T { valid[b][t] = t < lengths[b] } }
        }
        var mask: Tensor<Bool>?
        if c.maskKind == 1 || c.maskKind == 3 {
            var bits: [Bool] = []
            if c.timeMajor { for t in 0..<T { for b in 0..<B { bits.append(valid[b][t]) } } }
            else { for b in 0..<B { bits.append(contentsOf: valid[b]) } }
            let shape = c.timeMajor ? [T, B] : [B, T]
            mask = try Tensor(shape: c.maskKind == 3 ? shape + [1] : shape, scalars: bits)
        }
        let step: StepFunction<Float> = { xt, s in
            let h = tanh(matmul(xt, w) + matmul(s[0], u))
            return (h * 2, [h])  // output differs from the state
        }

        // Naive reference.
        let xs = x.scalars
        var states = h0
        var prev = [Float](repeating: 0, count: B * U)
        var outs: [[Float]] = []
        for k in 0..<T {
            let t = c.goBackwards ? T - 1 - k : k
            var xt: [Float] = []
            for b in 0..<B { for i in 0..<I { xt.append(xs[c.timeMajor ? (t * B + b) * I + i : (b * T + t) * I + i]) } }
            let (raw, new) = try step(try Tensor(shape: [B, I], scalars: xt), [states])
            var y = raw.scalars, s = new[0].scalars
            let old = states.scalars
            for b in 0..<B where !valid[b][t] && c.maskKind != 0 {
                for j in 0..<U {
                    y[b * U + j] = c.zeroOutputForMask ? 0 : prev[b * U + j]
                    s[b * U + j] = old[b * U + j]
                }
            }
            outs.append(y)
            prev = y
            states = try Tensor(shape: [B, U], scalars: s)
        }

        for execution in [Execution.serial, .threads(2), .threads(3, pinned: false), .automatic] {
            let r = try rnn(step, inputs: x, initialStates: [h0], goBackwards: c.goBackwards, mask: mask,
                            inputLength: c.maskKind == 2 ? .perSample(lengths) : nil, timeMajor: c.timeMajor,
                            zeroOutputForMask: c.zeroOutputForMask, returnAllOutputs: c.returnAllOutputs,
                            execution: execution)
            #expect(r.lastOutput.scalars == prev, "\(c) \(execution)")
            #expect(r.newStates[0].scalars == states.scalars, "\(c) \(execution)")
            let steps = c.returnAllOutputs ? T : 1
            #expect(r.outputs.shape == (c.timeMajor ? [steps, B, U] : [B, steps, U]), "\(c)")
            let kept = c.returnAllOutputs ? Array(0..<T) : [T - 1]
            var expected = [Float](repeating: 0, count: B * steps * U)
            for (n, k) in kept.enumerated() {
                for b in 0..<B { for j in 0..<U {
                    expected[c.timeMajor ? (n * B + b) * U + j : (b * steps + n) * U + j] = outs[k][b * U + j]
                } }
            }
            #expect(r.outputs.scalars == expected, "\(c) \(execution)")
        }
    }
}

/// The engine reuses a step's input slice for the next step only when the step kept no reference to it.
@Suite struct StepInputReuseTests {
    enum Keeps: CaseIterable { case asOutput, asState, stored }

    /// A step that keeps its input slice (as its output, as its new state, or stored away) gets the same results as
    /// one that keeps a copy, with and without a mask, and every stored slice still holds its own step's input.
    @Test(arguments: Keeps.allCases, [false, true])
    func keptSlicesAreNeverOverwritten(keeps: Keeps, timeMajor: Bool) throws {
        let B = 6, T = 9, I = 3
        var g = SplitMix(seed: 77)
        let x = try Tensor<Float>(shape: timeMajor ? [T, B, I] : [B, T, I], scalars: (0..<(B * T * I)).map { _ in g.float() })
        // Every row valid at even steps, odd rows masked at odd steps: a masked step's carries then come from a step
        // whose results were not rewritten by the mask (so they may still share the step's input slice).
        let valid = { (b: Int, t: Int) in t % 2 == 0 || b % 2 == 0 }
        let mask = try Tensor<Bool>(shape: timeMajor ? [T, B] : [B, T], scalars: (0..<(B * T)).map {
            timeMajor ? valid($0 % B, $0 / B) : valid($0 / T, $0 % T)
        })
        final class Kept: @unchecked Sendable {  // written by one shard (serial)
            var slices: [Int: Tensor<Float>] = [:]
            var step = 0
        }
        func run(aliasing: Bool, mask: Tensor<Bool>?) throws -> (RNNResult<Float>, Kept) {
            let kept = Kept()
            let step: StepFunction<Float> = { xt, s in
                let mine = aliasing ? xt : xt + 0
                defer { kept.step += 1 }
                switch keeps {
                case .asOutput: return (mine, [s[0] + xt])
                case .asState: return (xt * 2 + s[0], [mine])
                case .stored:
                    if kept.step % 2 == 0 { kept.slices[kept.step] = mine }
                    return (xt * 2, [s[0] + xt])
                }
            }
            let r = try rnn(step, inputs: x, initialStates: [Tensor(zeros: [B, I])], mask: mask, timeMajor: timeMajor,
                            execution: .serial)
            return (r, kept)
        }
        for m in [nil, mask] {
            let (aliased, kept) = try run(aliasing: true, mask: m)
            let (copied, _) = try run(aliasing: false, mask: m)
            #expect(aliased.outputs.isBitwiseIdentical(to: copied.outputs), "outputs, masked: \(m != nil)")
            #expect(aliased.lastOutput.isBitwiseIdentical(to: copied.lastOutput))
            #expect(aliased.newStates[0].isBitwiseIdentical(to: copied.newStates[0]), "state, masked: \(m != nil)")
            #expect(kept.step == T)
            for (t, slice) in kept.slices {
                let expected = try Tensor<Float>(shape: [B, I], scalars: (0..<B).flatMap { b in
                    (0..<I).map { i in timeMajor ? x[t, b, i] : x[b, t, i] }
                })
                #expect(slice.isBitwiseIdentical(to: expected), "slice kept at step \(t)")
            }
        }
    }

    /// A step that keeps nothing gets the same slice buffer every step (no allocation for it).
    @Test func aSliceNobodyKeptIsReused() throws {
        let x = try Tensor<Float>(shape: [4, 7, 2], scalars: (0..<56).map(Float.init))
        final class Seen: @unchecked Sendable { var addresses: Set<UInt> = [] }
        let seen = Seen()
        let step: StepFunction<Float> = { xt, s in
            xt.withUnsafeBufferPointer { _ = seen.addresses.insert(UInt(bitPattern: $0.baseAddress)) }
            return (xt * 2, [s[0] + xt])
        }
        _ = try rnn(step, inputs: x, initialStates: [Tensor(zeros: [4, 2])], execution: .serial)
        #expect(seen.addresses.count == 1)
    }

    /// A step whose output rows are scalars (rank-1 outputs [b]) and no states: the values and shapes are those
    /// `tf_keras.backend.rnn` printed for this case (x = arange(12) as [2, 3, 2], step = reduce_sum over features):
    /// outputs (2, 3), (3, 2) time-major, (2, 1) / (1, 2) with return_all_outputs=False; last_output (2,).
    @Test(arguments: [false, true], [true, false])
    func scalarOutputRows(timeMajor: Bool, returnAllOutputs: Bool) throws {
        let x = try Tensor<Float>(shape: [2, 3, 2], scalars: (0..<12).map(Float.init))
        let inputs = try timeMajor
            ? Tensor(shape: [3, 2, 2], scalars: [0, 1, 6, 7, 2, 3, 8, 9, 4, 5, 10, 11]) : x
        let step: StepFunction<Float> = { x, s in (x.sum(squeezingAxes: 1), s) }
        for execution in [Execution.serial, .threads(2), .automatic] {
            let r = try rnn(step, inputs: inputs, initialStates: [], timeMajor: timeMajor,
                            returnAllOutputs: returnAllOutputs, execution: execution)
            #expect(r.lastOutput.shape == [2] && r.lastOutput.scalars == [9, 21])
            switch (timeMajor, returnAllOutputs) {
            case (false, true): #expect(r.outputs.shape == [2, 3] && r.outputs.scalars == [1, 5, 9, 13, 17, 21])
            case (false, false): #expect(r.outputs.shape == [2, 1] && r.outputs.scalars == [9, 21])
            case (true, true): #expect(r.outputs.shape == [3, 2] && r.outputs.scalars == [1, 13, 5, 17, 9, 21])
            case (true, false): #expect(r.outputs.shape == [1, 2] && r.outputs.scalars == [9, 21])
            }
            #expect(r.newStates.isEmpty)
        }
    }
}

@Suite struct TensorSlicingTests {
    @Test func lastAxisSpellingsAgree() throws {
        let x = try Tensor<Float>(shape: [2, 3, 4], scalars: (0..<24).map(Float.init))
        let a = x[lastAxis: 1..<3]
        #expect(a.shape == [2, 3, 2])
        #expect(a.scalars == [1, 2, 5, 6, 9, 10, 13, 14, 17, 18, 21, 22])
        #expect(x[..., 1..<3] == a)
        #expect(x.slice(lastAxis: 1..<3) == a)
        #expect(x.slicing(lastAxis: 1..<3) == a)
    }
}
