import Testing
import _ParallelRNNKernels
@testable import ParallelRNN

/// The cells sum `x·W`, `h·U` and the bias as tf_keras does — LSTM `(x·W + h·U) + b`, SimpleRNN `(x·W + b) + h·U`,
/// each product its own FMA chain from zero — not as one chain over `[x; h]`. Checked bitwise against a scalar
/// reference written from tf_keras's cell code (activations element by element through `prnn_activation_f32`), on
/// the row-major and the transposed path. With one chain the relu LSTM of fuzz seed 2723 case 199 was off by 2.4e-4
/// after cancellation (KERNELS.md, seventeenth round); the separate sums give Keras's bits there.
@Suite struct CellAssociationTests {
    /// `a·M` for a row `a [K]` and `M [K, N]`: per column the chain acc = fma(a[k], M[k][j], acc) from +0.
    static func dot(_ a: ArraySlice<Float>, _ m: [Float], columns n: Int) -> [Float] {
        var out = [Float](repeating: 0, count: n)
        for j in 0..<n {
            var acc: Float = 0
            for (k, v) in a.enumerated() { acc = acc.addingProduct(v, m[k * n + j]) }
            out[j] = acc
        }
        return out
    }

    static func act(_ a: Activation, _ x: Float) -> Float {
        var x = x, y: Float = 0
        prnn_activation_f32(a.kernel, &x, &y, 1)
        return y
    }

    static func scalars(_ t: Tensor<Float>) -> [Float] { t.withUnsafeBufferPointer { Array($0) } }

    /// Outputs `[B, T, U]` of tf_keras's LSTMCell (implementation 2) or SimpleRNNCell from states `h0`, `c0`
    /// (`[B, U]` each); `bias` nil: no bias add.
    static func reference(lstm: Bool, x: [Float], batch: Int, time: Int, input: Int, units u: Int, kernel: [Float],
                          recurrent: [Float], bias: [Float]?, h0: [Float], c0: [Float], activation: Activation,
                          recurrentActivation: Activation) -> [Float] {
        let g = lstm ? 4 * u : u
        var out = [Float](repeating: 0, count: batch * time * u)
        for b in 0..<batch {
            var h = Array(h0[b * u ..< (b + 1) * u]), c = Array(c0[b * u ..< (b + 1) * u])
            for t in 0..<time {
                let xw = dot(x[(b * time + t) * input ..< (b * time + t + 1) * input], kernel, columns: g)
                let hu = dot(h[...], recurrent, columns: g)
                if lstm {
                    var z = [Float](repeating: 0, count: g)
                    for j in 0..<g {
                        let sum = xw[j] + hu[j]
                        z[j] = bias.map { sum + $0[j] } ?? sum
                    }
                    for j in 0..<u {
                        let i = act(recurrentActivation, z[j]), f = act(recurrentActivation, z[u + j])
                        let cand = act(activation, z[2 * u + j]), o = act(recurrentActivation, z[3 * u + j])
                        c[j] = f * c[j] + i * cand
                        h[j] = o * act(activation, c[j])
                    }
                } else {
                    for j in 0..<u {
                        let projected = bias.map { xw[j] + $0[j] } ?? xw[j]
                        h[j] = act(activation, projected + hu[j])
                    }
                }
                out.replaceSubrange((b * time + t) * u ..< (b * time + t + 1) * u, with: h)
            }
        }
        return out
    }

    struct Case: CustomStringConvertible, Sendable {
        var lstm: Bool, batch: Int, time: Int, input: Int, units: Int
        /// Products that round to −0 (tiny h and U, no bias, c0 = −0): an empty `x·W` (I = 0) must still add +0.
        var signedZero = false
        var description: String { "\(lstm ? "LSTM" : "SimpleRNN") B\(batch) T\(time) I\(input) U\(units)\(signedZero ? " −0" : "")" }
    }

    static let cases: [Case] = [
        Case(lstm: true, batch: 5, time: 6, input: 7, units: 13), Case(lstm: true, batch: 32, time: 6, input: 7, units: 13),
        Case(lstm: false, batch: 5, time: 6, input: 7, units: 13), Case(lstm: false, batch: 16, time: 6, input: 7, units: 13),
        // K = U > 512: the row-major add over several k blocks (its chain in scratch), the transposed h chain long.
        Case(lstm: true, batch: 2, time: 2, input: 3, units: 520),
        Case(lstm: true, batch: 16, time: 3, input: 0, units: 1, signedZero: true),
        Case(lstm: false, batch: 16, time: 3, input: 0, units: 1, signedZero: true),
    ]

    @Test(arguments: cases)
    func kerasAssociation(_ c: Case) throws {
        var g = SplitMix(seed: UInt64(c.batch * 1000 + c.units * 10 + c.input))
        let (B, T, I, U) = (c.batch, c.time, c.input, c.units), gates = c.lstm ? 4 : 1
        let x = CellPathTests.tensor([B, T, I], &g, scale: 2)
        let kernel = CellPathTests.tensor([I, gates * U], &g, scale: 0.7)
        let recurrent = c.signedZero ? try Tensor(shape: [U, gates * U], scalars: [Float](repeating: -1e-30, count: U * gates * U))
                                     : CellPathTests.tensor([U, gates * U], &g, scale: c.units > 100 ? 0.1 : 0.7)
        let bias: Tensor<Float>? = c.signedZero ? nil : CellPathTests.tensor([gates * U], &g, scale: 0.5)
        let h0 = c.signedZero ? try Tensor(shape: [B, U], scalars: [Float](repeating: 1e-30, count: B * U))
                              : CellPathTests.tensor([B, U], &g)
        let c0 = c.signedZero ? try Tensor(shape: [B, U], scalars: [Float](repeating: -0.0, count: B * U))
                              : CellPathTests.tensor([B, U], &g)
        // relu would turn the −0 gate into +0 before it reaches c; tanh keeps the sign.
        let activation: Activation = c.lstm && !c.signedZero ? .relu : .tanh
        let want = Self.reference(lstm: c.lstm, x: Self.scalars(x), batch: B, time: T, input: I, units: U,
                                  kernel: Self.scalars(kernel), recurrent: Self.scalars(recurrent),
                                  bias: bias.map(Self.scalars), h0: Self.scalars(h0), c0: Self.scalars(c0),
                                  activation: activation, recurrentActivation: .sigmoid)
        let packedT = CellWeights.transposed(kernel: kernel, recurrentKernel: recurrent, stacked: c.lstm, always: true)
        for shards in [TransposedShards.never, .always] {
            let result: RNNResult<Float>
            if c.lstm {
                var math = try LSTM(kernel: kernel, recurrentKernel: recurrent, bias: bias, activation: activation).math
                math.transposed = packedT
                result = try CellRunner.run(math, cellName: "LSTM", inputs: x, mask: nil, initialStates: [h0, c0],
                                            goBackwards: false, timeMajor: false, zeroOutputForMask: false,
                                            returnAllOutputs: true, execution: .serial, transposedShards: shards)
            } else {
                var math = try SimpleRNN(kernel: kernel, recurrentKernel: recurrent, bias: bias, activation: activation).math
                math.transposed = packedT
                result = try CellRunner.run(math, cellName: "SimpleRNN", inputs: x, mask: nil, initialStates: [h0],
                                            goBackwards: false, timeMajor: false, zeroOutputForMask: false,
                                            returnAllOutputs: true, execution: .serial, transposedShards: shards)
            }
            let got = Self.scalars(result.outputs)
            let differing = zip(got, want).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(differing == 0, "\(c) \(shards): \(differing) of \(want.count) outputs differ from Keras's association")
        }
    }
}
