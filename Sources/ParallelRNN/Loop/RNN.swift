import Dispatch

/// Runs `stepFunction` over the time axis exactly like `tf.keras.backend.rnn` (tf_keras 2.21, `while_loop` path),
/// split over the batch by `execution`.
///
/// - `inputs`: `[B, T, ...]` (or `[T, B, ...]` with `timeMajor`), rank ≥ 3. `initialStates`: `[B, ...]` each.
/// - `mask`: `[B, T]` or `[B, T, 1]` (`[T, B]` / `[T, B, 1]` time-major). Masked steps are still computed, then
///   discarded by selection: the output repeats the previous one (or is zero with `zeroOutputForMask`), states carry.
/// - `goBackwards`: processes t = T-1 … 0 and returns `outputs` in that processing order.
/// - `unroll`: accepted; gives exactly the same numbers as the loop (Project decision 2).
/// - `inputLength`: see ``InputLength``.
/// - The step is called exactly T times per shard (no probe call). Step errors are rethrown unchanged.
@_specialize(exported: false, kind: full, where Scalar == Float)
@_specialize(exported: false, kind: full, where Scalar == Double)
public func rnn<Scalar: TensorScalar & BinaryFloatingPoint>(
    _ stepFunction: @escaping StepFunction<Scalar>,
    inputs: Tensor<Scalar>,
    initialStates: [Tensor<Scalar>],
    goBackwards: Bool = false,
    mask: Tensor<Bool>? = nil,
    constants: [Tensor<Scalar>] = [],
    unroll: Bool = false,
    inputLength: InputLength? = nil,
    timeMajor: Bool = false,
    zeroOutputForMask: Bool = false,
    returnAllOutputs: Bool = true,
    execution: Execution = .automatic
) throws -> RNNResult<Scalar> {
    let stateCount = initialStates.count
    let step: LeafStep<Scalar> = { x, states, constants in
        // Borrowed, not copied (a copy costs a retain and a release of each tensor and array every step).
        let r = try x.withUnsafeBufferPointer { x in
            try constants.isEmpty ? stepFunction(x[0], states) : stepFunction(x[0], states + constants)
        }
        guard r.newStates.count == stateCount else {
            throw RNNError.stepResultCount(argument: "new states", expected: stateCount, actual: r.newStates.count)
        }
        return ([r.output], nil, r.newStates)
    }
    let r = try LoopRunner.run(
        step: step, inputs: [inputs], inputName: { _ in "inputs" },
        states: initialStates, stateName: { "initialStates[\($0)]" }, constants: constants,
        mask: mask, inputLength: inputLength, timeMajor: timeMajor, goBackwards: goBackwards,
        zeroOutputForMask: zeroOutputForMask, returnAllOutputs: returnAllOutputs, execution: execution)
    return RNNResult(lastOutput: r.lastOutputs[0], outputs: r.outputs[0], newStates: r.states)
}

