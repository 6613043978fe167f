import _ParallelRNNKernels

extension FusedCellKernel {
    /// An unmasked shard of 16 or 32 rows (`prnn_sgemm_t_preferred`; tests: any), the batch in the vector lanes
    /// (padded to a multiple of 16 with zero rows, computed and never read out): per step
    /// `Z = W^T·x_tᵀ`, then the recurrent product(s) and the gates (``CellMath/stepTransposed``; LSTM and SimpleRNN
    /// accumulate `U^T·hᵀ` onto `Z`, as their row-major step does), with `h` and `c` kept as
    /// 16-column panels that are the next step's operand, and the new `h` copied out into the output rows. The
    /// batch (a few KiB) stays in L1 while the weights stream through once per step; at these sizes that beats the
    /// row-major step, whose weight panels each serve only n rows (KERNELS.md, seventh round). Same FMA chains and
    /// gate formulas: bitwise the results of the row-major path. The workspace is allocated once, before the loop.
    func runShardTransposed(positions: Range<Int>, weights: TransposedWeights, stop: StopFlag) {
        let g = geometry
        let n = positions.count, u = math.units, gw = math.gateWidth, inputSize = math.inputSize
        let first = positions.lowerBound  // unmasked: rows in the caller's order
        let lstm = math.stateCount == 2
        let lanes = (n + 15) / 16 * 16
        let xCount = Int(prnn_rows_t_count(Int32(n), Int32(inputSize))), hCount = Int(prnn_rows_t_count(Int32(n), Int32(u)))
        let floats = max(1, xCount + (lstm ? 4 : 2) * hCount + gw * lanes + math.scratchCount(rows: lanes))
        let bytes = floats * MemoryLayout<Float>.size
        let raw = RawBuffer.allocate(bytes: bytes)
        defer { RawBuffer.deallocate(raw, bytes: bytes) }
        let xT = raw.bindMemory(to: Float.self, capacity: floats)
        var h = xT + xCount, newH = h + hCount
        var c = newH + hCount, newC = c + (lstm ? hCount : 0)  // LSTM only
        let z = newC + (lstm ? hCount : 0), scratch = z + gw * lanes
        initialStates[0].withUnsafeBufferPointer { prnn_pack_rows_t(Int32(n), Int32(u), $0.baseAddress! + first * u, Int32(u), h) }
        if lstm {
            initialStates[1].withUnsafeBufferPointer { prnn_pack_rows_t(Int32(n), Int32(u), $0.baseAddress! + first * u, Int32(u), c) }
        }
        let x = inputs.storage.base
        let xRowStride = g.timeMajor ? inputSize : g.time * inputSize
        let outputRowStride = g.timeMajor ? u : g.time * u
        for k in 0..<g.time {
            if stop.isSet { return }
            let t = g.originalTime(k)
            let xFirst = x + (g.timeMajor ? (t * g.batch + first) * inputSize : (first * g.time + t) * inputSize)
            prnn_pack_rows_t(Int32(n), Int32(inputSize), xFirst, Int32(xRowStride), xT)
            weights.input.multiply(panels: xT, batch: lanes, into: z, ldc: lanes, accumulate: false)
            math.stepTransposed(batch: lanes, z: z, ldz: lanes, h: h, c: lstm ? c : nil, scratch: scratch, newH: newH,
                                newC: lstm ? newC : nil)
            swap(&h, &newH)
            if lstm { swap(&c, &newC) }
            if g.returnAllOutputs {
                prnn_unpack_rows_t(Int32(n), Int32(u), h, outputs + g.offset(row: first, step: k, steps: g.time, width: u),
                                   Int32(outputRowStride))
            }
        }
        withExtendedLifetime(inputs) {}
        prnn_unpack_rows_t(Int32(n), Int32(u), h, lastOutput + first * u, Int32(u))
        prnn_unpack_rows_t(Int32(n), Int32(u), h, states[0] + first * u, Int32(u))
        if lstm { prnn_unpack_rows_t(Int32(n), Int32(u), c, states[1] + first * u, Int32(u)) }
    }
}
