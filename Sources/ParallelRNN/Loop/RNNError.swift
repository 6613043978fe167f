/// Every way a caller's input can be invalid. Each description names the argument and the shapes involved.
///
/// Errors thrown by a step function itself are never wrapped: `rnn` rethrows them unchanged.
public enum RNNError: Error, Equatable, CustomStringConvertible, Sendable {
    /// A shape with a negative dimension (or an element count that overflows).
    case invalidShape(argument: String, shape: [Int])
    /// `Tensor(shape:scalars:)` with a scalar count that is not the product of the shape.
    case scalarCountMismatch(argument: String, shape: [Int], expected: Int, actual: Int)
    /// `reshaped(to:)` to a shape with a different element count.
    case invalidReshape(from: [Int], to: [Int])
    /// A tensor of too low a rank (inputs need rank ≥ 3; masked outputs and states rank ≥ 2).
    case rank(argument: String, shape: [Int], minimum: Int)
    /// `inputs` is an empty nest.
    case noInputs
    /// The time axis has length 0 (TF fails in its probe call; ParallelRNN rejects it up front).
    case noTimeSteps(argument: String, shape: [Int])
    /// A leaf whose batch dimension differs from the inputs' B.
    case batchMismatch(argument: String, shape: [Int], batch: Int)
    /// An input leaf whose time dimension differs from the first leaf's T.
    case timeMismatch(argument: String, shape: [Int], time: Int)
    /// A mask that is not `[B, T]` / `[B, T, 1]` (`[T, B]` / `[T, B, 1]` when time-major).
    case maskShape(shape: [Int], batch: Int, time: Int, timeMajor: Bool)
    /// An invalid `inputLength` (a fixed length other than T, or per-sample lengths of the wrong count or range).
    case inputLength(reason: String)
    /// A step function returned a different number of states (or output leaves) than expected.
    case stepResultCount(argument: String, expected: Int, actual: Int)
    /// A step function returned a tensor of a different shape than the one it must keep.
    case stepResultShape(argument: String, expected: [Int], actual: [Int])
    /// Two nests whose structures differ (e.g. new states vs initial states, or a step output changing structure).
    case structureMismatch(argument: String, expected: String, actual: String)
    /// `Execution.threads(n)` with n ≤ 0.
    case threadCount(Int)
    /// hwloc could not load the machine's topology.
    case topology(String)
    /// A cell's weight of the wrong shape, or inputs/states that do not fit the cell.
    case weightShape(argument: String, shape: [Int], expected: String)
    /// A file that cannot be read or written, or whose content is not what was asked for.
    case file(path: String, reason: String)
    /// Any other invalid argument.
    case invalidArgument(argument: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidShape(argument, shape):
            return "\(argument) has invalid shape \(shape): dimensions must be non-negative, and the product of the non-zero ones must fit in Int"
        case let .scalarCountMismatch(argument, shape, expected, actual):
            return "\(argument) has \(actual) elements but shape \(shape) needs \(expected)"
        case let .invalidReshape(from, to):
            return "cannot reshape a tensor of shape \(from) to \(to): element counts differ"
        case let .rank(argument, shape, minimum):
            return "\(argument) has shape \(shape) (rank \(shape.count)) but must have rank at least \(minimum)"
        case .noInputs:
            return "inputs is an empty nest: at least one input tensor is needed"
        case let .noTimeSteps(argument, shape):
            return "\(argument) has shape \(shape) with T=0 time steps: at least one is needed"
        case let .batchMismatch(argument, shape, batch):
            return "\(argument) has shape \(shape) but inputs have B=\(batch)"
        case let .timeMismatch(argument, shape, time):
            return "\(argument) has shape \(shape) but the first input has T=\(time)"
        case let .maskShape(shape, batch, time, timeMajor):
            let expected = timeMajor ? "[\(time), \(batch)] or [\(time), \(batch), 1] (time-major)"
                                     : "[\(batch), \(time)] or [\(batch), \(time), 1]"
            return "mask has shape \(shape) but inputs have B=\(batch), T=\(time): expected \(expected)"
        case let .inputLength(reason):
            return "inputLength: \(reason)"
        case let .stepResultCount(argument, expected, actual):
            return "step function returned \(actual) \(argument) but \(expected) were expected"
        case let .stepResultShape(argument, expected, actual):
            return "step function returned \(argument) of shape \(actual) but shape \(expected) was expected"
        case let .structureMismatch(argument, expected, actual):
            return "\(argument) has structure \(actual) but \(expected) was expected"
        case let .threadCount(n):
            return "execution: .threads(\(n)) needs at least 1 thread"
        case let .topology(reason):
            return "hwloc topology: \(reason)"
        case let .weightShape(argument, shape, expected):
            return "\(argument) has shape \(shape) but \(expected) was expected"
        case let .file(path, reason):
            return "\(path): \(reason)"
        case let .invalidArgument(argument, reason):
            return "\(argument): \(reason)"
        }
    }
}
