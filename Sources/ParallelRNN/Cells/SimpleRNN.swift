/// A Keras SimpleRNN layer's loop: kernel `[I, U]`, recurrentKernel `[U, U]`, bias `[U]` or nil. State `[h]`.
public struct SimpleRNN: Sendable {
    /// U.
    public let units: Int
    /// I.
    public let inputSize: Int
    let math: SimpleRNNMath

    public init(kernel: Tensor<Float>, recurrentKernel: Tensor<Float>, bias: Tensor<Float>?, activation: Activation = .tanh) throws {
        let (i, u) = try CellWeights.dimensions(kernel: kernel, recurrentKernel: recurrentKernel, gates: 1, cell: "SimpleRNN")
        if let bias, bias.shape != [u] {
            throw RNNError.weightShape(argument: "SimpleRNN bias", shape: bias.shape, expected: "[\(u)] (U)")
        }
        units = u
        inputSize = i
        math = SimpleRNNMath(units: u, inputSize: i, inputWeights: CellWeights.packed(kernel),
                             recurrentWeights: CellWeights.packed(recurrentKernel), bias: bias?.storage, activation: activation,
                             transposed: CellWeights.transposed(kernel: kernel, recurrentKernel: recurrentKernel))
    }

    /// Runs the layer: `[B, T, I]` (or `[T, B, I]` time-major) → outputs `[B, T, U]`, lastOutput `[B, U]`, `[h]`.
    public func callAsFunction(
        _ inputs: Tensor<Float>, mask: Tensor<Bool>? = nil, initialStates: [Tensor<Float>]? = nil,
        goBackwards: Bool = false, timeMajor: Bool = false, zeroOutputForMask: Bool = false,
        returnAllOutputs: Bool = true, execution: Execution = .automatic
    ) throws -> RNNResult<Float> {
        try CellRunner.run(math, cellName: "SimpleRNN", inputs: inputs, mask: mask, initialStates: initialStates,
                           goBackwards: goBackwards, timeMajor: timeMajor, zeroOutputForMask: zeroOutputForMask,
                           returnAllOutputs: returnAllOutputs, execution: execution)
    }

    /// The same cell as a plain step for `rnn`: state `[h]`, no constants.
    public var stepFunction: StepFunction<Float> { CellWeights.stepFunction(math, cell: "SimpleRNN") }
}
