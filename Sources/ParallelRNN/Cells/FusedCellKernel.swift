/// The shard kernel for the Keras cells: per shard, the input projection `x·W` for a block of time steps as one
/// packed GEMM per row, then per step one recurrent GEMM and the cell's gate math (``CellMath``), with the Keras
/// carries (``MaskCarry``) written straight into the result rows. The workspace is allocated inside the work item
/// (first touch on the shard's core); the time loop allocates nothing.
///
/// Length-aware mode: positions are rows sorted by decreasing count of leading valid steps (a prefix mask in
/// processing order). At step k only the first `active` rows of the shard are computed (all of them valid); the
/// others are masked and only carried, so results are bitwise those of the general masked path.
// @unchecked: the result pointers are shared, but every shard writes only its own rows.
struct FusedCellKernel<Math: CellMath>: ShardKernel, @unchecked Sendable {
    let math: Math
    /// `[B, T, I]` or `[T, B, I]`.
    let inputs: Tensor<Float>
    /// `[B, U]` each (h, then c for LSTM).
    let initialStates: [Tensor<Float>]
    let geometry: LoopGeometry
    let mask: SequenceMask?
    /// Position → row, when rows were sorted (length-aware); nil means identity.
    let order: [Int]?
    /// Per position: the number of leading valid processing steps (length-aware only).
    let validSteps: [Int]?
    let outputs: UnsafeMutablePointer<Float>
    let lastOutput: UnsafeMutablePointer<Float>
    let states: [UnsafeMutablePointer<Float>]

    /// Bytes of projected inputs a shard keeps at once; longer sequences are projected in blocks of steps.
    static var projectionBudget: Int { 32 << 20 }

    func runShard(_ shard: Int, positions: Range<Int>, stop: StopFlag) throws {
        let g = geometry
        let n = positions.count, u = math.units, gw = math.gateWidth
        let rows = positions.map { order?[$0] ?? $0 }
        let steps = validSteps.map { Array($0[positions]) }
        let lstm = math.stateCount == 2
        let masked = mask != nil

        // Workspace, first touched here on the shard's own core.
        let block = max(1, min(g.time, Self.projectionBudget / max(1, n * gw * 4)))
        let projected = UnsafeMutablePointer<Float>.allocate(capacity: max(1, n * block * gw))
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: max(1, math.scratchCount(rows: n)))
        let stateBuffers = UnsafeMutablePointer<Float>.allocate(capacity: max(1, 5 * n * u))
        defer { projected.deallocate(); scratch.deallocate(); stateBuffers.deallocate() }
        var h = stateBuffers, newH = stateBuffers + n * u
        var c = stateBuffers + 2 * n * u, newC = stateBuffers + 3 * n * u
        let emitted = stateBuffers + 4 * n * u  // previous emitted output (masked paths)
        stateBuffers.update(repeating: 0, count: 5 * n * u)
        initialStates[0].withUnsafeBufferPointer { s in for (r, b) in rows.enumerated() { (h + r * u).update(from: s.baseAddress! + b * u, count: u) } }
        if lstm {
            initialStates[1].withUnsafeBufferPointer { s in for (r, b) in rows.enumerated() { (c + r * u).update(from: s.baseAddress! + b * u, count: u) } }
        }

        var active = n
        var blockStart = 0, blockCount = 0
        for k in 0..<g.time {
            if stop.isSet { return }
            if let steps { while active > 0 && steps[active - 1] <= k { active -= 1 } }
            if k == blockStart + blockCount {
                blockStart = k
                blockCount = min(block, g.time - k)
                project(rows: rows, active: active, steps: steps, from: k, count: blockCount, block: block, into: projected)
            }
            // Slots hold a block's steps in original-time order.
            let slot = g.goBackwards ? blockStart + blockCount - 1 - k : k - blockStart
            if active > 0 {
                math.step(rows: active, projected: projected + slot * gw, ldp: block * gw, h: h, c: lstm ? c : nil,
                          scratch: scratch, newH: newH, newC: lstm ? newC : nil)
            }
            if !masked {
                swap(&h, &newH)
                if lstm { swap(&c, &newC) }
                if g.returnAllOutputs { writeOutputs(h, rows: rows, step: k) }
                continue
            }
            for r in 0..<n {
                let valid = steps != nil ? r < active : mask!.isValid(row: rows[r], step: k)
                MaskCarry.carryState(valid: valid, new: newH + r * u, old: h + r * u, into: h + r * u, count: u)
                if lstm { MaskCarry.carryState(valid: valid, new: newC + r * u, old: c + r * u, into: c + r * u, count: u) }
                MaskCarry.emitOutput(valid: valid, raw: newH + r * u, previous: emitted + r * u,
                                     zeroOutputForMask: g.zeroOutputForMask, into: emitted + r * u, count: u)
            }
            if g.returnAllOutputs { writeOutputs(emitted, rows: rows, step: k) }
        }
        let final = masked ? emitted : h
        for (r, b) in rows.enumerated() {
            (lastOutput + b * u).update(from: final + r * u, count: u)
            (states[0] + b * u).update(from: h + r * u, count: u)
            if lstm { (states[1] + b * u).update(from: c + r * u, count: u) }
        }
    }

    /// `x·W` for processing steps `k..<k+count` of the active rows (each row only for its valid steps), one
    /// packed GEMM per row over consecutive original times, into slots in original-time order.
    private func project(rows: [Int], active: Int, steps: [Int]?, from k: Int, count: Int, block: Int,
                         into projected: UnsafeMutablePointer<Float>) {
        let g = geometry, inputSize = math.inputSize, gw = math.gateWidth
        let x = inputs.storage.base
        let lda = g.timeMajor ? g.batch * inputSize : inputSize
        for r in 0..<active {
            let need = min(count, (steps?[r] ?? g.time) - k)
            guard need > 0 else { continue }
            let t0 = g.goBackwards ? g.time - k - need : k
            let a = x + (g.timeMajor ? (t0 * g.batch + rows[r]) * inputSize : (rows[r] * g.time + t0) * inputSize)
            let slot0 = g.goBackwards ? count - need : 0
            math.inputWeights.multiply(a, rows: need, lda: lda, into: projected + (r * block + slot0) * gw, ldc: gw)
        }
        withExtendedLifetime(inputs) {}
    }

    @inline(__always)
    private func writeOutputs(_ source: UnsafeMutablePointer<Float>, rows: [Int], step k: Int) {
        let g = geometry, u = math.units
        for (r, b) in rows.enumerated() {
            (outputs + g.offset(row: b, step: k, steps: g.time, width: u)).update(from: source + r * u, count: u)
        }
    }
}
