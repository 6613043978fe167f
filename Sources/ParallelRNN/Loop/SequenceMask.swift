/// `valid[b, k]` for every row b and processing index k, from a boolean mask or per-sample lengths.
struct SequenceMask: Sendable {
    let time: Int
    /// Row-major `[B, T]` in processing order.
    let bits: [Bool]

    /// From a validated mask `[B, T]`, `[B, T, 1]` (or time-major `[T, B]`, `[T, B, 1]`).
    init(mask: Tensor<Bool>, geometry g: LoopGeometry) {
        time = g.time
        var bits = [Bool](repeating: false, count: g.batch * g.time)
        mask.withUnsafeBufferPointer { m in
            for b in 0..<g.batch {
                for k in 0..<g.time {
                    let t = g.originalTime(k)
                    bits[b * g.time + k] = g.timeMajor ? m[t * g.batch + b] : m[b * g.time + t]
                }
            }
        }
        self.bits = bits
    }

    /// From per-sample lengths: valid iff original time `t < lengths[b]`, in both directions (Project decision 4).
    init(lengths: [Int], geometry g: LoopGeometry) {
        time = g.time
        var bits = [Bool](repeating: false, count: g.batch * g.time)
        for b in 0..<g.batch {
            for k in 0..<g.time { bits[b * g.time + k] = g.originalTime(k) < lengths[b] }
        }
        self.bits = bits
    }

    @inline(__always)
    func isValid(row: Int, step: Int) -> Bool { bits[row * time + step] }

    /// How many rows of `rows` are valid at step k: lets a step skip selection when all or none are.
    @inline(__always)
    func validCount(rows: Range<Int>, step: Int) -> Int {
        var n = 0
        for b in rows where bits[b * time + step] { n += 1 }
        return n
    }
}
