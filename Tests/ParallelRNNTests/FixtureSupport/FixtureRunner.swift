import ParallelRNN

// Runs a catalog-step fixture through the public `rnn` (flat or Nest overload), counting step calls.

enum FixtureRunner {
    /// Runs case `c` (dtype `S`) under `execution`.
    static func run<S: TensorFloatingPoint>(_ c: FixtureCase, _: S.Type, execution: Execution) throws -> FixtureRun<S> {
        let params = try c.parameters(S.self)
        let counter = CallCounter()
        let mask = try c.maskTensor()
        let length = c.inputLength?.inputLength
        if c.flat {
            let step = try StepCatalog.flat(c.step, params)
            let counted: StepFunction<S> = { x, states in
                counter.record(rows: x.shape.first ?? 0)
                return try step(x, states)
            }
            let r = try rnn(
                counted, inputs: try c.inputs.tensor(S.self),
                initialStates: try c.initialStates.map { try $0.tensor(S.self) },
                goBackwards: c.goBackwards, mask: mask, constants: try c.constants.map { try $0.tensor(S.self) },
                unroll: c.unroll, inputLength: length, timeMajor: c.timeMajor,
                zeroOutputForMask: c.zeroOutputForMask, returnAllOutputs: c.returnAllOutputs, execution: execution)
            let (calls, rows) = counter.snapshot
            return FixtureRun(lastOutput: .leaf(r.lastOutput), outputs: .leaf(r.outputs),
                              newStates: r.newStates.map { .leaf($0) }, calls: calls, rows: rows)
        } else {
            let step = try StepCatalog.nested(c.step, params)
            let counted: NestedStepFunction<S> = { x, states in
                counter.record(rows: x.leaves.first?.shape.first ?? 0)
                return try step(x, states)
            }
            let r = try rnn(
                counted, inputs: try c.inputs.nest(S.self),
                initialStates: try c.initialStates.map { try $0.nest(S.self) },
                goBackwards: c.goBackwards, mask: mask, constants: try c.constants.map { try $0.nest(S.self) },
                unroll: c.unroll, inputLength: length, timeMajor: c.timeMajor,
                zeroOutputForMask: c.zeroOutputForMask, returnAllOutputs: c.returnAllOutputs, execution: execution)
            let (calls, rows) = counter.snapshot
            return FixtureRun(lastOutput: r.lastOutput, outputs: r.outputs, newStates: r.newStates,
                              calls: calls, rows: rows)
        }
    }

    /// Runs a flat case through the Nest overload (every tensor wrapped as a leaf), to check both overloads agree.
    static func runFlatAsNest<S: TensorFloatingPoint>(_ c: FixtureCase, _: S.Type, execution: Execution) throws -> FixtureRun<S> {
        precondition(c.flat)
        let step = try StepCatalog.flat(c.step, try c.parameters(S.self))
        let counter = CallCounter()
        let nested: NestedStepFunction<S> = { x, states in
            counter.record(rows: x.leafValue.shape.first ?? 0)
            let r = try step(x.leafValue, states.map(\.leafValue))
            return (.leaf(r.output), r.newStates.map { .leaf($0) })
        }
        let r = try rnn(
            nested, inputs: try c.inputs.nest(S.self), initialStates: try c.initialStates.map { try $0.nest(S.self) },
            goBackwards: c.goBackwards, mask: try c.maskTensor(), constants: try c.constants.map { try $0.nest(S.self) },
            unroll: c.unroll, inputLength: c.inputLength?.inputLength, timeMajor: c.timeMajor,
            zeroOutputForMask: c.zeroOutputForMask, returnAllOutputs: c.returnAllOutputs, execution: execution)
        let (calls, rows) = counter.snapshot
        return FixtureRun(lastOutput: r.lastOutput, outputs: r.outputs, newStates: r.newStates, calls: calls, rows: rows)
    }
}
