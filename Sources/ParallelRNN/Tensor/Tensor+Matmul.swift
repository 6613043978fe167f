/// Matrix product `[M, K] × [K, N] → [M, N]`. A left operand of higher rank `[..., K]` is treated as rows.
///
/// Each element is a sequential FMA chain over K, so a row's result never depends on how many rows there are
/// (the engine's bitwise-determinism contract). Misuse inside a step function traps with the shapes, as do K or N
/// beyond the kernels' 32-bit sizes (2^31 − 1; an operand of at least 8 GiB); M may be larger (run in chunks).
@inlinable
public func matmul<S: TensorFloatingPoint>(_ lhs: Tensor<S>, _ rhs: Tensor<S>) -> Tensor<S> {
    precondition(lhs.rank >= 2 && rhs.rank == 2, "matmul: shapes \(lhs.shape) and \(rhs.shape) (need [..., K] × [K, N])")
    let k = lhs.shape[lhs.rank - 1]
    precondition(rhs.shape[0] == k, "matmul: inner dimensions differ in \(lhs.shape) × \(rhs.shape)")
    let n = rhs.shape[1]
    let m = lhs.scalarCount / max(k, 1)
    let rows = k == 0 ? lhs.shape.dropLast().reduce(1, *) : m
    var outShape = lhs.shape  // shared, not copied, when the last axis keeps its size (a square W)
    if n != k { outShape[lhs.rank - 1] = n }
    precondition(k <= Int(Int32.max) && n <= Int(Int32.max),
                 "matmul: \(lhs.shape) × \(rhs.shape) exceeds the kernels' 32-bit sizes (K and N at most \(Int32.max))")
    let out = Tensor<S>(uninitializedShape: outShape)
    if rows > 0 && n > 0 {
        // Rows are independent (each element one chain over K): chunks of 2^31 − 1 rows give the same bits.
        var start = 0
        while start < rows {
            let count = min(rows - start, Int(Int32.max))
            S._gemm(m: count, n: n, k: k, a: lhs.storage.base + start * k, lda: max(k, 1), b: rhs.storage.base,
                    ldb: max(n, 1), c: out.storage.base + start * n, ldc: n, accumulate: false)
            start += count
        }
    }
    _fixLifetime(lhs); _fixLifetime(rhs)
    return out
}