/// The nested form of ``rnn(_:inputs:initialStates:goBackwards:mask:constants:unroll:inputLength:timeMajor:zeroOutputForMask:returnAllOutputs:execution:)-(StepFunction<Scalar>,_,_,_,_,_,_,_,_,_,_,_)``:
/// inputs, each state, each constant and the step output may be tf.nest structures (flattened in tf.nest order:
/// lists in order, dicts by sorted key). Every input leaf is `[B, T, ...]`; new states must keep each state's structure.
@_specialize(exported: false, kind: full, where Scalar == Float)
@_specialize(exported: false, kind: full, where Scalar == Double)
public func rnn<Scalar: TensorScalar & BinaryFloatingPoint>(
    _ stepFunction: @escaping NestedStepFunction<Scalar>,
    inputs: Nest<Tensor<Scalar>>,
    initialStates: [Nest<Tensor<Scalar>>],
    goBackwards: Bool = false, mask: Tensor<Bool>? = nil, constants: [Nest<Tensor<Scalar>>] = [],
    unroll: Bool = false, inputLength: InputLength? = nil, timeMajor: Bool = false,
    zeroOutputForMask: Bool = false, returnAllOutputs: Bool = true, execution: Execution = .automatic
) throws -> NestedRNNResult<Scalar> {
    let inputSkeleton = inputs.skeleton
    let stateSkeletons = initialStates.map(\.skeleton)
    let constantSkeletons = constants.map(\.skeleton)
    let stateLeafCounts = initialStates.map { $0.leaves.count }
    let constantLeafCounts = constants.map { $0.leaves.count }
    let step: LeafStep<Scalar> = { x, states, constantLeaves in
        let r = try stepFunction(
            inputSkeleton.rebuild(from: x),
            regroup(states, stateSkeletons, stateLeafCounts) + regroup(constantLeaves, constantSkeletons, constantLeafCounts))
        guard r.newStates.count == stateSkeletons.count else {
            throw RNNError.stepResultCount(argument: "new states", expected: stateSkeletons.count, actual: r.newStates.count)
        }
        for (j, (new, skeleton)) in zip(r.newStates, stateSkeletons).enumerated() where new.skeleton != skeleton {
            throw RNNError.structureMismatch(argument: "new state \(j)", expected: skeleton.structureDescription,
                                             actual: new.skeleton.structureDescription)
        }
        return (r.output.leaves, r.output.skeleton, r.newStates.flatMap(\.leaves))
    }
    let stateOwner = stateLeafCounts.enumerated().flatMap { j, n in (0..<n).map { (j, $0) } }
    let r = try LoopRunner.run(
        step: step, inputs: inputs.leaves, inputName: { "inputs leaf \($0)" },
        states: initialStates.flatMap(\.leaves),
        stateName: { "initialStates[\(stateOwner[$0].0)] leaf \(stateOwner[$0].1)" },
        constants: constants.flatMap(\.leaves),
        mask: mask, inputLength: inputLength, timeMajor: timeMajor, goBackwards: goBackwards,
        zeroOutputForMask: zeroOutputForMask, returnAllOutputs: returnAllOutputs, execution: execution)
    let structure = r.structure ?? .leaf(0)
    var newStates: [Nest<Tensor<Scalar>>] = []
    var offset = 0
    for (skeleton, n) in zip(stateSkeletons, stateLeafCounts) {
        newStates.append(skeleton.map { r.states[offset + $0] })
        offset += n
    }
    return NestedRNNResult(lastOutput: structure.rebuild(from: r.lastOutputs),
                           outputs: structure.rebuild(from: r.outputs), newStates: newStates)
}

/// Splits flattened leaves back into one nest per skeleton.
private func regroup<S>(_ leaves: [Tensor<S>], _ skeletons: [Nest<Int>], _ counts: [Int]) -> [Nest<Tensor<S>>] {
    var out: [Nest<Tensor<S>>] = []
    out.reserveCapacity(skeletons.count)
    var offset = 0
    for (skeleton, n) in zip(skeletons, counts) {
        let base = offset
        out.append(skeleton.map { leaves[base + $0] })
        offset += n
    }
    return out
}

/// Validation, planning and execution shared by both `rnn` forms.
enum LoopRunner {
    @_specialize(exported: false, kind: full, where S == Float)
    @_specialize(exported: false, kind: full, where S == Double)
    static func run<S: TensorScalar>(
        step: @escaping LeafStep<S>, inputs: [Tensor<S>], inputName: (Int) -> String,
        states: [Tensor<S>], stateName: (Int) -> String, constants: [Tensor<S>],
        mask: Tensor<Bool>?, inputLength: InputLength?, timeMajor: Bool, goBackwards: Bool,
        zeroOutputForMask: Bool, returnAllOutputs: Bool, execution: Execution
    ) throws -> (outputs: [Tensor<S>], lastOutputs: [Tensor<S>], structure: Nest<Int>?, states: [Tensor<S>]) {
        let (geometry, sequenceMask) = try LoopValidation.validate(
            inputs: inputs, inputName: inputName, states: states, stateName: stateName, mask: mask,
            inputLength: inputLength, timeMajor: timeMajor, goBackwards: goBackwards,
            zeroOutputForMask: zeroOutputForMask, returnAllOutputs: returnAllOutputs, execution: execution)
        let plan = try Engine.plan(rows: geometry.batch, execution: execution)
        let sink = ResultSink<S>(geometry: geometry, stateShapes: states.map(\.shape))
        let kernel = GenericStepKernel(
            step: step, inputs: inputs, initialStates: states, constants: constants,
            batchAligned: constants.map { $0.rank >= 1 && $0.shape[0] == geometry.batch },
            geometry: geometry, mask: sequenceMask, sink: sink)
        try Engine.run(kernel, plan: plan)
        return sink.finish()
    }
}
