import ParallelRNN

// The Keras cell of a `"step": "cell"` fixture, built with the public cell API.

enum FixtureCellModel: Sendable {
    case lstm(LSTM)
    case gru(GRU)
    case simple(SimpleRNN)

    init(_ spec: FixtureCell) throws {
        let kernel = try spec.kernel.numeric(Float.self)
        let recurrent = try spec.recurrentKernel.numeric(Float.self)
        let bias = try spec.bias?.numeric(Float.self)
        let activation = try Self.activation(spec.activation)
        switch spec.type {
        case "lstm":
            self = .lstm(try LSTM(kernel: kernel, recurrentKernel: recurrent, bias: bias, activation: activation,
                                  recurrentActivation: try Self.activation(spec.recurrentActivation ?? "sigmoid")))
        case "gru":
            self = .gru(try GRU(kernel: kernel, recurrentKernel: recurrent, bias: bias,
                                resetAfter: spec.resetAfter ?? true, activation: activation,
                                recurrentActivation: try Self.activation(spec.recurrentActivation ?? "sigmoid")))
        case "simple":
            self = .simple(try SimpleRNN(kernel: kernel, recurrentKernel: recurrent, bias: bias, activation: activation))
        default:
            throw FixtureError.unknownStep("cell type \(spec.type)")
        }
    }

    static func activation(_ name: String) throws -> Activation {
        switch name {
        case "tanh": return .tanh
        case "sigmoid": return .sigmoid
        case "hard_sigmoid": return .hardSigmoid
        case "relu": return .relu
        case "linear": return .linear
        case "softsign": return .softsign
        case "softplus": return .softplus
        case "elu": return .elu
        case "selu": return .selu
        case "exponential": return .exponential
        case "swish": return .swish
        case "gelu": return .gelu
        case "mish": return .mish
        case "relu6": return .relu6
        case "leaky_relu": return .leakyRelu
        default: throw FixtureError.unknownStep("activation \(name)")
        }
    }

    /// Number of states: 2 for LSTM ([h, c]), 1 otherwise.
    var stateCount: Int {
        if case .lstm = self { return 2 }
        return 1
    }

    func callAsFunction(
        _ inputs: Tensor<Float>, mask: Tensor<Bool>?, initialStates: [Tensor<Float>]?, goBackwards: Bool,
        timeMajor: Bool, zeroOutputForMask: Bool, returnAllOutputs: Bool, execution: Execution
    ) throws -> RNNResult<Float> {
        switch self {
        case let .lstm(cell):
            return try cell(inputs, mask: mask, initialStates: initialStates, goBackwards: goBackwards,
                            timeMajor: timeMajor, zeroOutputForMask: zeroOutputForMask,
                            returnAllOutputs: returnAllOutputs, execution: execution)
        case let .gru(cell):
            return try cell(inputs, mask: mask, initialStates: initialStates, goBackwards: goBackwards,
                            timeMajor: timeMajor, zeroOutputForMask: zeroOutputForMask,
                            returnAllOutputs: returnAllOutputs, execution: execution)
        case let .simple(cell):
            return try cell(inputs, mask: mask, initialStates: initialStates, goBackwards: goBackwards,
                            timeMajor: timeMajor, zeroOutputForMask: zeroOutputForMask,
                            returnAllOutputs: returnAllOutputs, execution: execution)
        }
    }

    var stepFunction: StepFunction<Float> {
        switch self {
        case let .lstm(cell): return cell.stepFunction
        case let .gru(cell): return cell.stepFunction
        case let .simple(cell): return cell.stepFunction
        }
    }
}

enum CellFixtureRunner {
    /// The fused path: the cell's `callAsFunction` (`initialStates: []` in the fixture means nil, i.e. zeros).
    static func fused(_ c: FixtureCase, execution: Execution) throws -> FixtureRun<Float> {
        let cell = try FixtureCellModel(c.cell!)
        let states = try c.initialStates.map { try $0.tensor(Float.self) }
        let r = try cell(try c.inputs.tensor(Float.self), mask: try c.maskTensor(),
                         initialStates: states.isEmpty ? nil : states, goBackwards: c.goBackwards,
                         timeMajor: c.timeMajor, zeroOutputForMask: c.zeroOutputForMask,
                         returnAllOutputs: c.returnAllOutputs, execution: execution)
        return FixtureRun(lastOutput: .leaf(r.lastOutput), outputs: .leaf(r.outputs),
                          newStates: r.newStates.map { .leaf($0) }, calls: 0, rows: 0)
    }

    /// The generic path: `rnn(cell.stepFunction, ...)` with explicit (or zero) initial states, counting calls.
    static func viaRNN(_ c: FixtureCase, execution: Execution) throws -> FixtureRun<Float> {
        let spec = c.cell!
        let cell = try FixtureCellModel(spec)
        let units = spec.recurrentKernel.shape[0]
        var states = try c.initialStates.map { try $0.tensor(Float.self) }
        if states.isEmpty {
            states = Array(repeating: Tensor<Float>(zeros: [c.batchSize, units]), count: cell.stateCount)
        }
        let counter = CallCounter()
        let step = cell.stepFunction
        let counted: StepFunction<Float> = { x, s in
            counter.record(rows: x.shape.first ?? 0)
            return try step(x, s)
        }
        let r = try rnn(counted, inputs: try c.inputs.tensor(Float.self), initialStates: states,
                        goBackwards: c.goBackwards, mask: try c.maskTensor(), timeMajor: c.timeMajor,
                        zeroOutputForMask: c.zeroOutputForMask, returnAllOutputs: c.returnAllOutputs,
                        execution: execution)
        let (calls, rows) = counter.snapshot
        return FixtureRun(lastOutput: .leaf(r.lastOutput), outputs: .leaf(r.outputs),
                          newStates: r.newStates.map { .leaf($0) }, calls: calls, rows: rows)
    }
}
