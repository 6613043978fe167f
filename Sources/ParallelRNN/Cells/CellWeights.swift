import _ParallelRNNKernels

/// Shape checks for Keras cell weights, and the cell as a plain step function.
enum CellWeights {
    /// Checks `kernel [I, gates·U]` and `recurrentKernel [U, gates·U]`; returns (I, U).
    static func dimensions(kernel: Tensor<Float>, recurrentKernel: Tensor<Float>, gates: Int, cell: String) throws(RNNError) -> (Int, Int) {
        guard kernel.rank == 2, kernel.shape[1] % gates == 0, kernel.shape[1] > 0 else {
            throw .weightShape(argument: "\(cell) kernel", shape: kernel.shape, expected: "[I, \(gates)·U] with U ≥ 1")
        }
        let units = kernel.shape[1] / gates
        guard recurrentKernel.shape == [units, gates * units] else {
            throw .weightShape(argument: "\(cell) recurrentKernel", shape: recurrentKernel.shape,
                               expected: "[\(units), \(gates * units)] (U, \(gates)·U) to match kernel \(kernel.shape)")
        }
        // The kernels take 32-bit sizes; the stacked LSTM weights [W; U] have I + U rows. (Tensors of 8 GiB or more.)
        guard kernel.shape[0] <= Int(Int32.max) - units, kernel.shape[1] <= Int(Int32.max) else {
            throw .weightShape(argument: "\(cell) kernel", shape: kernel.shape,
                               expected: "[I, \(gates)·U] with I + U and \(gates)·U at most \(Int32.max) (the kernels' 32-bit sizes)")
        }
        return (kernel.shape[0], units)
    }

    static func packed(_ w: Tensor<Float>, columns: Range<Int>? = nil) -> PackedMatrix {
        w.withUnsafeBufferPointer {
            PackedMatrix($0.baseAddress!, rows: w.shape[0], leadingDimension: w.shape[1], columns: columns ?? 0..<w.shape[1])
        }
    }

    /// The kernels packed for transposed steps, where the machine has a fast transposed product (x86-64); the
    /// fused kernel takes that path for unmasked shards of 16 or 32 rows (``FusedCellKernel``).
    /// `stacked` (LSTM, whose gates take `x·W + h·U`): `[W; U]` as one kernel. Otherwise (GRU, SimpleRNN) separate,
    /// `candidate` being the recurrent kernel's columns that get their own product (without resetAfter) and the
    /// others `recurrent`. `always` packs them whatever the machine prefers (tests).
    static func transposed(kernel: Tensor<Float>, recurrentKernel: Tensor<Float>, stacked: Bool = false,
                           candidate: Range<Int>? = nil, always: Bool = false) -> TransposedWeights? {
        prnn_avx512_tune()  // the AVX-512 choice is measured (once per process) before it is read
        guard always || prnn_sgemm_t_preferred(16) != 0 || prnn_sgemm_t_preferred(32) != 0 else { return nil }
        if stacked { return .stacked(.stacking(kernel, recurrentKernel)) }
        let all = 0..<recurrentKernel.shape[1]
        return .separate(input: .packing(kernel),
                         recurrent: .packing(recurrentKernel, columns: candidate.map { 0..<$0.lowerBound } ?? all),
                         candidate: candidate.map { .packing(recurrentKernel, columns: $0) })
    }

    /// The cell as a ``StepFunction``: `(x [b, I], states [b, U]…) → (h' [b, U], new states)`, computed by the same
    /// ``CellMath`` as the fused path.
    static func stepFunction<Math: CellMath>(_ math: Math, cell: String) -> StepFunction<Float> {
        { x, states in
            let u = math.units, gw = math.gateWidth
            guard x.rank == 2, x.shape[1] == math.inputSize else {
                throw RNNError.weightShape(argument: "\(cell) step input", shape: x.shape, expected: "[b, \(math.inputSize)]")
            }
            let b = x.shape[0]
            guard states.count == math.stateCount else {
                // The step was given the wrong states (e.g. `rnn`'s constants appended): not a step *result* error.
                throw RNNError.invalidArgument(
                    argument: "\(cell) step states",
                    reason: "the cell's step takes exactly \(math.stateCount) state tensor(s) [b, \(u)] and no constants, "
                        + "but received \(states.count) (shapes \(states.map(\.shape)))")
            }
            for (j, s) in states.enumerated() where s.shape != [b, u] {
                throw RNNError.weightShape(argument: "\(cell) step state \(j)", shape: s.shape, expected: "[\(b), \(u)]")
            }
            let projected = Tensor<Float>(uninitializedShape: [b, gw])
            x.withUnsafeBufferPointer { math.inputWeights.multiply($0.baseAddress!, rows: b, lda: math.inputSize, into: projected.storage.base, ldc: gw) }
            let newH = Tensor<Float>(uninitializedShape: [b, u])
            let newC = Tensor<Float>(uninitializedShape: [b, math.stateCount == 2 ? u : 0])
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: max(1, math.scratchCount(rows: b)))
            defer { scratch.deallocate() }
            states[0].withUnsafeBufferPointer { h in
                if math.stateCount == 2 {
                    states[1].withUnsafeBufferPointer { c in
                        math.step(rows: b, projected: projected.storage.base, ldp: gw, h: h.baseAddress!, ldh: u,
                                  c: c.baseAddress!, scratch: scratch, newH: newH.storage.base, ldNewH: u,
                                  newC: newC.storage.base)
                    }
                } else {
                    math.step(rows: b, projected: projected.storage.base, ldp: gw, h: h.baseAddress!, ldh: u, c: nil,
                              scratch: scratch, newH: newH.storage.base, ldNewH: u, newC: nil)
                }
            }
            return (newH, math.stateCount == 2 ? [newH, newC] : [newH])
        }
    }
}
