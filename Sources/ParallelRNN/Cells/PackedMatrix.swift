import _ParallelRNNKernels

/// A weight matrix `[K, N]` packed once into the GEMM kernels' layout (16-column panels, `prnn_kernels.h`), shared
/// read-only by every shard.
final class PackedMatrix: PackedWeights, @unchecked Sendable {
    /// Packs columns `columnRange` of a row-major `[K, ld]` matrix.
    init(_ matrix: UnsafePointer<Float>, rows: Int, leadingDimension ld: Int, columns columnRange: Range<Int>) {
        super.init(matrix, rows: rows, leadingDimension: ld, columns: columnRange,
                   count: { Int(prnn_sgemm_packed_b_count($0, $1)) }, pack: prnn_sgemm_pack_b)
        // Once per process on AVX-512 CPUs (30–50 ms, here rather than in a time loop): pick the faster register tiles.
        prnn_avx512_tune()
    }

    /// C[m, N] (ldc) = (accumulate ? C : 0) + A[m, K] (lda) · self — the same FMA chains as `matmul`.
    @inline(__always)
    func multiply(_ a: UnsafePointer<Float>, rows m: Int, lda: Int, into c: UnsafeMutablePointer<Float>, ldc: Int,
                  accumulate: Bool = false) {
        guard m > 0 && columns > 0 else { return }
        if rows == 0 {
            if !accumulate { for i in 0..<m { (c + i * ldc).update(repeating: 0, count: columns) } }
            return
        }
        prnn_sgemm_packed(Int32(m), Int32(columns), Int32(rows), a, Int32(lda), base, c, Int32(ldc),
                          accumulate ? 1 : 0)
    }

    /// C[m, N] (ldc) = C + A[m, K] (lda) · self: the product's chains from zero, each added to C with one rounding
    /// (`prnn_sgemm_packed_add`) — Keras's `z = x·W; z += h·U`.
    @inline(__always)
    func add(_ a: UnsafePointer<Float>, rows m: Int, lda: Int, to c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard m > 0 && columns > 0 else { return }
        prnn_sgemm_packed_add(Int32(m), Int32(columns), Int32(rows), a, Int32(lda), base, c, Int32(ldc))
    }
}
