import _ParallelRNNKernels

/// A weight matrix `[K, N]` packed for transposed products `C^T = W^T·X^T` (12-row panels of `W^T`,
/// `prnn_kernels.h`): the fused cells' path for shards of 16 or 32 rows, where the batch fills the vector lanes and
/// stays in L1 while `W` streams through once (``FusedCellKernel``). Shared read-only by every shard.
final class TransposedMatrix: PackedWeights, @unchecked Sendable {
    /// Packs columns `columnRange` of a row-major `[K, ld]` matrix.
    init(_ matrix: UnsafePointer<Float>, rows: Int, leadingDimension ld: Int, columns columnRange: Range<Int>) {
        super.init(matrix, rows: rows, leadingDimension: ld, columns: columnRange,
                   count: { Int(prnn_sgemm_packed_t_count($0, $1)) }, pack: prnn_sgemm_pack_t)
    }

    /// Packs columns `columns` (all by default) of a rank-2 tensor `[K, N]`.
    static func packing(_ w: Tensor<Float>, columns: Range<Int>? = nil) -> TransposedMatrix {
        w.withUnsafeBufferPointer {
            TransposedMatrix($0.baseAddress!, rows: w.shape[0], leadingDimension: w.shape[1], columns: columns ?? 0..<w.shape[1])
        }
    }

    /// Packs `[top; bottom]`, `[K1 + K2, N]`, from two rank-2 tensors with N columns each.
    static func stacking(_ top: Tensor<Float>, _ bottom: Tensor<Float>) -> TransposedMatrix {
        let n = top.shape[1], k1 = top.shape[0], k2 = bottom.shape[0]
        let both = UnsafeMutablePointer<Float>.allocate(capacity: max(1, (k1 + k2) * n))
        defer { both.deallocate() }
        top.withUnsafeBufferPointer { both.update(from: $0.baseAddress!, count: k1 * n) }
        bottom.withUnsafeBufferPointer { (both + k1 * n).update(from: $0.baseAddress!, count: k2 * n) }
        return TransposedMatrix(both, rows: k1 + k2, leadingDimension: n, columns: 0..<n)
    }

    /// A borrowed view for a time loop (no reference counting per call); valid while `self` lives.
    var product: TransposedProduct { TransposedProduct(base: base, rows: rows, columns: columns) }
}

/// A ``TransposedMatrix`` borrowed by a shard's time loop: trivially copyable, so taking it out of
/// ``TransposedKernels`` at every step retains and releases nothing (the weights are shared by all shards, and an
/// atomic count bouncing between cores is what the loop must not do). The owner outlives the loop.
struct TransposedProduct {
    let base: UnsafePointer<Float>
    /// K.
    let rows: Int
    /// N.
    let columns: Int

    /// `C [N, n]` (ldc) = (accumulate ? C : 0) + W^T · X^T, `X^T` in 16-column panels (`prnn_pack_rows_t`'s
    /// layout) — each element the bits of `(X·W)[r, j]`.
    @inline(__always)
    func multiply(panels: UnsafePointer<Float>, batch n: Int, into c: UnsafeMutablePointer<Float>, ldc: Int,
                  accumulate: Bool) {
        prnn_sgemm_t(Int32(columns), Int32(n), Int32(rows), base, panels, c, Int32(ldc), accumulate ? 1 : 0)
    }

    /// `C [N, n]` (ldc) = `W[..<split]^T · X^T[..<split] + W[split...]^T · X^T[split...]`: two FMA chains from zero,
    /// summed once (`prnn_sgemm_t_split`) — over the stacked `[x; h]` and `[W; U]` with `split` = I, each element the
    /// bits of Keras's `x·W + h·U` as the row-major step computes it.
    @inline(__always)
    func multiply(panels: UnsafePointer<Float>, batch n: Int, into c: UnsafeMutablePointer<Float>, ldc: Int,
                  split: Int) {
        prnn_sgemm_t_split(Int32(columns), Int32(n), Int32(rows), Int32(split), base, panels, c, Int32(ldc))
    }
}

/// A cell's kernels for transposed products: owned (``TransposedWeights``, packed once per layer) or borrowed for a
/// time loop (``TransposedProducts``).
enum TransposedKernels<Matrix> {
    /// LSTM, whose gates take `x·W + h·U`: `[W; U]` as one `[I + U, G]` kernel, so a step's sum is one product over
    /// the stacked operand `[x_t; h]`, split at I (``TransposedProduct/multiply(panels:batch:into:ldc:split:)``):
    /// one pass over W and U (KERNELS.md, ninth and eighteenth rounds).
    case stacked(Matrix)
    /// GRU and SimpleRNN, split as their row-major ``CellMath`` splits the kernels (GRU without resetAfter: the
    /// recurrent kernel's z, r columns as `recurrent`, its h columns as `candidate`).
    case separate(input: Matrix, recurrent: Matrix, candidate: Matrix?)

    func map<T>(_ f: (Matrix) -> T) -> TransposedKernels<T> {
        switch self {
        case .stacked(let w): .stacked(f(w))
        case .separate(let input, let recurrent, let candidate):
            .separate(input: f(input), recurrent: f(recurrent), candidate: candidate.map(f))
        }
    }
}

extension TransposedKernels: Sendable where Matrix: Sendable {}

/// The packed kernels a cell owns.
typealias TransposedWeights = TransposedKernels<TransposedMatrix>
/// The same kernels borrowed by a time loop (``TransposedKernels/products``).
typealias TransposedProducts = TransposedKernels<TransposedProduct>

extension TransposedKernels where Matrix == TransposedMatrix {
    /// Borrowed views of every kernel, for a loop inside `withExtendedLifetime(self)`.
    var products: TransposedProducts { map(\.product) }
}
