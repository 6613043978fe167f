/// The shard kernel for the Keras cells. Per step: the input projection `x_t·W` of the shard's running rows as one
/// packed GEMM, the recurrent GEMM and gate math (``CellMath``), and the Keras carries (``MaskCarry``) written
/// straight into the result rows. The workspace is allocated inside the work item (first touch on the shard's core)
/// and sized for one step, so it stays in cache; the time loop allocates nothing.
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

    func runShard(_ shard: Int, positions: Range<Int>, stop: StopFlag) throws {
        let g = geometry
        let n = positions.count, u = math.units, gw = math.gateWidth, inputSize = math.inputSize
        let rows = positions.map { order?[$0] ?? $0 }
        let steps = validSteps.map { Array($0[positions]) }
        let lstm = math.stateCount == 2
        let masked = mask != nil

        // Workspace for one step, first touched here on the shard's own core.
        let gather = order != nil
        let workspace = UnsafeMutablePointer<Float>.allocate(
            capacity: max(1, n * gw + (gather ? n * inputSize : 0) + math.scratchCount(rows: n) + 5 * n * u))
        defer { workspace.deallocate() }
        let projected = workspace
        let gathered = projected + n * gw
        let scratch = gathered + (gather ? n * inputSize : 0)
        let stateBuffers = scratch + math.scratchCount(rows: n)
        var h = stateBuffers, newH = stateBuffers + n * u
        var c = stateBuffers + 2 * n * u, newC = stateBuffers + 3 * n * u
        let emitted = stateBuffers + 4 * n * u  // previous emitted output (masked paths)
        stateBuffers.update(repeating: 0, count: 5 * n * u)
        loadRows(initialStates[0], rows: rows, into: h)
        if lstm { loadRows(initialStates[1], rows: rows, into: c) }

        let x = inputs.storage.base
        // Row r of x_t lives at x + (rows[r]·T + t)·I (batch-major) or (t·B + rows[r])·I (time-major).
        let rowStride = g.timeMajor ? inputSize : g.time * inputSize
        var active = n
        for k in 0..<g.time {
            if stop.isSet { return }
            if let steps { while active > 0 && steps[active - 1] <= k { active -= 1 } }
            if active > 0 {
                let t = g.originalTime(k)
                let first = x + (g.timeMajor ? (t * g.batch + rows[0]) * inputSize : (rows[0] * g.time + t) * inputSize)
                if gather {
                    for r in 0..<active {
                        let src = x + (g.timeMajor ? (t * g.batch + rows[r]) * inputSize : (rows[r] * g.time + t) * inputSize)
                        copyElements(from: src, to: gathered + r * inputSize, count: inputSize)
                    }
                    math.inputWeights.multiply(gathered, rows: active, lda: inputSize, into: projected, ldc: gw)
                } else {
                    math.inputWeights.multiply(first, rows: active, lda: rowStride, into: projected, ldc: gw)
                }
                math.step(rows: active, projected: projected, ldp: gw, h: h, c: lstm ? c : nil,
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
        withExtendedLifetime(inputs) {}
        let final = masked ? emitted : h
        for (r, b) in rows.enumerated() {
            (lastOutput + b * u).update(from: final + r * u, count: u)
            (states[0] + b * u).update(from: h + r * u, count: u)
            if lstm { (states[1] + b * u).update(from: c + r * u, count: u) }
        }
    }

    private func loadRows(_ tensor: Tensor<Float>, rows: [Int], into dst: UnsafeMutablePointer<Float>) {
        let u = math.units
        tensor.withUnsafeBufferPointer { s in
            for (r, b) in rows.enumerated() { (dst + r * u).update(from: s.baseAddress! + b * u, count: u) }
        }
    }

    @inline(__always)
    private func writeOutputs(_ source: UnsafeMutablePointer<Float>, rows: [Int], step k: Int) {
        let g = geometry, u = math.units
        for (r, b) in rows.enumerated() {
            (outputs + g.offset(row: b, step: k, steps: g.time, width: u)).update(from: source + r * u, count: u)
        }
    }
}
