import _ParallelRNNKernels

/// A weight matrix `[K, N]` packed once into the GEMM kernels' layout (16-column panels, `prnn_kernels.h`), shared
/// read-only by every shard.
final class PackedMatrix: @unchecked Sendable {
    let rows: Int  // K
    let columns: Int  // N
    /// 64-byte aligned, as the kernels' packed layout expects (huge pages when large).
    private let base: UnsafeMutablePointer<Float>
    private let byteCount: Int

    /// Packs columns `columnRange` of a row-major `[K, ld]` matrix.
    init(_ matrix: UnsafePointer<Float>, rows: Int, leadingDimension ld: Int, columns columnRange: Range<Int>) {
        self.rows = rows
        columns = columnRange.count
        let count = max(prnn_sgemm_packed_b_count(Int32(rows), Int32(columns)), 1)
        byteCount = count * MemoryLayout<Float>.size
        base = RawBuffer.allocate(bytes: byteCount).bindMemory(to: Float.self, capacity: count)
        if rows > 0 && columns > 0 {
            prnn_sgemm_pack_b(Int32(rows), Int32(columns), matrix + columnRange.lowerBound, Int32(ld), base)
        }
        // Once per process on AVX-512 CPUs (30–50 ms, here rather than in a time loop): pick the faster register tiles.
        prnn_avx512_tune()
    }

    deinit { RawBuffer.deallocate(base, bytes: byteCount) }

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
}
