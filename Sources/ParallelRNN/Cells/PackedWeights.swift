import _ParallelRNNKernels

/// A weight matrix `[K, N]` copied once into one of the kernels' packed layouts (64-byte aligned, huge pages when
/// large), shared read-only by every shard: the storage of ``PackedMatrix`` and ``TransposedMatrix``.
class PackedWeights: @unchecked Sendable {
    final let rows: Int  // K
    final let columns: Int  // N
    final let base: UnsafeMutablePointer<Float>
    private final let byteCount: Int

    /// Packs columns `columnRange` of a row-major `[K, ld]` matrix: `count(K, N)` floats, filled by
    /// `pack(K, N, first column, ld, buffer)`.
    init(_ matrix: UnsafePointer<Float>, rows: Int, leadingDimension ld: Int, columns columnRange: Range<Int>,
         count: (Int32, Int32) -> Int,
         pack: (Int32, Int32, UnsafePointer<Float>?, Int32, UnsafeMutablePointer<Float>?) -> Void) {
        self.rows = rows
        columns = columnRange.count
        let floats = max(count(Int32(rows), Int32(columns)), 1)
        byteCount = floats * MemoryLayout<Float>.size
        base = RawBuffer.allocate(bytes: byteCount).bindMemory(to: Float.self, capacity: floats)
        if rows > 0 && columns > 0 { pack(Int32(rows), Int32(columns), matrix + columnRange.lowerBound, Int32(ld), base) }
    }

    deinit { RawBuffer.deallocate(base, bytes: byteCount) }
}
