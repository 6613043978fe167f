import Dispatch

// Async forms. They are named `rnnAsync` rather than overloading `rnn`: Swift prefers an async overload inside any
// async context, so an `async rnn` would turn every plain `try rnn(...)` in a Task or async test into a compile error.

/// ``rnn(_:inputs:initialStates:goBackwards:mask:constants:unroll:inputLength:timeMajor:zeroOutputForMask:returnAllOutputs:execution:)-(StepFunction<Scalar>,_,_,_,_,_,_,_,_,_,_,_)``
/// without blocking a Swift-concurrency thread: the shards run on Dispatch threads while the task is suspended.
public func rnnAsync<Scalar: TensorScalar & BinaryFloatingPoint>(
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
) async throws -> RNNResult<Scalar> {
    try await offloaded {
        try rnn(stepFunction, inputs: inputs, initialStates: initialStates, goBackwards: goBackwards, mask: mask,
                constants: constants, unroll: unroll, inputLength: inputLength, timeMajor: timeMajor,
                zeroOutputForMask: zeroOutputForMask, returnAllOutputs: returnAllOutputs, execution: execution)
    }
}

/// The nested ``rnnAsync(_:inputs:initialStates:goBackwards:mask:constants:unroll:inputLength:timeMajor:zeroOutputForMask:returnAllOutputs:execution:)-(StepFunction<Scalar>,_,_,_,_,_,_,_,_,_,_,_)``.
public func rnnAsync<Scalar: TensorScalar & BinaryFloatingPoint>(
    _ stepFunction: @escaping NestedStepFunction<Scalar>,
    inputs: Nest<Tensor<Scalar>>,
    initialStates: [Nest<Tensor<Scalar>>],
    goBackwards: Bool = false, mask: Tensor<Bool>? = nil, constants: [Nest<Tensor<Scalar>>] = [],
    unroll: Bool = false, inputLength: InputLength? = nil, timeMajor: Bool = false,
    zeroOutputForMask: Bool = false, returnAllOutputs: Bool = true, execution: Execution = .automatic
) async throws -> NestedRNNResult<Scalar> {
    try await offloaded {
        try rnn(stepFunction, inputs: inputs, initialStates: initialStates, goBackwards: goBackwards, mask: mask,
                constants: constants, unroll: unroll, inputLength: inputLength, timeMajor: timeMajor,
                zeroOutputForMask: zeroOutputForMask, returnAllOutputs: returnAllOutputs, execution: execution)
    }
}

/// Runs blocking work on a Dispatch thread and resumes the caller when it is done. A fresh serial queue runs on
/// Dispatch's overcommit pool, which supplies a thread while it has fewer than its cap (255 on Linux): the global
/// queues' width-limited pool would let many concurrent calls, blocked on their shards, starve each other (and every
/// task at that priority). Past the cap, calls wait for a thread, and each call that has one finishes alone if it
/// must (``PinnedExecutor``: the caller claims the shards no pool thread has started).
package func offloaded<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue(label: "ParallelRNN.async").async { continuation.resume(with: Result { try work() }) }
    }
}
