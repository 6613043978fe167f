import _ParallelRNNKernels

// Vectorised element-wise functions (kernels in _ParallelRNNKernels). In Double, softplus, gelu, mish, elu, selu and exp
// call libm per element (for log1p/erfc/exp).

extension Tensor where Scalar: TensorFloatingPoint {
    /// `act` element-wise: in place when `x` is a temporary that nothing else holds (`tanh(a + b)`), else into a new
    /// tensor. The kernels read each element before writing it, so the bits are the same either way.
    @inlinable
    static func applying(_ act: prnn_activation, to x: consuming Tensor) -> Tensor {
        if isKnownUniquelyReferenced(&x.storage) {
            Scalar._activation(act, x.storage.base, x.storage.base, x.scalarCount)
            return x
        }
        let out = Tensor(uninitializedShape: x.shape)
        Scalar._activation(act, x.storage.base, out.storage.base, x.scalarCount)
        _fixLifetime(x)
        return out
    }
}

/// Hyperbolic tangent, element-wise.
@inlinable public func tanh<S: TensorFloatingPoint>(_ x: consuming Tensor<S>) -> Tensor<S> { .applying(PRNN_ACT_TANH, to: x) }
/// Logistic sigmoid 1 / (1 + e^-x), element-wise.
@inlinable public func sigmoid<S: TensorFloatingPoint>(_ x: consuming Tensor<S>) -> Tensor<S> { .applying(PRNN_ACT_SIGMOID, to: x) }
/// tf_keras 2.x hard sigmoid clip(0.2·x + 0.5, 0, 1), element-wise.
@inlinable public func hardSigmoid<S: TensorFloatingPoint>(_ x: consuming Tensor<S>) -> Tensor<S> { .applying(PRNN_ACT_HARD_SIGMOID, to: x) }
/// max(x, 0), element-wise.
@inlinable public func relu<S: TensorFloatingPoint>(_ x: consuming Tensor<S>) -> Tensor<S> { .applying(PRNN_ACT_RELU, to: x) }
/// x / (|x| + 1), element-wise (Keras `softsign`).
@inlinable public func softsign<S: TensorFloatingPoint>(_ x: consuming Tensor<S>) -> Tensor<S> { .applying(PRNN_ACT_SOFTSIGN, to: x) }
/// log(e^x + 1), element-wise, as TensorFlow computes it (Keras `softplus`; ``Activation/softplus``).
@inlinable public func softplus<S: TensorFloatingPoint>(_ x: consuming Tensor<S>) -> Tensor<S> { .applying(PRNN_ACT_SOFTPLUS, to: x) }
/// x < 0 ? e^x − 1 : x, element-wise (Keras `elu`, alpha 1).
@inlinable public func elu<S: TensorFloatingPoint>(_ x: consuming Tensor<S>) -> Tensor<S> { .applying(PRNN_ACT_ELU, to: x) }
/// Scaled ELU, element-wise (Keras `selu`; ``Activation/selu``).
@inlinable public func selu<S: TensorFloatingPoint>(_ x: consuming Tensor<S>) -> Tensor<S> { .applying(PRNN_ACT_SELU, to: x) }
/// e^x, element-wise (Keras `exponential`).
@inlinable public func exp<S: TensorFloatingPoint>(_ x: consuming Tensor<S>) -> Tensor<S> { .applying(PRNN_ACT_EXPONENTIAL, to: x) }
/// x · sigmoid(x), element-wise (Keras `swish`, `tf.nn.silu`).
@inlinable public func swish<S: TensorFloatingPoint>(_ x: consuming Tensor<S>) -> Tensor<S> { .applying(PRNN_ACT_SWISH, to: x) }
/// 0.5·x · erfc(−x/√2), element-wise (Keras `gelu`, `approximate=False`).
@inlinable public func gelu<S: TensorFloatingPoint>(_ x: consuming Tensor<S>) -> Tensor<S> { .applying(PRNN_ACT_GELU, to: x) }
/// x · tanh(softplus(x)), element-wise (Keras `mish`).
@inlinable public func mish<S: TensorFloatingPoint>(_ x: consuming Tensor<S>) -> Tensor<S> { .applying(PRNN_ACT_MISH, to: x) }
/// min(max(x, 0), 6), element-wise (`tf.nn.relu6`).
@inlinable public func relu6<S: TensorFloatingPoint>(_ x: consuming Tensor<S>) -> Tensor<S> { .applying(PRNN_ACT_RELU6, to: x) }
/// x > 0 ? x : 0.2·x, element-wise (`tf.nn.leaky_relu` with its default alpha, a float attribute: in Double the
/// factor is `Double(Float(0.2))`, as TensorFlow's kernel widens it).
@inlinable public func leakyRelu<S: TensorFloatingPoint>(_ x: consuming Tensor<S>) -> Tensor<S> { .applying(PRNN_ACT_LEAKY_RELU, to: x) }
