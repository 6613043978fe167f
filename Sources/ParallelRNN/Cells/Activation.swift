import _ParallelRNNKernels

/// A Keras activation (tf_keras 2.x definitions; `hardSigmoid(x) = clip(0.2·x + 0.5, 0, 1)`).
public enum Activation: Sendable, Equatable {
    case tanh, sigmoid, hardSigmoid, relu, linear

    var kernel: prnn_activation {
        switch self {
        case .tanh: PRNN_ACT_TANH
        case .sigmoid: PRNN_ACT_SIGMOID
        case .hardSigmoid: PRNN_ACT_HARD_SIGMOID
        case .relu: PRNN_ACT_RELU
        case .linear: PRNN_ACT_LINEAR
        }
    }

    /// y = act(x) over `n` elements (vectorised; `y` may be `x` itself, not a partially overlapping range).
    @inline(__always)
    func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        prnn_activation_f32(kernel, x, y, n)
    }
}
