import _ParallelRNNKernels

// Vectorised element-wise functions (kernels in _ParallelRNNKernels; no scalar libm per element).

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
