/// The validated frame of one `rnn` call: batch B, time T and the flags that place each step's rows.
struct LoopGeometry: Sendable {
    let batch: Int
    let time: Int
    let timeMajor: Bool
    let goBackwards: Bool
    let zeroOutputForMask: Bool
    let returnAllOutputs: Bool

    /// The original time step consumed at processing index `k`.
    @inline(__always)
    func originalTime(_ k: Int) -> Int { goBackwards ? time - 1 - k : k }

    /// Element offset of (row, step) in a `[B, steps, width]` or `[steps, B, width]` buffer.
    @inline(__always)
    func offset(row: Int, step: Int, steps: Int, width: Int) -> Int {
        timeMajor ? (step * batch + row) * width : (row * steps + step) * width
    }

    /// Steps kept in `outputs`: T, or 1 when `!returnAllOutputs`.
    var outputSteps: Int { returnAllOutputs ? time : 1 }

    /// `[B, steps] + trailing` (or `[steps, B] + trailing` when time-major).
    func sequenceShape(steps: Int, trailing: [Int]) -> [Int] {
        (timeMajor ? [steps, batch] : [batch, steps]) + trailing
    }
}
