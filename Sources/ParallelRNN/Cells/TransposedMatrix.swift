import _ParallelRNNKernels

/// A weight matrix `[K, N]` packed for transposed products `C^T = W^T·X^T` (12-row panels of `W^T`,
/// `prnn_kernels.h`): the fused cells' path for shards of 16 or 32 rows, where the batch fills the vector lanes and
/// stays in L1 while `W` streams through once (``FusedCellKernel``). Shared read-only by every shard.
final class TransposedMatrix: @unchecked Sendable {
    let rows: Int  // K
    let columns: Int  // N
    private let base: UnsafeMutablePointer<Float>
    private let byteCount: Int

    /// Packs columns `columnRange` of a row-major `[K, ld]` matrix.
    init(_ matrix: UnsafePointer<Float>, rows: Int, leadingDimension ld: Int, columns columnRange: Range<Int>) {
        self.rows = rows
        columns = columnRange.count
        let count = max(prnn_sgemm_packed_t_count(Int32(rows), Int32(columns)), 1)
        byteCount = count * MemoryLayout<Float>.size
        base = RawBuffer.allocate(bytes: byteCount).bindMemory(to: Float.self, capacity: count)
        if rows > 0 && columns > 0 {
            prnn_sgemm_pack_t(Int32(rows), Int32(columns), matrix + columnRange.lowerBound, Int32(ld), base)
        }
    }

    /// Packs columns `columns` (all by default) of a rank-2 tensor `[K, N]`.
    static func packing(_ w: Tensor<Float>, columns: Range<Int>? = nil) -> TransposedMatrix {
        w.withUnsafeBufferPointer {
            TransposedMatrix($0.baseAddress!, rows: w.shape[0], leadingDimension: w.shape[1], columns: columns ?? 0..<w.shape[1])
        }
    }

    deinit { RawBuffer.deallocate(base, bytes: byteCount) }

    /// `C [N, n]` (ldc) = (accumulate ? C : 0) + self^T · X^T, `X^T` in 16-column panels (`prnn_pack_rows_t`'s
    /// layout) — each element the bits of `(X·self)[r, j]`.
    @inline(__always)
    func multiply(panels: UnsafePointer<Float>, batch n: Int, into c: UnsafeMutablePointer<Float>, ldc: Int,
                  accumulate: Bool) {
        prnn_sgemm_t(Int32(columns), Int32(n), Int32(rows), base, panels, c, Int32(ldc), accumulate ? 1 : 0)
    }
}

/// A cell's kernels packed for transposed products: as the row-major ``CellMath`` splits them (GRU without
/// resetAfter: the recurrent kernel's z, r columns, and its h columns as `candidate`).
struct TransposedWeights: Sendable {
    let input: TransposedMatrix
    let recurrent: TransposedMatrix
    var candidate: TransposedMatrix? = nil
}
