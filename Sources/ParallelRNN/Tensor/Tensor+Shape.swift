// Concatenation, last-axis slicing and reductions. Misuse inside a step function traps with the op and shapes.

/// Joins tensors along `axis` (negative counts from the end); all other dimensions must agree.
public func concatenated<S: TensorScalar>(_ tensors: [Tensor<S>], alongAxis axis: Int = -1) -> Tensor<S> {
    precondition(!tensors.isEmpty, "concatenated: no tensors")
    let first = tensors[0].shape
    let rank = first.count
    let ax = axis < 0 ? axis + rank : axis
    precondition(ax >= 0 && ax < rank, "concatenated: axis \(axis) out of range for rank \(rank)")
    var total = 0
    for t in tensors {
        precondition(t.rank == rank && zip(t.shape, first).enumerated().allSatisfy { $0.offset == ax || $0.element.0 == $0.element.1 },
                     "concatenated: shapes \(tensors.map(\.shape)) differ outside axis \(ax)")
        total += t.shape[ax]
    }
    var shape = first
    shape[ax] = total
    let out = Tensor<S>(uninitializedShape: shape)
    let outer = first[..<ax].reduce(1, *), inner = first[(ax + 1)...].reduce(1, *)
    var column = 0
    for t in tensors {
        let width = t.shape[ax] * inner
        t.withUnsafeBufferPointer { src in
            for o in 0..<outer {
                (out.storage.base + o * total * inner + column).update(from: src.baseAddress! + o * width, count: width)
            }
        }
        column += width
    }
    return out
}

extension Tensor {
    /// Elements `range` of the last axis: `[..., N] → [..., range.count]`.
    public subscript(lastAxis range: Range<Int>) -> Tensor {
        precondition(rank >= 1, "Tensor[lastAxis:]: rank-0 tensor")
        let n = shape[rank - 1]
        precondition(range.lowerBound >= 0 && range.upperBound <= n, "Tensor[lastAxis: \(range)] out of range for shape \(shape)")
        var newShape = shape
        newShape[rank - 1] = range.count
        let out = Tensor(uninitializedShape: newShape)
        let rows = n == 0 ? shape.dropLast().reduce(1, *) : scalarCount / n
        for r in 0..<rows {
            (out.storage.base + r * range.count).update(from: storage.base + r * n + range.lowerBound, count: range.count)
        }
        return out
    }

    /// The same as `self[lastAxis: range]`.
    public func slicing(lastAxis range: Range<Int>) -> Tensor { self[lastAxis: range] }
    /// The same as `self[lastAxis: range]`.
    public func slice(lastAxis range: Range<Int>) -> Tensor { self[lastAxis: range] }
    /// numpy's `x[..., a:b]`: `x[..., a..<b]` is the same as `x[lastAxis: a..<b]`.
    public subscript(_: UnboundedRange, range: Range<Int>) -> Tensor { self[lastAxis: range] }
}

extension Tensor where Scalar: TensorFloatingPoint {
    /// Sums over `axes`, keeping them with size 1 (`[B, U].sum(alongAxes: 1) → [B, 1]`). Each output element
    /// adds its inputs in index order, so the result for a row never depends on the other rows.
    public func sum(alongAxes axes: [Int]) -> Tensor {
        let normalized = Set(axes.map { $0 < 0 ? $0 + rank : $0 })
        precondition(normalized.allSatisfy { $0 >= 0 && $0 < rank }, "sum(alongAxes: \(axes)) out of range for shape \(shape)")
        let outShape = shape.enumerated().map { normalized.contains($0.offset) ? 1 : $0.element }
        let out = Tensor(repeating: 0, shape: outShape)
        var outStrides = [Int](repeating: 0, count: rank)
        var s = 1
        for i in stride(from: rank - 1, through: 0, by: -1) {
            outStrides[i] = normalized.contains(i) ? 0 : s
            s *= outShape[i]
        }
        var index = [Int](repeating: 0, count: rank)
        for i in 0..<scalarCount {
            var o = 0
            for a in 0..<rank { o += index[a] * outStrides[a] }
            out.storage.base[o] += storage.base[i]
            var a = rank - 1
            while a >= 0 {
                index[a] += 1
                if index[a] < shape[a] { break }
                index[a] = 0
                a -= 1
            }
        }
        return out
    }

    /// Sums over `axes`, keeping them with size 1.
    public func sum(alongAxes axes: Int...) -> Tensor { sum(alongAxes: axes) }

    /// Sums over `axes` and removes them (`[B, U].sum(squeezingAxes: 1) → [B]`).
    public func sum(squeezingAxes axes: Int...) -> Tensor {
        let kept = sum(alongAxes: axes)
        let normalized = Set(axes.map { $0 < 0 ? $0 + rank : $0 })
        let shape = kept.shape.enumerated().filter { !normalized.contains($0.offset) }.map(\.element)
        return Tensor(shape: shape, storage: kept.storage)
    }
}
