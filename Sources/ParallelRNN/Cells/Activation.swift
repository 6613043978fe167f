import _ParallelRNNKernels

/// A Keras activation (tf_keras 2.x definitions; `hardSigmoid(x) = clip(0.2·x + 0.5, 0, 1)`).
///
/// Beyond the five of the API file, the rest of tf_keras's element-wise activations, each computed as TensorFlow 2.21
/// computes it: the same formula, and in Float the same vector algorithms for exp, log1p, erfc and swish's sigmoid
/// (bitwise TF's results for all but gelu, which matches on ≈ 96 % of inputs and is within 8 ulps elsewhere);
/// ≲ 7e-7 from the exact values, relative or, near the cancellations TF's formulas have, absolute.
///
/// The cases beyond the API file's five extend it (the API file is a floor): a `switch` over `Activation` needs a
/// `default:` to keep compiling as Keras's activations are added.
public enum Activation: Sendable, Equatable {
    case tanh, sigmoid, hardSigmoid, relu, linear
    /// `x / (|x| + 1)`.
    case softsign
    /// `log(exp(x) + 1)` as TF's kernel computes it: `log1p(exp(x))`, `x` above 13.94…, `exp(x)` below -13.94….
    case softplus
    /// `x < 0 ? exp(x) - 1 : x` (Keras's default `alpha` 1).
    case elu
    /// `x < 0 ? 1.7580993·(exp(x) - 1) : 1.0507010·x`.
    case selu
    /// `exp(x)` (Keras's `exponential`).
    case exponential
    /// `x · sigmoid(x)` (Keras's `swish`, `tf.nn.silu`).
    case swish
    /// `0.5·x · erfc(-x/√2)` (Keras's `gelu` with `approximate=False`, its default).
    case gelu
    /// `x · tanh(softplus(x))` (Keras's `mish`).
    case mish
    /// `min(max(x, 0), 6)` (`tf.nn.relu6`, which tf_keras accepts by the name `relu6`).
    case relu6
    /// `x > 0 ? x : 0.2·x` (`tf.nn.leaky_relu` with its default alpha, accepted by tf_keras as `leaky_relu`).
    case leakyRelu

    var kernel: prnn_activation {
        switch self {
        case .tanh: PRNN_ACT_TANH
        case .sigmoid: PRNN_ACT_SIGMOID
        case .hardSigmoid: PRNN_ACT_HARD_SIGMOID
        case .relu: PRNN_ACT_RELU
        case .linear: PRNN_ACT_LINEAR
        case .softsign: PRNN_ACT_SOFTSIGN
        case .softplus: PRNN_ACT_SOFTPLUS
        case .elu: PRNN_ACT_ELU
        case .selu: PRNN_ACT_SELU
        case .exponential: PRNN_ACT_EXPONENTIAL
        case .swish: PRNN_ACT_SWISH
        case .gelu: PRNN_ACT_GELU
        case .mish: PRNN_ACT_MISH
        case .relu6: PRNN_ACT_RELU6
        case .leakyRelu: PRNN_ACT_LEAKY_RELU
        }
    }

    /// y = act(x) over `n` elements (vectorised; `y` may be `x` itself, not a partially overlapping range).
    @inline(__always)
    func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        prnn_activation_f32(kernel, x, y, n)
    }
}
