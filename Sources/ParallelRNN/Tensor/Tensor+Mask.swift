extension Tensor where Scalar == Bool {
    /// A mask from a numeric one, cast as TF casts on a CPU: non-zero (NaN and ±inf included) → true; 0, -0 and
    /// subnormals → false (TF's kernels run with denormals treated as zero).
    public init(_ numeric: Tensor<Float>) { self.init(castingNonZero: numeric) }
    /// A mask from a numeric one, cast as TF casts on a CPU: non-zero (NaN and ±inf included) → true; 0, -0 and
    /// subnormals → false (TF's kernels run with denormals treated as zero).
    public init(_ numeric: Tensor<Double>) { self.init(castingNonZero: numeric) }

    init<N: TensorScalar & BinaryFloatingPoint>(castingNonZero numeric: Tensor<N>) {
        self.init(uninitializedShape: numeric.shape)
        let src = numeric.storage.base, dst = storage.base
        // A bit test, not `!= 0`, whose answer for subnormals depends on the thread's denormal mode (work items
        // flush): normal, infinite and NaN values have a non-zero exponent field; zeros and subnormals do not.
        for i in 0..<numeric.scalarCount { dst[i] = src[i].exponentBitPattern != 0 }
    }
}
