/// A Keras GRU layer's loop with trained weights in Keras layout: kernel `[I, 3U]`, recurrentKernel `[U, 3U]`,
/// bias `[2, 3U]` (input and recurrent biases) when `resetAfter` (Keras's default), `[3U]` otherwise, or nil;
/// gate order z, r, h. State is `[h]`, `[B, U]`.
public struct GRU: Sendable {
    /// U.
    public let units: Int
    /// I.
    public let inputSize: Int
    public let resetAfter: Bool
    let math: GRUMath

    public init(kernel: Tensor<Float>, recurrentKernel: Tensor<Float>, bias: Tensor<Float>?, resetAfter: Bool = true,
                activation: Activation = .tanh, recurrentActivation: Activation = .sigmoid) throws {
        let (i, u) = try CellWeights.dimensions(kernel: kernel, recurrentKernel: recurrentKernel, gates: 3, cell: "GRU")
        var inputBias: TensorStorage<Float>?
        var recurrentBias: TensorStorage<Float>?
        if let bias {
            let expected = resetAfter ? [2, 3 * u] : [3 * u]
            guard bias.shape == expected else {
                throw RNNError.weightShape(argument: "GRU bias", shape: bias.shape,
                                           expected: "\(expected) (\(resetAfter ? "2, 3U with resetAfter" : "3U without resetAfter"))")
            }
            if resetAfter {
                inputBias = bias.rows(0..<1).storage
                recurrentBias = bias.rows(1..<2).storage
            } else {
                inputBias = bias.storage
            }
        }
        units = u
        inputSize = i
        self.resetAfter = resetAfter
        math = GRUMath(
            units: u, inputSize: i, inputWeights: CellWeights.packed(kernel),
            recurrentWeights: CellWeights.packed(recurrentKernel, columns: 0..<(resetAfter ? 3 * u : 2 * u)),
            recurrentCandidateWeights: resetAfter ? nil : CellWeights.packed(recurrentKernel, columns: (2 * u)..<(3 * u)),
            inputBias: inputBias, recurrentBias: recurrentBias, resetAfter: resetAfter,
            activation: activation, recurrentActivation: recurrentActivation,
            transposed: CellWeights.transposed(kernel: kernel, recurrentKernel: recurrentKernel,
                                               candidate: resetAfter ? nil : (2 * u)..<(3 * u)))
    }

    /// Runs the layer: `[B, T, I]` (or `[T, B, I]` time-major) → outputs `[B, T, U]`, lastOutput `[B, U]`, `[h]`.
    public func callAsFunction(
        _ inputs: Tensor<Float>, mask: Tensor<Bool>? = nil, initialStates: [Tensor<Float>]? = nil,
        goBackwards: Bool = false, timeMajor: Bool = false, zeroOutputForMask: Bool = false,
        returnAllOutputs: Bool = true, execution: Execution = .automatic
    ) throws -> RNNResult<Float> {
        try CellRunner.run(math, cellName: "GRU", inputs: inputs, mask: mask, initialStates: initialStates,
                           goBackwards: goBackwards, timeMajor: timeMajor, zeroOutputForMask: zeroOutputForMask,
                           returnAllOutputs: returnAllOutputs, execution: execution)
    }

    /// The same cell as a plain step for `rnn`: state `[h]`, no constants.
    public var stepFunction: StepFunction<Float> { CellWeights.stepFunction(math, cell: "GRU") }
}
