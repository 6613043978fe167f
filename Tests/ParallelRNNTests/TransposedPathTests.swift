import Testing
import _ParallelRNNKernels
@testable import ParallelRNN

/// Unmasked shards of 16 or 32 rows (AVX-512: up to 512) run transposed (the batch in the vector lanes, `FusedCellKernel.runShardTransposed`)
/// where the CPU has a fast transposed product: bitwise the row-major path's results, and the generic step's, for
/// every flag, with odd sizes (gate rows not a multiple of the 12-row panels, inputs and units not of 16). Here the
/// path is forced (`.always`, kernels packed for it whatever the machine prefers; `.blocks`, each shard in row blocks
/// as larger shards run on AVX-512), so it runs on every ISA and for other row counts too (padded lanes); which sizes
/// take it by default, per ISA, is checked in KernelTests.
@Suite struct TransposedPathTests {
    typealias Kind = CellPathTests.Kind

    struct Case: CustomStringConvertible {
        var kind: Kind, batch: Int, time: Int, input: Int, units: Int
        var goBackwards: Bool, timeMajor: Bool, all: Bool, bias: Bool, states: Bool, altActivation: Bool, seed: UInt64
        var description: String {
            "\(kind) B\(batch) T\(time) I\(input) U\(units) back=\(goBackwards) tm=\(timeMajor) all=\(all) bias=\(bias) states=\(states) alt=\(altActivation)"
        }
    }

    static let cases: [Case] = smallShards + largeShards
    static let smallShards: [Case] = (0..<30).map { i in
        var g = SplitMix(seed: UInt64(i) &* 7_919 &+ 11)
        return Case(kind: Kind.allCases[i % 4], batch: [16, 32, 64, 5, 37][i % 5], time: 1 + Int(g.next() % 9),
                    input: [1, 7, 16, 33, 128][Int(g.next() % 5)], units: [1, 3, 13, 16, 40, 64][Int(g.next() % 6)],
                    goBackwards: g.next() % 2 == 0, timeMajor: g.next() % 3 == 0, all: g.next() % 4 != 0,
                    bias: g.next() % 4 != 0, states: g.next() % 2 == 0, altActivation: g.next() % 3 == 0, seed: g.next())
    }
    /// Shards of 48–160 rows (one shard; two of 48 for B 96, of 128 for B 256): the sizes AVX-512 machines run
    /// transposed when the operand fits half the L2 (`prnn_sgemm_t_preferred_shape`).
    static let largeShards: [Case] = (0..<8).map { i in
        var g = SplitMix(seed: UInt64(i) &* 104_729 &+ 5)
        return Case(kind: Kind.allCases[i % 4], batch: [96, 128, 256, 160][(i + i / 4) % 4], time: 1 + Int(g.next() % 5),
                    input: [3, 16, 40][Int(g.next() % 3)], units: [5, 16, 33][Int(g.next() % 3)],
                    goBackwards: g.next() % 2 == 0, timeMajor: g.next() % 3 == 0, all: g.next() % 4 != 0,
                    bias: g.next() % 4 != 0, states: g.next() % 2 == 0, altActivation: g.next() % 3 == 0, seed: g.next())
    }

