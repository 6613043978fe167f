// The float activations against TensorFlow 2.21's own results (Scripts/fixture_activations.py): the Keras activations
// whose algorithms are TF's (tanh, softsign, relu6, leaky_relu and the exp/log1p/erfc/logistic family) must
// reproduce its bits.
import Foundation
import Testing
import _ParallelRNNKernels
@testable import ParallelRNN

/// The golden file: inputs and TF's outputs per Keras activation name, float32 bits in base64.
private struct TFActivations: Decodable {
    let generator: String
    let count: Int
    let inputs: String
    let outputs: [String: String]

    static func load() throws -> TFActivations {
        let url = try #require(Bundle.module.url(forResource: "tf_activations", withExtension: "json",
                                                 subdirectory: "ActivationFixtures"))
        return try JSONDecoder().decode(TFActivations.self, from: Data(contentsOf: url))
    }

    static func floats(_ base64: String) throws -> [Float] {
        let data = try #require(Data(base64Encoded: base64))
        return data.withUnsafeBytes { raw in
            (0..<raw.count / 4).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
        }
    }
}

extension KernelTests {
    /// Bitwise TF's: all but sigmoid (ours: a faster exp, ≤ 6 ulps here) and gelu (TF's erfc divides through an
    /// approximate reciprocal, rcpps + one Newton step, which no portable code reproduces: ≤ 8 ulps, rarely above 4,
    /// ≈ 96 % bitwise on TF's inputs at large).
    /// Denormals flushed, as in the engine's work items and TF's kernels.
    @Test("float activations reproduce TensorFlow 2.21's results bit for bit (sigmoid, gelu: within a few ulps), every ISA")
    func activationsMatchTensorFlow() throws {
        let fixture = try TFActivations.load()
        let x = try TFActivations.floats(fixture.inputs)
        #expect(x.count == fixture.count)
        let maxUlps: [String: Int] = ["sigmoid": 6, "gelu": 8]
        let names = try fixture.outputs.keys.sorted().map { ($0, try FixtureCellModel.activation($0)) }
        #expect(names.count == 12, "fixture activations: \(names.map(\.0))")
        for isa in supportedISAs() {
            for (name, activation) in names {
                let want = try TFActivations.floats(try #require(fixture.outputs[name]))
                var got = [Float](repeating: .nan, count: x.count)
                withISA(isa) {
                    let mxcsr = prnn_flush_denormals_enter()
                    x.withUnsafeBufferPointer { xp in
                        got.withUnsafeMutableBufferPointer { activation.apply(xp.baseAddress!, $0.baseAddress!, x.count) }
                    }
                    prnn_flush_denormals_restore(mxcsr)
                }
                var worst = 0, worstAt = 0, same = 0
                for i in x.indices {
                    let d = abs(Int(Int32(bitPattern: got[i].bitPattern)) - Int(Int32(bitPattern: want[i].bitPattern)))
                    if d == 0 { same += 1 }
                    if d > worst { worst = d; worstAt = i }
                }
                let bound = maxUlps[name] ?? 0
                #expect(worst <= bound, """
                    \(name) (\(String(cString: prnn_isa_name(isa)))): \(worst) ulps from TF at \
                    x = \(x[worstAt]) (ours \(got[worstAt]), TF's \(want[worstAt])); allowed \(bound)
                    """)
                if name == "gelu" { #expect(same * 10 >= x.count * 9, "gelu: only \(same) of \(x.count) bitwise TF's") }
            }
        }
    }
}
