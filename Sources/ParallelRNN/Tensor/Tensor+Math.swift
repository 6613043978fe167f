import _ParallelRNNKernels

// Vectorised element-wise functions (kernels in _ParallelRNNKernels). In Double, softplus, gelu, mish, elu, selu and exp
// call libm per element (for log1p/erfc/exp).

extension Tensor where Scalar: TensorFloatingPoint {
    @inlinable
    func applying(_ act: prnn_activation) -> Tensor {
        let out = Tensor(uninitializedShape: shape)
        Scalar._activation(act, storage.base, out.storage.base, scalarCount)
        _fixLifetime(self)
        return out
    }
}

/// Hyperbolic tangent, element-wise.
@inlinable public func tanh<S: TensorFloatingPoint>(_ x: Tensor<S>) -> Tensor<S> { x.applying(PRNN_ACT_TANH) }
/// Logistic sigmoid 1 / (1 + e^-x), element-wise.
@inlinable public func sigmoid<S: TensorFloatingPoint>(_ x: Tensor<S>) -> Tensor<S> { x.applying(PRNN_ACT_SIGMOID) }
/// tf_keras 2.x hard sigmoid clip(0.2·x + 0.5, 0, 1), element-wise.
@inlinable public func hardSigmoid<S: TensorFloatingPoint>(_ x: Tensor<S>) -> Tensor<S> { x.applying(PRNN_ACT_HARD_SIGMOID) }
/// max(x, 0), element-wise.
@inlinable public func relu<S: TensorFloatingPoint>(_ x: Tensor<S>) -> Tensor<S> { x.applying(PRNN_ACT_RELU) }
/// x / (|x| + 1), element-wise (Keras `softsign`).
@inlinable public func softsign<S: TensorFloatingPoint>(_ x: Tensor<S>) -> Tensor<S> { x.applying(PRNN_ACT_SOFTSIGN) }
/// log(e^x + 1), element-wise, as TensorFlow computes it (Keras `softplus`; ``Activation/softplus``).
@inlinable public func softplus<S: TensorFloatingPoint>(_ x: Tensor<S>) -> Tensor<S> { x.applying(PRNN_ACT_SOFTPLUS) }
/// x < 0 ? e^x − 1 : x, element-wise (Keras `elu`, alpha 1).
@inlinable public func elu<S: TensorFloatingPoint>(_ x: Tensor<S>) -> Tensor<S> { x.applying(PRNN_ACT_ELU) }
/// Scaled ELU, element-wise (Keras `selu`; ``Activation/selu``).
@inlinable public func selu<S: TensorFloatingPoint>(_ x: Tensor<S>) -> Tensor<S> { x.applying(PRNN_ACT_SELU) }
/// e^x, element-wise (Keras `exponential`).
@inlinable public func exp<S: TensorFloatingPoint>(_ x: Tensor<S>) -> Tensor<S> { x.applying(PRNN_ACT_EXPONENTIAL) }
/// x · sigmoid(x), element-wise (Keras `swish`, `tf.nn.silu`).
@inlinable public func swish<S: TensorFloatingPoint>(_ x: Tensor<S>) -> Tensor<S> { x.applying(PRNN_ACT_SWISH) }
/// 0.5·x · erfc(−x/√2), element-wise (Keras `gelu`, `approximate=False`).
@inlinable public func gelu<S: TensorFloatingPoint>(_ x: Tensor<S>) -> Tensor<S> { x.applying(PRNN_ACT_GELU) }
/// x · tanh(softplus(x)), element-wise (Keras `mish`).
@inlinable public func mish<S: TensorFloatingPoint>(_ x: Tensor<S>) -> Tensor<S> { x.applying(PRNN_ACT_MISH) }
/// min(max(x, 0), 6), element-wise (`tf.nn.relu6`).
@inlinable public func relu6<S: TensorFloatingPoint>(_ x: Tensor<S>) -> Tensor<S> { x.applying(PRNN_ACT_RELU6) }
/// x > 0 ? x : 0.2·x, element-wise (`tf.nn.leaky_relu` with its default alpha, a float attribute: in Double the
/// factor is `Double(Float(0.2))`, as TensorFlow's kernel widens it).
@inlinable public func leakyRelu<S: TensorFloatingPoint>(_ x: Tensor<S>) -> Tensor<S> { x.applying(PRNN_ACT_LEAKY_RELU) }
