import _ParallelRNNKernels

/// An element type a ``Tensor`` can hold: `Float`, `Double` and `Bool`.
public protocol TensorScalar: Sendable, Equatable, BitwiseCopyable {
    /// The value of a new, empty element (`0`, or `false`).
    static var tensorZero: Self { get }
}

extension Bool: TensorScalar { public static var tensorZero: Bool { false } }
extension Float: TensorScalar { public static var tensorZero: Float { 0 } }
extension Double: TensorScalar { public static var tensorZero: Double { 0 } }

/// A floating-point scalar with ParallelRNN's kernels: `Float` and `Double`.
public protocol TensorFloatingPoint: TensorScalar, BinaryFloatingPoint {
    /// C[M,N] = (accumulate ? C : 0) + A[M,K]·B[K,N]; each element a sequential FMA chain over k.
    static func _gemm(
        m: Int, n: Int, k: Int, a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
        c: UnsafeMutablePointer<Self>, ldc: Int, accumulate: Bool)
    /// y = act(x) element-wise, vectorised; `x` and `y` may alias.
    static func _activation(_ act: prnn_activation, _ x: UnsafePointer<Self>, _ y: UnsafeMutablePointer<Self>, _ n: Int)
}

extension Float: TensorFloatingPoint {
    @inlinable
    public static func _gemm(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        prnn_sgemm(Int32(m), Int32(n), Int32(k), a, Int32(lda), b, Int32(ldb), c, Int32(ldc), accumulate ? 1 : 0)
    }
    @inlinable
    public static func _activation(_ act: prnn_activation, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        prnn_activation_f32(act, x, y, n)
    }
}

extension Double: TensorFloatingPoint {
    @inlinable
    public static func _gemm(
        m: Int, n: Int, k: Int, a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
        c: UnsafeMutablePointer<Double>, ldc: Int, accumulate: Bool
    ) {
        prnn_dgemm(Int32(m), Int32(n), Int32(k), a, Int32(lda), b, Int32(ldb), c, Int32(ldc), accumulate ? 1 : 0)
    }
    @inlinable
    public static func _activation(_ act: prnn_activation, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ n: Int) {
        prnn_activation_f64(act, x, y, n)
    }
}
