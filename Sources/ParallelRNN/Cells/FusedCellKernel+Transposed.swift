import _ParallelRNNKernels

extension FusedCellKernel {
    /// An unmasked shard of 16 or 32 rows, or on AVX-512 of 48–512 rows (by 16) whose operand fits in half the L2
    /// (`prnn_sgemm_t_preferred_shape`; tests: any), or a row block of a larger one (`prnn_sgemm_t_blocks`), the
    /// batch in the vector lanes (padded to a multiple of 16 with zero rows, computed and never read out): per step
    /// the product of the step's operand in one `prnn_sgemm_t` — LSTM (``TransposedKernels/stacked``):
    /// `Z = [W; U]^T·[x_t; h]^T` split at I, the row-major step's `x·W + h·U` in one pass; GRU, SimpleRNN:
    /// `Z = W^T·x_tᵀ`, their recurrent products following in ``CellMath/stepTransposed`` — then the gates, with `h`
    /// and `c` kept as 16-column panels that are the next step's operand (stacked: `h` is the operand's last U rows,
    /// so the gates write the next step's operand directly), and the new `h` copied out into the output rows. The
    /// batch stays in L1 (32 rows) or L2 while the weights stream through once per step; at these sizes that beats
    /// the row-major step, whose weight panels each serve only n rows (KERNELS.md, seventh and twenty-fifth rounds).
    /// Same FMA chains and gate formulas: bitwise the results of the row-major path. The workspace is allocated once,
    /// before the loop.
    ///
    /// `positions` may be one row block of a shard (``TransposedShards/blocks(of:operandRows:)``): each block polls
    /// `stop` from step 0 again, which is sound because this kernel never throws. Returns false when `stop` said so.
    func runShardTransposed(positions: Range<Int>, weights: TransposedWeights, stop: StopFlag) -> Bool {
        let g = geometry
        let n = positions.count, u = math.units, gw = math.gateWidth, inputSize = math.inputSize
        let first = positions.lowerBound  // unmasked: rows in the caller's order
        let lstm = math.stateCount == 2
        let lanes = (n + 15) / 16 * 16
        // The step's product and its operand: x_t's I rows (then h's U rows, stacked) of 16 lanes per panel.
        // Borrowed views (valid while `weights` lives: to the end of this function), so that no step retains.
        let kernels = weights.products
        let product: TransposedProduct, stacked: Bool
        switch kernels {
        case .stacked(let w): (product, stacked) = (w, true)
        case .separate(let input, _, _): (product, stacked) = (input, false)
        }
        let operandRows = product.rows, ldOperand = 16 * operandRows
        let operandCount = operandRows * lanes, hCount = u * lanes
        let ldh = stacked ? ldOperand : 16 * u  // between h's panels
        // Stacked: this step's operand and the next one's (whose h rows the gates write); else one x operand, two h.
        let statesOffset = stacked ? 2 * operandCount : operandCount + 2 * hCount
        let scratchCount = stacked ? 0 : math.scratchCount(rows: lanes)  // stacked: the product leaves only the gates
        let floats = max(1, statesOffset + (lstm ? 2 * hCount : 0) + gw * lanes + scratchCount)
        let bytes = floats * MemoryLayout<Float>.size
        let raw = RawBuffer.allocate(bytes: bytes)
        defer { RawBuffer.deallocate(raw, bytes: bytes) }
        let base = raw.bindMemory(to: Float.self, capacity: floats)
        var operand = base, nextOperand = stacked ? base + operandCount : base
        var h = stacked ? operand + 16 * inputSize : base + operandCount
        var newH = stacked ? nextOperand + 16 * inputSize : h + hCount
        var c = base + statesOffset, newC = c + (lstm ? hCount : 0)  // LSTM only
        let z = newC + (lstm ? hCount : 0), scratch = z + gw * lanes
        initialStates[0].withUnsafeBufferPointer {
            prnn_pack_rows_t_ld(Int32(n), Int32(u), $0.baseAddress! + first * u, Int32(u), h, ldh)
        }
        if lstm {
            initialStates[1].withUnsafeBufferPointer { prnn_pack_rows_t(Int32(n), Int32(u), $0.baseAddress! + first * u, Int32(u), c) }
        }
        let x = inputs.storage.base
        let xRowStride = g.timeMajor ? inputSize : g.time * inputSize
        let outputRowStride = g.timeMajor ? u : g.time * u
        for k in 0..<g.time {
            if stop.shouldStop(before: k) { return false }
            let t = g.originalTime(k)
            let xFirst = x + (g.timeMajor ? (t * g.batch + first) * inputSize : (first * g.time + t) * inputSize)
            prnn_pack_rows_t_ld(Int32(n), Int32(inputSize), xFirst, Int32(xRowStride), operand, ldOperand)
            if stacked {
                product.multiply(panels: operand, batch: lanes, into: z, ldc: lanes, split: inputSize)
            } else {
                product.multiply(panels: operand, batch: lanes, into: z, ldc: lanes, accumulate: false)
            }
            math.stepTransposed(kernels, batch: lanes, z: z, ldz: lanes, h: h, c: lstm ? c : nil, scratch: scratch, newH: newH,
                                ldNewH: ldh, newC: lstm ? newC : nil)
            swap(&h, &newH)
            if stacked { swap(&operand, &nextOperand) }
            if lstm { swap(&c, &newC) }
            if g.returnAllOutputs {
                prnn_unpack_rows_t_ld(Int32(n), Int32(u), h, ldh, outputs + g.offset(row: first, step: k, steps: g.time, width: u),
                                      Int32(outputRowStride))
            }
        }
        withExtendedLifetime((inputs, weights)) {}
        prnn_unpack_rows_t_ld(Int32(n), Int32(u), h, ldh, lastOutput + first * u, Int32(u))
        prnn_unpack_rows_t_ld(Int32(n), Int32(u), h, ldh, states[0] + first * u, Int32(u))
        if lstm { prnn_unpack_rows_t(Int32(n), Int32(u), c, states[1] + first * u, Int32(u)) }
        return true
    }
}
