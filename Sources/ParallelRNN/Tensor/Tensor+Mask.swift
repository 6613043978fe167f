extension Tensor where Scalar == Bool {
    /// A mask from a numeric one, cast as TF casts: non-zero (NaN and ±inf included) → true, 0 and -0 → false.
    public init(_ numeric: Tensor<Float>) { self.init(castingNonZero: numeric) }
    /// A mask from a numeric one, cast as TF casts: non-zero (NaN and ±inf included) → true, 0 and -0 → false.
    public init(_ numeric: Tensor<Double>) { self.init(castingNonZero: numeric) }

    init<N: TensorScalar & BinaryFloatingPoint>(castingNonZero numeric: Tensor<N>) {
        self.init(uninitializedShape: numeric.shape)
        let src = numeric.storage.base, dst = storage.base
        for i in 0..<numeric.scalarCount { dst[i] = src[i] != 0 }  // NaN != 0 is true
    }
}
