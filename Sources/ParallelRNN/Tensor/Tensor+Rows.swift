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

    /// Copies the `[b, ...]` slice at time `t` of rows `range` of a time-major `[T, B, ...]` tensor (one contiguous
    /// run; batch-major inputs go through ``StepStaging``) to `destination` (`range.count · shape[2...]` elements).
    func copyTimeMajorSlice(_ t: Int, rows range: Range<Int>, into destination: UnsafeMutablePointer<Scalar>) {
        let width = shape.dropFirst(2).reduce(1, *)
        copyElements(from: storage.base + (t * shape[1] + range.lowerBound) * width, to: destination,
                     count: range.count * width)
        _fixLifetime(self)
    }
}

/// Copies elements with an inline vectorised loop; only large runs call memmove. (Short runs would pay the call,
/// and glibc's `rep movsb` path for mid-sized copies is slow on some AMD cores — measured here on Zen 3.)
@inline(__always)
func copyElements<S>(from src: UnsafePointer<S>, to dst: UnsafeMutablePointer<S>, count: Int) {
    if count <= 16_384 {
        for i in 0..<count { dst[i] = src[i] }
    } else {
        dst.update(from: src, count: count)
    }
}
