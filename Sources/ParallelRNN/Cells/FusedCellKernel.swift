import _ParallelRNNKernels

/// The shard kernel for the Keras cells. The input projection `x·W` is hoisted out of the time loop: one packed
/// GEMM per block of steps over all of the block's (step, running row) pairs, gathered step-major (M = rows × steps,
/// so `W` streams once per block); then per step the recurrent GEMM and gate math (``CellMath``) and the Keras
/// carries (``MaskCarry``) written straight into the result rows. Without a mask, when every step's output is kept
/// (rows in the caller's order), the gate kernels write the new `h` directly into the output sequence's rows and the
/// next step reads it from there (row stride `T·U`, or `U` time-major): no per-step copy. The workspace is allocated
/// inside the work item, sized for one block (≤ `projectionBudget` bytes of projections), so the time loop allocates
/// nothing. A row's `x_t·W` does not depend on which other rows share its GEMM (the kernels' determinism contract),
/// so blocking changes no bit.
///
/// Unmasked shards of the sizes the CPU's transposed product runs faster take the transposed path instead
/// (`runShardTransposed`; larger ones in row blocks, each over all steps): the batch in the vector lanes, the same
/// bits.
///
/// Length-aware mode: positions are rows sorted by decreasing count of valid steps, which form one run at the start of
/// each row's processing order (a prefix mask) or, with `validAtEnd`, one run at its end. At step k only the first
/// `active` rows of the shard are computed (all of them valid). Prefix: the others are masked to the end, each retired
/// once (``MaskCarry/retiredOutput(lastValid:zeroOutputForMask:into:count:)``, its output written for all the
/// remaining steps). At the end: the others have not started; their states are the initial ones and their outputs
/// zeros (a masked step before any valid one emits zeros either way), written before the loop. The running rows'
/// states are never copied (only a retiring row's, once); results are bitwise those of the general masked path.
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
    /// Per position: the number of valid processing steps, all leading (or all trailing, `validAtEnd`); length-aware
    /// only.
    let validSteps: [Int]?
    /// Length-aware with the valid steps last in processing order (rows start late instead of stopping early).
    let validAtEnd: Bool
    let outputs: UnsafeMutablePointer<Float>
    let lastOutput: UnsafeMutablePointer<Float>
    let states: [UnsafeMutablePointer<Float>]
    /// Most bytes of hoisted projections per shard (a block's `[Σ rows, G]`; a block has at least one step).
    let projectionBudget: Int
    /// Which unmasked shards take the transposed path (`runShardTransposed`).
    var transposedShards = TransposedShards.preferred

    /// Small enough to stay in a shard's share of L3.
    static var defaultProjectionBudget: Int { 4 << 20 }
    /// Rows a block's input GEMM aims for: its efficiency has saturated by then, and a 256-row LSTM shard with
    /// U = 512 gets two steps per block (−6 % time against one step, measured); more only grows the buffer.
    static var blockRows: Int { 512 }
    /// When one step's projections are at most this size, a block holds no more than this, so each step's rows are
    /// still in the core's L2 when its gate kernel reads them (Xeon, AVX-512, 32-row LSTM shards of w1:
    /// 4 steps per block 4–5 % faster than 16; KERNELS.md). Larger steps cannot stay in L2 anyway: `blockRows` rules.
    static var cachedBlockBytes: Int { 512 << 10 }

    func runShard(_ shard: Int, positions: Range<Int>, stop: StopFlag) throws {
        if mask == nil, order == nil, let weights = math.transposed,
           let blocks = transposedShards.blocks(of: positions, operandRows: math.stepOperandRows) {
            for block in blocks where !runShardTransposed(positions: block, weights: weights, stop: stop) { return }
            return
        }
        let g = geometry
        let n = positions.count, u = math.units, gw = math.gateWidth, inputSize = math.inputSize
        let rows = positions.map { order?[$0] ?? $0 }
        // Rows computed at processing step k: all, or (length-aware, positions sorted by decreasing valid steps) the
        // leading rows valid at k — still running (prefix) or already started (valid steps at the end) — found by
        // bisection (no array of T counts: with I = 0, T may be anything).
        let sortedSteps = validSteps, atEnd = validAtEnd, time = g.time
        func running(_ k: Int) -> Int {
            guard let validSteps = sortedSteps else { return n }
            // A row runs at step k when its valid steps exceed k (prefix), or T − 1 − k (valid steps at the end).
            let threshold = atEnd ? time - 1 - k : k
            var lo = 0, hi = n  // the first position whose row has no more than `threshold` valid steps
            while lo < hi {
                let mid = (lo + hi) / 2
                if validSteps[positions.lowerBound + mid] > threshold { lo = mid + 1 } else { hi = mid }
            }
            return lo
        }
        let lstm = math.stateCount == 2
        let masked = mask != nil
        let stepBytes = max(1, n * gw * MemoryLayout<Float>.size)
        let blockBytes = stepBytes <= Self.cachedBlockBytes
            ? min(Self.cachedBlockBytes, projectionBudget) : projectionBudget
        let blockSteps = max(1, min(g.time, (Self.blockRows + n - 1) / max(1, n), blockBytes / stepBytes))
        // One step per block with every row: x_t's rows are read in place (a strided matrix), nothing gathered.
        let gather = blockSteps > 1 || order != nil

        // Workspace for one block, allocated by the shard (a kept buffer when the previous call had these shapes).
        let workspaceBytes = max(1, blockSteps * n * gw + (gather ? blockSteps * n * inputSize : 0)
                                 + math.scratchCount(rows: n) + 5 * n * u) * MemoryLayout<Float>.size
        let raw = RawBuffer.allocate(bytes: workspaceBytes)
        defer { RawBuffer.deallocate(raw, bytes: workspaceBytes) }
        let workspace = raw.bindMemory(to: Float.self, capacity: workspaceBytes / MemoryLayout<Float>.size)
        let projected = workspace
        let gathered = projected + blockSteps * n * gw
        let scratch = gathered + (gather ? blockSteps * n * inputSize : 0)
        let stateBuffers = scratch + math.scratchCount(rows: n)
        var h = stateBuffers, newH = stateBuffers + n * u
        var c = stateBuffers + 2 * n * u, newC = stateBuffers + 3 * n * u
        let emitted = stateBuffers + 4 * n * u  // previous emitted output (masked paths)
        stateBuffers.update(repeating: 0, count: 5 * n * u)
        loadRows(initialStates[0], rows: rows, into: h)
        if lstm { loadRows(initialStates[1], rows: rows, into: c) }
        if let validSteps, validAtEnd {
            // Rows start late: until then their states are the initial ones in both buffers, their outputs zeros
            // (`emitted`, zeroed above, is never written in this mode).
            newH.update(from: h, count: n * u)
            if lstm { newC.update(from: c, count: n * u) }
            for r in 0..<n where g.returnAllOutputs {
                fillOutputs(emitted + r * u, row: rows[r], steps: 0..<(g.time - validSteps[positions.lowerBound + r]))
            }
        }

        let x = inputs.storage.base
        // Row r of x_t lives at x + (rows[r]·T + t)·I (batch-major) or (t·B + rows[r])·I (time-major).
        func xRow(_ r: Int, _ t: Int) -> UnsafeMutablePointer<Float> {
            x + (g.timeMajor ? (t * g.batch + rows[r]) * inputSize : (rows[r] * g.time + t) * inputSize)
        }
        // Unmasked, all outputs kept, rows in the caller's order: h lives in the output rows (see the type's doc).
        let direct = !masked && g.returnAllOutputs && order == nil && n > 0
        let outputRowStride = g.timeMajor ? u : g.time * u
        // The previous step's h: the state buffer `h`, or (direct) the previous step's output rows.
        var hRows = UnsafePointer(h), ldh = u
        var blockStart = 0, projectedRow = 0
        var live = n  // length-aware: positions [live, n) are retired (masked to the end)
        for k in 0..<g.time {
            if stop.shouldStop(before: k) { return }
            let active = running(k)
            if k == blockStart {
                // x·W for steps k..<k+blockSteps, their running rows stacked step-major.
                var m = 0
                for j in k..<min(g.time, k + blockSteps) {
                    let count = running(j), t = g.originalTime(j)
                    if gather {
                        for r in 0..<count {
                            copyElements(from: xRow(r, t), to: gathered + (m + r) * inputSize, count: inputSize)
                        }
                    }
                    m += count
                }
                if m > 0 {
                    if gather {
                        math.inputWeights.multiply(gathered, rows: m, lda: inputSize, into: projected, ldc: gw)
                    } else {
                        let rowStride = g.timeMajor ? inputSize : g.time * inputSize
                        math.inputWeights.multiply(xRow(0, g.originalTime(k)), rows: m, lda: rowStride,
                                                   into: projected, ldc: gw)
                    }
                }
                blockStart = k + blockSteps
                projectedRow = 0
            }
            let (newHRows, ldNewH) = direct
                ? (outputs + g.offset(row: rows[0], step: k, steps: g.time, width: u), outputRowStride) : (newH, u)
            if active > 0 {
                math.step(rows: active, projected: projected + projectedRow * gw, ldp: gw, h: hRows, ldh: ldh,
                          c: lstm ? c : nil, scratch: scratch, newH: newHRows, ldNewH: ldNewH,
                          newC: lstm ? newC : nil)
                projectedRow += active
            }
            if direct {
                (hRows, ldh) = (UnsafePointer(newHRows), ldNewH)
                if lstm { swap(&c, &newC) }
                continue
            }
            if !masked || validSteps != nil {
                // Unmasked (`active` is n) or length-aware: the step computed rows [0, active) into the new buffers.
                // Prefix: rows [active, live) stopped before step k and are retired once (their states copied into
                // the other state buffers, their output fixed and written for the remaining steps). Valid steps at
                // the end: rows [active, n) have not started (see above).
                if let validSteps, !validAtEnd {
                    for r in active..<live {
                        (newH + r * u).update(from: h + r * u, count: u)
                        if lstm { (newC + r * u).update(from: c + r * u, count: u) }
                        MaskCarry.retiredOutput(lastValid: validSteps[positions.lowerBound + r] > 0 ? h + r * u : nil,
                                                zeroOutputForMask: g.zeroOutputForMask, into: emitted + r * u, count: u)
                        if g.returnAllOutputs { fillOutputs(emitted + r * u, row: rows[r], steps: k..<g.time) }
                    }
                    live = min(live, active)
                }
                swap(&h, &newH)
                hRows = UnsafePointer(h)
                if lstm { swap(&c, &newC) }
                if g.returnAllOutputs { writeOutputs(h, rows: rows, positions: 0..<active, step: k) }
                continue
            }
            for r in 0..<n {
                let valid = mask!.isValid(row: rows[r], step: k)
                MaskCarry.carryState(valid: valid, new: newH + r * u, old: h + r * u, into: h + r * u, count: u)
                if lstm { MaskCarry.carryState(valid: valid, new: newC + r * u, old: c + r * u, into: c + r * u, count: u) }
                MaskCarry.emitOutput(valid: valid, raw: newH + r * u, previous: emitted + r * u,
                                     zeroOutputForMask: g.zeroOutputForMask, into: emitted + r * u, count: u)
            }
            if g.returnAllOutputs { writeOutputs(emitted, rows: rows, positions: 0..<n, step: k) }
        }
        withExtendedLifetime(inputs) {}
        // hRows is the final h (the state buffer, or the last output rows); the masked paths emit `emitted`, except
        // for the length-aware rows valid at the last step (never retired; started): their output is h.
        let (final, finalStride) = masked ? (UnsafePointer(emitted), u) : (hRows, ldh)
        for (r, b) in rows.enumerated() {
            let validLast = validSteps.map { validAtEnd ? $0[positions.lowerBound + r] > 0 : r < live } ?? false
            let last = validLast ? hRows + r * ldh : final + r * finalStride
            (lastOutput + b * u).update(from: last, count: u)
            (states[0] + b * u).update(from: hRows + r * ldh, count: u)
            if lstm { (states[1] + b * u).update(from: c + r * u, count: u) }
        }
    }

    private func loadRows(_ tensor: Tensor<Float>, rows: [Int], into dst: UnsafeMutablePointer<Float>) {
        let u = math.units
        tensor.withUnsafeBufferPointer { s in
            for (r, b) in rows.enumerated() { (dst + r * u).update(from: s.baseAddress! + b * u, count: u) }
        }
    }

    /// Step k's output rows of the shard's `positions` (indices into `rows`), from `source`'s rows at those indices.
    @inline(__always)
    private func writeOutputs(_ source: UnsafeMutablePointer<Float>, rows: [Int], positions: Range<Int>, step k: Int) {
        let g = geometry, u = math.units
        for r in positions {
            (outputs + g.offset(row: rows[r], step: k, steps: g.time, width: u)).update(from: source + r * u, count: u)
        }
    }

    /// One row's output over a run of processing steps (fixed there), written into those steps of the output sequence.
    private func fillOutputs(_ source: UnsafePointer<Float>, row b: Int, steps: Range<Int>) {
        let g = geometry, u = math.units
        for j in steps {
            (outputs + g.offset(row: b, step: j, steps: g.time, width: u)).update(from: source, count: u)
        }
    }
}

