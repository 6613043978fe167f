/// A step of the time loop: `(x_t [b, ...], states + constants) → (output [b, ...], new states)`.
///
/// `states` holds the current states followed by `constants` (Keras: `tuple(states) + tuple(constants)`); the step
/// returns only the states part. Under sharding it sees only its shard's `b` rows and must be row-independent.
public typealias StepFunction<Scalar: TensorScalar> =
    @Sendable (_ input: Tensor<Scalar>, _ states: [Tensor<Scalar>]) throws
        -> (output: Tensor<Scalar>, newStates: [Tensor<Scalar>])

/// A step over tf.nest structures: inputs, each state, each constant and the output may be nests.
public typealias NestedStepFunction<Scalar: TensorScalar> =
    @Sendable (_ input: Nest<Tensor<Scalar>>, _ states: [Nest<Tensor<Scalar>>]) throws
        -> (output: Nest<Tensor<Scalar>>, newStates: [Nest<Tensor<Scalar>>])

/// What `rnn` returns (Keras: `last_output, outputs, new_states`).
public struct RNNResult<Scalar: TensorScalar>: Sendable {
    /// `[B, ...]`: the last row of `outputs` in processing order (§6.4 of the semantics).
    public var lastOutput: Tensor<Scalar>
    /// `[B, T, ...]` (or `[T, B, ...]` when time-major), in processing order; T is 1 when `!returnAllOutputs`.
    public var outputs: Tensor<Scalar>
    /// States after the last step, masked carries applied, `[B, ...]` each.
    public var newStates: [Tensor<Scalar>]

    public init(lastOutput: Tensor<Scalar>, outputs: Tensor<Scalar>, newStates: [Tensor<Scalar>]) {
        self.lastOutput = lastOutput
        self.outputs = outputs
        self.newStates = newStates
    }
}

/// What the nested `rnn` returns: the same as ``RNNResult`` with every value a nest like the step's.
public struct NestedRNNResult<Scalar: TensorScalar>: Sendable {
    public var lastOutput: Nest<Tensor<Scalar>>
    public var outputs: Nest<Tensor<Scalar>>
    public var newStates: [Nest<Tensor<Scalar>>]

    public init(lastOutput: Nest<Tensor<Scalar>>, outputs: Nest<Tensor<Scalar>>, newStates: [Nest<Tensor<Scalar>>]) {
        self.lastOutput = lastOutput
        self.outputs = outputs
        self.newStates = newStates
    }
}

/// Keras's `input_length` (Project decision 4).
public enum InputLength: Sendable, Equatable {
    /// Must equal T (otherwise an ``RNNError``); has no other effect.
    case fixed(Int)
    /// B lengths in `0...T`, used as the mask when no mask is given: step at original time t is valid iff
    /// `t < lengths[b]`, in both directions. A mask given as well wins.
    case perSample([Int])
}
