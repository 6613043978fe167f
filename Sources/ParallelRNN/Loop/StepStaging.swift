/// Stages a shard's per-step rows of batch-major `[B, T, D]` tensors so that memory is touched in contiguous runs.
///
/// In batch-major layout a shard's rows of one step are `T·D` elements apart: touching them step by step means one
/// cache-line fetch per row per step across more streams than the prefetcher follows (and for writes, a read for
/// ownership of every line). Staging `chunk` steps at a time turns that into one contiguous run per row per chunk.
/// The staging block is `[chunk, rows, D]` (per step, the shard's rows are contiguous) and stays in L2.
///
/// A plain value (no reference count in the time loop); its owner calls ``deallocate()`` once.
struct StepStaging<S: TensorScalar> {
    let rows: Int
    let width: Int
    let chunk: Int
    let buffer: UnsafeMutablePointer<S>

    init(rows: Int, width: Int, time: Int) {
        self.rows = rows
        self.width = width
        // About 64 KiB of staging, at least one step.
        chunk = max(1, min(time, (64 << 10) / max(1, rows * width * MemoryLayout<S>.stride)))
        buffer = .allocate(capacity: max(1, chunk * rows * width))
    }

    func deallocate() { buffer.deallocate() }

    /// Where step slot `j` (`0..<chunk`) keeps its `[rows, D]` block.
    @inline(__always)
    func slot(_ j: Int) -> UnsafeMutablePointer<S> { buffer + j * rows * width }

    /// Loads processing steps `k0..<k0+count` of rows `firstRow..<firstRow+rows` from a batch-major `[B, T, D]`
    /// tensor, reading each row's steps as one contiguous run of original times.
    func load(from source: UnsafePointer<S>, time: Int, firstRow: Int, steps k0: Int, count: Int, goBackwards: Bool) {
        for r in 0..<rows {
            // Original times of processing steps k0..<k0+count, ascending: [t0, t0 + count).
            let t0 = goBackwards ? time - k0 - count : k0
            let run = source + ((firstRow + r) * time + t0) * width
            for i in 0..<count {
                let j = goBackwards ? count - 1 - i : i
                copyElements(from: run + i * width, to: slot(j) + r * width, count: width)
            }
        }
    }

    /// Writes slots `0..<count` (processing steps `k0..<k0+count`) to rows `firstRow..<firstRow+rows` of a
    /// batch-major `[B, steps, D]` buffer, one contiguous run per row.
    func store(to destination: UnsafeMutablePointer<S>, steps: Int, firstRow: Int, from k0: Int, count: Int) {
        for r in 0..<rows {
            let run = destination + ((firstRow + r) * steps + k0) * width
            for j in 0..<count { copyElements(from: slot(j) + r * width, to: run + j * width, count: width) }
        }
    }
}