/// Which unmasked shards of a fused cell run transposed (when the cell has its kernels packed for it), and in which
/// row blocks.
enum TransposedShards: Sendable, Equatable {
    /// None: the row-major path only (tests compare the two).
    case never
    /// Those whose size the CPU's transposed product prefers, whole or in blocks (`prnn_sgemm_t_blocks`: the row
    /// count and, above 32 rows, the operand's I + U rows): the default.
    case preferred
    /// All, whole (tests: the path for any row count, on any ISA).
    case always
    /// All, in blocks of `rows` rows (the last one shorter; tests: blocks on any ISA).
    case blocks(rows: Int)

    /// The row blocks, in order, that together cover `positions`, each run transposed over all time steps; nil:
    /// row-major. `operandRows`: the cell's ``CellMath/stepOperandRows``.
    func blocks(of positions: Range<Int>, operandRows: Int) -> [Range<Int>]? {
        let n = positions.count
        guard n > 0 else { return nil }
        switch self {
        case .never:
            return nil
        case .preferred:
            guard n <= Int(Int32.max) else { return nil }
            let count = Int(prnn_sgemm_t_blocks(Int32(n), Int32(clamping: operandRows)))
            guard count > 0 else { return nil }
            // Whole 32-row units (n is a multiple of 32 when count > 1), the first blocks taking the spare ones.
            let units = (n + 31) / 32
            var start = positions.lowerBound
            return (0..<count).map { b in
                let size = count == 1 ? n : 32 * (units / count + (b < units % count ? 1 : 0))
                defer { start += size }
                return start..<(start + size)
            }
        case .always:
            return [positions]
        case let .blocks(rows):
            return stride(from: positions.lowerBound, to: positions.upperBound, by: max(1, rows)).map {
                $0..<min($0 + max(1, rows), positions.upperBound)
            }
        }
    }
}