    @Test(arguments: cases)
    func transposedEqualsRowMajor(_ c: Case) throws {
        var g = SplitMix(seed: c.seed)
        let (B, T, I, U) = (c.batch, c.time, c.input, c.units)
        let gates = [Kind.lstm: 4, .gruAfter: 3, .gruBefore: 3, .simple: 1][c.kind]!
        let stateCount = c.kind == .lstm ? 2 : 1
        let kernel = CellPathTests.tensor([I, gates * U], &g, scale: 0.5)
        let recurrent = CellPathTests.tensor([U, gates * U], &g, scale: 0.5)
        let x = CellPathTests.tensor(c.timeMajor ? [T, B, I] : [B, T, I], &g)
        let h0: [Tensor<Float>]? = c.states ? (0..<stateCount).map { _ in CellPathTests.tensor([B, U], &g) } : nil
        let run: (Execution, TransposedShards) throws -> RNNResult<Float>
        let step: StepFunction<Float>
        // The kernels packed for the transposed path whatever this machine prefers.
        let packedT = CellWeights.transposed(kernel: kernel, recurrentKernel: recurrent, stacked: c.kind == .lstm,
                                             candidate: c.kind == .gruBefore ? (2 * U)..<(3 * U) : nil, always: true)
        #expect(packedT != nil)
        func runner<M: CellMath>(_ math: M, _ name: String) -> (Execution, TransposedShards) throws -> RNNResult<Float> {
            { try CellRunner.run(math, cellName: name, inputs: x, mask: nil, initialStates: h0, goBackwards: c.goBackwards, timeMajor: c.timeMajor, zeroOutputForMask: false, returnAllOutputs: c.all, execution: $0, transposedShards: $1) }
        }
        switch c.kind {
        case .lstm:
            let cell = try LSTM(kernel: kernel, recurrentKernel: recurrent, bias: c.bias ? CellPathTests.tensor([4 * U], &g) : nil,
                                recurrentActivation: c.altActivation ? .hardSigmoid : .sigmoid)
            var math = cell.math
            math.transposed = packedT
            (step, run) = (cell.stepFunction, runner(math, "LSTM"))
        case .gruAfter, .gruBefore:
            let after = c.kind == .gruAfter
            let cell = try GRU(kernel: kernel, recurrentKernel: recurrent,
                               bias: c.bias ? CellPathTests.tensor(after ? [2, 3 * U] : [3 * U], &g) : nil, resetAfter: after,
                               activation: c.altActivation ? .relu : .tanh)
            var math = cell.math
            math.transposed = packedT
            (step, run) = (cell.stepFunction, runner(math, "GRU"))
        case .simple:
            let cell = try SimpleRNN(kernel: kernel, recurrentKernel: recurrent, bias: c.bias ? CellPathTests.tensor([U], &g) : nil,
                                     activation: c.altActivation ? .relu : .tanh)
            var math = cell.math
            math.transposed = packedT
            (step, run) = (cell.stepFunction, runner(math, "SimpleRNN"))
        }
        let states = h0 ?? (0..<stateCount).map { _ in Tensor<Float>(zeros: [B, U]) }
        let generic = try rnn(step, inputs: x, initialStates: states, goBackwards: c.goBackwards, mask: nil,
                              timeMajor: c.timeMajor, returnAllOutputs: c.all, execution: .serial)
        // B 64, 96 and 256 on two threads: two shards of 32, 48 or 128 rows (the second at row 32, 48 or 128); B 37 on
        // three: 13 + 12 + 12 rows; else one.
        let execution: Execution = B == 64 || B == 96 || B == 256 ? .threads(2, pinned: false)
            : B == 37 ? .threads(3, pinned: false) : .serial
        let rowMajor = try run(execution, .never), transposed = try run(execution, .always)
        // Each shard in row blocks run one after the other (the last one shorter where the rows do not divide).
        let blocked = try run(execution, .blocks(rows: B >= 64 ? 32 : 16))
        // And as this machine would choose (prnn_sgemm_t_blocks): transposed, in blocks, or row-major.
        let preferred = try run(execution, .preferred)
        for (label, r) in [("row-major", rowMajor), ("transposed", transposed), ("transposed in blocks", blocked),
                           ("as preferred here", preferred)] {
            #expect(r.outputs.isBitwiseIdentical(to: generic.outputs), "\(c) \(label) outputs")
            #expect(r.lastOutput.isBitwiseIdentical(to: generic.lastOutput), "\(c) \(label) lastOutput")
            #expect(r.newStates.count == generic.newStates.count)
            for (a, b) in zip(r.newStates, generic.newStates) { #expect(a.isBitwiseIdentical(to: b), "\(c) \(label) states") }
        }
    }
}
