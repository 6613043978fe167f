// Leading-axis row access used by the engine to give each shard its own rows.

extension Tensor {
    /// Elements per leading-axis row (the product of `shape[1...]`).
    @inlinable var rowWidth: Int { shape.dropFirst().reduce(1, *) }

    /// Rows `range` of the leading axis: `[B, ...] → [range.count, ...]` (a copy; the whole tensor is shared).
    func rows(_ range: Range<Int>) -> Tensor {
        if range.count == shape[0] { return self }
        let width = rowWidth
        var newShape = shape
        newShape[0] = range.count
        let out = Tensor(uninitializedShape: newShape)
        out.storage.base.update(from: storage.base + range.lowerBound * width, count: range.count * width)
        return out
    }

    /// The `[b, ...]` slice at time `t` of rows `range` of a `[B, T, ...]` (or time-major `[T, B, ...]`) tensor.
    func timeSlice(_ t: Int, rows range: Range<Int>, timeMajor: Bool) -> Tensor {
        let width = shape.dropFirst(2).reduce(1, *)
        let out = Tensor(uninitializedShape: [range.count] + shape.dropFirst(2))
        if timeMajor {
            out.storage.base.update(from: storage.base + (t * shape[1] + range.lowerBound) * width, count: range.count * width)
        } else {
            let time = shape[1]
            for (i, b) in range.enumerated() {
                (out.storage.base + i * width).update(from: storage.base + (b * time + t) * width, count: width)
            }
        }
        return out
    }
}
