/// A Keras LSTM layer's loop with trained weights in Keras layout: kernel `[I, 4U]`, recurrentKernel `[U, 4U]`,
/// bias `[4U]` (or nil for `use_bias=False`); gate order i, f, c, o. States are `[h, c]`, each `[B, U]`.
///
/// `inputs [B, T, I] → outputs [B, T, U]`, equal to `tf_keras.backend.rnn` with the Keras cell's step.
public struct LSTM: Sendable {
    /// U.
    public let units: Int
    /// I.
    public let inputSize: Int
    let math: LSTMMath

    public init(kernel: Tensor<Float>, recurrentKernel: Tensor<Float>, bias: Tensor<Float>?,
                activation: Activation = .tanh, recurrentActivation: Activation = .sigmoid) throws {
        let (i, u) = try CellWeights.dimensions(kernel: kernel, recurrentKernel: recurrentKernel, gates: 4, cell: "LSTM")
        if let bias, bias.shape != [4 * u] {
            throw RNNError.weightShape(argument: "LSTM bias", shape: bias.shape, expected: "[\(4 * u)] (4U)")
        }
        units = u
        inputSize = i
        math = LSTMMath(units: u, inputSize: i, inputWeights: CellWeights.packed(kernel),
                        recurrentWeights: CellWeights.packed(recurrentKernel), bias: bias?.storage,
                        activation: activation, recurrentActivation: recurrentActivation,
                        transposed: CellWeights.transposed(kernel: kernel, recurrentKernel: recurrentKernel, stacked: true))
    }

    /// Runs the layer: `[B, T, I]` (or `[T, B, I]` time-major) → outputs `[B, T, U]`, lastOutput `[B, U]`, `[h, c]`.
    /// `initialStates` nil means zeros.
    public func callAsFunction(
        _ inputs: Tensor<Float>, mask: Tensor<Bool>? = nil, initialStates: [Tensor<Float>]? = nil,
        goBackwards: Bool = false, timeMajor: Bool = false, zeroOutputForMask: Bool = false,
        returnAllOutputs: Bool = true, execution: Execution = .automatic
    ) throws -> RNNResult<Float> {
        try CellRunner.run(math, cellName: "LSTM", inputs: inputs, mask: mask, initialStates: initialStates,
                           goBackwards: goBackwards, timeMajor: timeMajor, zeroOutputForMask: zeroOutputForMask,
                           returnAllOutputs: returnAllOutputs, execution: execution)
    }

    /// The same cell as a plain step for `rnn`: states `[h, c]`, no constants.
    public var stepFunction: StepFunction<Float> { CellWeights.stepFunction(math, cell: "LSTM") }
}
