import ParallelRNN

/// A workload with its tensors built, ready to be timed: `run(execution)` performs one full forward pass.
struct PreparedWorkload: Sendable {
    let spec: WorkloadSpec
    let run: @Sendable (Execution) throws -> Void
    /// The shard plan of `run(execution)`, its shard count and whether it pins: the cells' own (`shardPlan`), and for
    /// the generic step the engine's plan by rows, which `rnn` makes (`Engine.plan`). `warm`: as planned when a pool
    /// thread is parked, as it is for back-to-back calls (the cells split smaller calls then).
    let plan: @Sendable (_ execution: Execution, _ warm: Bool) throws -> ShardPlan

    init(_ spec: WorkloadSpec) throws {
        self.spec = spec
        var rng = SeededRandom(seed: spec.seed)
        let (b, t, i, u) = (spec.batch, spec.time, spec.input, spec.units)
        let timeMajor = spec.timeMajor
        let batchMajor = rng.normals(b * t * i)
        let inputs = timeMajor
            ? try Tensor<Float>(shape: [t, b, i], scalars: Self.swapLeadingAxes(batchMajor, b, t, i))
            : try Tensor<Float>(shape: [b, t, i], scalars: batchMajor)
        func weights(_ shape: [Int]) throws -> Tensor<Float> {
            try Tensor(shape: shape, scalars: rng.normals(shape.reduce(1, *), scale: 0.1))
        }
        let mask: Tensor<Bool>? = try spec.sampleLengths().map { lengths throws(RNNError) in
            var m = [Bool](repeating: false, count: b * t)
            for (row, length) in lengths.enumerated() {
                for step in 0..<length { m[timeMajor ? step * b + row : row * t + step] = true }
            }
            return try Tensor(shape: timeMajor ? [t, b] : [b, t], scalars: m)
        }
        let goBackwards = spec.goBackwards
        switch spec.cell {
        case .lstm:
            let cell = try LSTM(kernel: weights([i, 4 * u]), recurrentKernel: weights([u, 4 * u]), bias: weights([4 * u]),
                                activation: spec.activation, recurrentActivation: spec.recurrentActivation)
            run = { execution in _ = try cell(inputs, mask: mask, goBackwards: goBackwards, timeMajor: timeMajor, execution: execution) }
            plan = { execution, warm in
                try cell.shardPlan(inputs, mask: mask, goBackwards: goBackwards, timeMajor: timeMajor, execution: execution,
                                   warm: warm)
            }
        case .gru:
            let bias = spec.resetAfter ? try weights([2, 3 * u]) : try weights([3 * u])
            let cell = try GRU(kernel: weights([i, 3 * u]), recurrentKernel: weights([u, 3 * u]), bias: bias,
                               resetAfter: spec.resetAfter, activation: spec.activation,
                               recurrentActivation: spec.recurrentActivation)
            run = { execution in _ = try cell(inputs, mask: mask, goBackwards: goBackwards, timeMajor: timeMajor, execution: execution) }
            plan = { execution, warm in
                try cell.shardPlan(inputs, mask: mask, goBackwards: goBackwards, timeMajor: timeMajor, execution: execution,
                                   warm: warm)
            }
        case .simple:
            let cell = try SimpleRNN(kernel: weights([i, u]), recurrentKernel: weights([u, u]), bias: weights([u]),
                                     activation: spec.activation)
            run = { execution in _ = try cell(inputs, mask: mask, goBackwards: goBackwards, timeMajor: timeMajor, execution: execution) }
            plan = { execution, warm in
                try cell.shardPlan(inputs, mask: mask, goBackwards: goBackwards, timeMajor: timeMajor, execution: execution,
                                   warm: warm)
            }
        case .generic:
            // w4: a user step written with Tensor ops, h' = tanh(x_t + matmul(h, W)), output h'.
            let w = try weights([u, u])
            let step: StepFunction<Float> = { x, states in
                let h = tanh(x + matmul(states[0], w))
                return (h, [h])
            }
            let h0 = Tensor<Float>(zeros: [b, u])
            run = { execution in
                _ = try rnn(step, inputs: inputs, initialStates: [h0], goBackwards: goBackwards, mask: mask,
                            timeMajor: timeMajor, execution: execution)
            }
            plan = { execution, _ in try Engine.plan(rows: b, execution: execution) }  // as rnn plans it
        }
    }

    /// `[a, b, inner]` → `[b, a, inner]`.
    static func swapLeadingAxes(_ x: [Float], _ a: Int, _ b: Int, _ inner: Int) -> [Float] {
        var y = [Float](repeating: 0, count: x.count)
        for p in 0..<a { for q in 0..<b { for k in 0..<inner { y[(q * a + p) * inner + k] = x[(p * b + q) * inner + k] } } }
        return y
    }
}
