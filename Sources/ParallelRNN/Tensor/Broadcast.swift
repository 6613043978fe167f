/// numpy broadcasting of two shapes: aligned from the right, a dimension of 1 stretches.
@usableFromInline
struct Broadcast {
    @usableFromInline let shape: [Int]
    @usableFromInline let lhsStrides: [Int]
    @usableFromInline let rhsStrides: [Int]

    /// nil when the shapes do not broadcast.
    @usableFromInline
    init?(_ a: [Int], _ b: [Int]) {
        let rank = max(a.count, b.count)
        var shape = [Int](repeating: 1, count: rank)
        var sa = [Int](repeating: 0, count: rank), sb = sa
        var strideA = 1, strideB = 1
        for i in stride(from: rank - 1, through: 0, by: -1) {
            let ia = i - (rank - a.count), ib = i - (rank - b.count)
            let da = ia >= 0 ? a[ia] : 1, db = ib >= 0 ? b[ib] : 1
            guard da == db || da == 1 || db == 1 else { return nil }
            shape[i] = da == 1 ? db : da
            sa[i] = da == 1 ? 0 : strideA
            sb[i] = db == 1 ? 0 : strideB
            strideA *= da
            strideB *= db
        }
        self.shape = shape
        lhsStrides = sa
        rhsStrides = sb
    }

    /// Calls `body(lhsOffset, rhsOffset, outOffset, count, lhsStep, rhsStep)` for each run along the last axis.
    @inlinable
    func forEachRun(_ body: (Int, Int, Int, Int, Int, Int) -> Void) {
        let rank = shape.count
        guard rank > 0 else { body(0, 0, 0, 1, 0, 0); return }
        let total = shape.reduce(1, *)
        guard total > 0 else { return }
        let inner = shape[rank - 1]
        var index = [Int](repeating: 0, count: rank)
        var out = 0
        while out < total {
            var oa = 0, ob = 0
            for i in 0..<(rank - 1) { oa += index[i] * lhsStrides[i]; ob += index[i] * rhsStrides[i] }
            body(oa, ob, out, inner, lhsStrides[rank - 1], rhsStrides[rank - 1])
            out += inner
            var axis = rank - 2
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < shape[axis] { break }
                index[axis] = 0
                axis -= 1
            }
        }
    }
}
