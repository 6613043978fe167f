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

    /// Outputs `[B, T, U]` of tf_keras's LSTMCell (implementation 2) or SimpleRNNCell from zero states.
    static func reference(lstm: Bool, x: [Float], batch: Int, time: Int, input: Int, units u: Int, kernel: [Float],
                          recurrent: [Float], bias: [Float], activation: Activation, recurrentActivation: Activation) -> [Float] {
        let g = lstm ? 4 * u : u
        var out = [Float](repeating: 0, count: batch * time * u)
        for b in 0..<batch {
            var h = [Float](repeating: 0, count: u), c = h
            for t in 0..<time {
                let xw = dot(x[(b * time + t) * input ..< (b * time + t + 1) * input], kernel, columns: g)
                let hu = dot(h[...], recurrent, columns: g)
                if lstm {
                    let z = (0..<g).map { (xw[$0] + hu[$0]) + bias[$0] }
                    for j in 0..<u {
                        let i = act(recurrentActivation, z[j]), f = act(recurrentActivation, z[u + j])
                        let cand = act(activation, z[2 * u + j]), o = act(recurrentActivation, z[3 * u + j])
                        c[j] = f * c[j] + i * cand
                        h[j] = o * act(activation, c[j])
                    }
                } else {
                    h = (0..<u).map { act(activation, (xw[$0] + bias[$0]) + hu[$0]) }
                }
                out.replaceSubrange((b * time + t) * u ..< (b * time + t + 1) * u, with: h)
            }
        }
        return out
    }

    @Test(arguments: [(true, 5), (true, 32), (false, 5), (false, 16)])
    func kerasAssociation(lstm: Bool, batch: Int) throws {
        var g = SplitMix(seed: lstm ? 41 : 43)
        let (T, I, U) = (6, 7, 13), gates = lstm ? 4 : 1
        let x = CellPathTests.tensor([batch, T, I], &g, scale: 2)
        let kernel = CellPathTests.tensor([I, gates * U], &g, scale: 0.7)
        let recurrent = CellPathTests.tensor([U, gates * U], &g, scale: 0.7)
        let bias = CellPathTests.tensor([gates * U], &g, scale: 0.5)
        let activation: Activation = lstm ? .relu : .tanh
        let want = Self.reference(lstm: lstm, x: Self.scalars(x), batch: batch, time: T, input: I, units: U,
                                  kernel: Self.scalars(kernel), recurrent: Self.scalars(recurrent),
                                  bias: Self.scalars(bias), activation: activation, recurrentActivation: .sigmoid)
        let packedT = CellWeights.transposed(kernel: kernel, recurrentKernel: recurrent, stacked: lstm, always: true)
        for shards in [TransposedShards.never, .always] {
            let result: RNNResult<Float>
            if lstm {
                var math = try LSTM(kernel: kernel, recurrentKernel: recurrent, bias: bias, activation: activation).math
                math.transposed = packedT
                result = try CellRunner.run(math, cellName: "LSTM", inputs: x, mask: nil, initialStates: nil,
                                            goBackwards: false, timeMajor: false, zeroOutputForMask: false,
                                            returnAllOutputs: true, execution: .serial, transposedShards: shards)
            } else {
                var math = try SimpleRNN(kernel: kernel, recurrentKernel: recurrent, bias: bias, activation: activation).math
                math.transposed = packedT
                result = try CellRunner.run(math, cellName: "SimpleRNN", inputs: x, mask: nil, initialStates: nil,
                                            goBackwards: false, timeMajor: false, zeroOutputForMask: false,
                                            returnAllOutputs: true, execution: .serial, transposedShards: shards)
            }
            let got = Self.scalars(result.outputs)
            let differing = zip(got, want).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(differing == 0, "\(lstm ? "LSTM" : "SimpleRNN") B\(batch) \(shards): \(differing) of \(want.count) outputs differ from Keras's association")
        }
    }
}
