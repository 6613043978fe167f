/// A user step over flattened leaves: `(input leaves, state leaves, constant leaves) → (output leaves, output
/// structure for nests, new state leaves)`. The flat and nested `rnn` adapt their step functions to this.
typealias LeafStep<S: TensorScalar> = @Sendable (_ inputs: [Tensor<S>], _ states: [Tensor<S>], _ constants: [Tensor<S>])
    throws -> (outputs: [Tensor<S>], structure: Nest<Int>?, states: [Tensor<S>])

/// The shard kernel for user step functions: calls the step exactly T times on the shard's rows, applies the
/// Keras carries (``MaskCarry``) and writes each emitted row into the result buffers.
struct GenericStepKernel<S: TensorScalar>: ShardKernel {
    let step: LeafStep<S>
    /// Input leaves `[B, T, ...]` (or `[T, B, ...]` when time-major).
    let inputs: [Tensor<S>]
    /// Initial state leaves `[B, ...]`.
    let initialStates: [Tensor<S>]
    let constants: [Tensor<S>]
    /// Constants whose leading dimension is B; each shard gets its own rows of these.
    let batchAligned: [Bool]
    let geometry: LoopGeometry
    let mask: SequenceMask?
    let sink: ResultSink<S>

    func runShard(_ shard: Int, positions rows: Range<Int>, stop: StopFlag) throws {
        let g = geometry
        let b = rows.count
        var states = initialStates.map { $0.rows(rows) }
        let shardConstants = zip(constants, batchAligned).map { $1 ? $0.rows(rows) : $0 }
        var previous: [Tensor<S>] = []
        var trailing: [[Int]] = []
        var structure: Nest<Int>?
        var outputBuffers: [UnsafeMutablePointer<S>] = []
        var lastBuffers: [UnsafeMutablePointer<S>] = []

        let sliceShapes = inputs.map { [b] + $0.shape.dropFirst(2) }
        // Batch-major leaves go through staging so memory is touched in contiguous runs (see StepStaging).
        let inputStaging = g.timeMajor ? [] : inputs.map { StepStaging<S>(rows: b, width: $0.shape.dropFirst(2).reduce(1, *), time: g.time) }
        var outputStaging: [StepStaging<S>] = []
        defer { for staging in inputStaging + outputStaging { staging.deallocate() } }
        var x: [Tensor<S>] = []
        x.reserveCapacity(inputs.count)
        for k in 0..<g.time {
            if stop.shouldStop(before: k) { return }
            if g.timeMajor {
                let t = g.originalTime(k)
                for (i, leaf) in inputs.enumerated() {
                    let slice = sliceBuffer(&x, i, shapes: sliceShapes)
                    leaf.copyTimeMajorSlice(t, rows: rows, into: slice)
                }
            } else {
                for i in inputStaging.indices {
                    let staging = inputStaging[i]
                    let j = k % staging.chunk
                    if j == 0 {
                        inputs[i].withUnsafeBufferPointer {
                            staging.load(from: $0.baseAddress!, time: g.time, firstRow: rows.lowerBound, steps: k,
                                         count: min(staging.chunk, g.time - k), goBackwards: g.goBackwards)
                        }
                    }
                    let slice = sliceBuffer(&x, i, shapes: sliceShapes)
                    copyElements(from: staging.slot(j), to: slice, count: b * staging.width)
                }
            }
            var (outputs, stepStructure, newStates) = try step(x, states, shardConstants)
            // Checked without closures: a closure here would copy `self` (and retain its fields) every step.
            do { try Self.checkStates(newStates, against: states) } catch { throw inShard(b, error) }
            if k == 0 {
                do { trailing = try Self.checkFirstOutputs(outputs, rows: b, masked: mask != nil) } catch { throw inShard(b, error) }
                structure = stepStructure
                (outputBuffers, lastBuffers) = try sink.outputBuffers(trailing: trailing, structure: structure)
                if !g.timeMajor && g.returnAllOutputs {
                    outputStaging = trailing.map { StepStaging(rows: b, width: $0.reduce(1, *), time: g.time) }
                }
                previous = trailing.map { Tensor(zeros: [b] + $0) }
            } else {
                do {
                    try Self.checkOutputs(outputs, structure: stepStructure, expected: structure, trailing: trailing, rows: b)
                } catch { throw inShard(b, error) }
            }
            if let mask, mask.validCount(rows: rows, step: k) < b {
                select(&outputs, &newStates, previous: previous, old: states, mask: mask, rows: rows, step: k)
            }
            states = newStates
            if g.returnAllOutputs {
                for i in outputs.indices {  // by index: no copies of the tensors
                    if g.timeMajor {
                        write(outputs[i], into: outputBuffers[i], rows: rows, step: k)
                    } else {
                        let staging = outputStaging[i], j = k % staging.chunk
                        copyElements(from: outputs[i].storage.base, to: staging.slot(j), count: outputs[i].scalarCount)
                        if j == staging.chunk - 1 || k == g.time - 1 {
                            staging.store(to: outputBuffers[i], steps: g.time, firstRow: rows.lowerBound, from: k - j, count: j + 1)
                        }
                    }
                }
            }
            previous = outputs
        }
        for (i, out) in previous.enumerated() {
            let w = out.rowWidth
            out.withUnsafeBufferPointer { (lastBuffers[i] + rows.lowerBound * w).update(from: $0.baseAddress!, count: b * w) }
        }
        for (j, state) in states.enumerated() {
            let w = state.rowWidth
            state.withUnsafeBufferPointer { (sink.states[j].base + rows.lowerBound * w).update(from: $0.baseAddress!, count: b * w) }
        }
    }

    /// The buffer for input leaf i's step slice: the previous step's tensor when the step kept no reference to it
    /// (the usual case), else a new one, so a slice the step kept (e.g. returned) is never overwritten.
    /// `shapes[i]` is read only when a tensor is made (reading it every step would retain it).
    private func sliceBuffer(_ x: inout [Tensor<S>], _ i: Int, shapes: [[Int]]) -> UnsafeMutablePointer<S> {
        if i == x.count {
            x.append(Tensor(uninitializedShape: shapes[i]))
        } else if !isKnownUniquelyReferenced(&x[i].storage) {
            x[i] = Tensor(uninitializedShape: shapes[i])
        }
        return x[i].storage.base
    }

    /// Replaces the rows masked at step k: outputs by the previous emitted output (or zeros), states by the old ones.
    private func select(_ outputs: inout [Tensor<S>], _ newStates: inout [Tensor<S>], previous: [Tensor<S>],
                        old: [Tensor<S>], mask: SequenceMask, rows: Range<Int>, step k: Int) {
        let zero = geometry.zeroOutputForMask
        for i in outputs.indices {
            let w = outputs[i].rowWidth
            previous[i].withUnsafeBufferPointer { p in
                outputs[i].withUnsafeMutableBufferPointer { o in
                    for (r, b) in rows.enumerated() where !mask.isValid(row: b, step: k) {
                        MaskCarry.emitOutput(valid: false, raw: o.baseAddress! + r * w, previous: p.baseAddress! + r * w,
                                             zeroOutputForMask: zero, into: o.baseAddress! + r * w, count: w)
                    }
                }
            }
        }
        for j in newStates.indices {
            let w = newStates[j].rowWidth
            old[j].withUnsafeBufferPointer { s in
                newStates[j].withUnsafeMutableBufferPointer { n in
                    for (r, b) in rows.enumerated() where !mask.isValid(row: b, step: k) {
                        MaskCarry.carryState(valid: false, new: n.baseAddress! + r * w, old: s.baseAddress! + r * w,
                                             into: n.baseAddress! + r * w, count: w)
                    }
                }
            }
        }
    }

    /// Time-major: the shard's rows of step k are one contiguous run.
    private func write(_ out: Tensor<S>, into buffer: UnsafeMutablePointer<S>, rows: Range<Int>, step k: Int) {
        let g = geometry
        let w = out.rowWidth
        out.withUnsafeBufferPointer { src in
            copyElements(from: src.baseAddress!, to: buffer + g.offset(row: rows.lowerBound, step: k, steps: g.time, width: w),
                         count: rows.count * w)
        }
    }

    /// A shape error of the step's results, naming the shard's rows when they are not the whole batch (the step
    /// saw, and must return, `[b, …]` for the shard's b rows, not the caller's B).
    private func inShard(_ b: Int, _ error: RNNError) -> RNNError {
        guard b != geometry.batch else { return error }
        let shard = "(the step ran on a shard of \(b) of the batch's \(geometry.batch) rows)"
        switch error {
        case let .stepResultShape(argument, expected, actual):
            return .stepResultShape(argument: "\(argument) \(shard)", expected: expected, actual: actual)
        case let .rank(argument, shape, minimum):
            return .rank(argument: "\(argument) \(shard)", shape: shape, minimum: minimum)
        default: return error
        }
    }

    private static func checkStates(_ new: [Tensor<S>], against old: [Tensor<S>]) throws(RNNError) {
        guard new.count == old.count else {
            throw .stepResultCount(argument: "state tensors", expected: old.count, actual: new.count)
        }
        for j in new.indices where new[j].shape != old[j].shape {  // by index: no copies of the tensors
            throw .stepResultShape(argument: old.count == 1 ? "new state" : "new state leaf \(j)", expected: old[j].shape,
                                   actual: new[j].shape)
        }
    }

    /// Output leaves must be `[b, ...]` (rank ≥ 2 when masked); returns their per-row shapes.
    private static func checkFirstOutputs(_ outputs: [Tensor<S>], rows b: Int, masked: Bool) throws(RNNError) -> [[Int]] {
        var trailing: [[Int]] = []
        for (i, out) in outputs.enumerated() {
            let name = outputs.count == 1 ? "step output" : "step output leaf \(i)"
            guard out.rank >= 1, out.shape[0] == b else {
                throw .stepResultShape(argument: name, expected: [b] + out.shape.dropFirst(), actual: out.shape)
            }
            if masked && out.rank < 2 { throw .rank(argument: name + " (masked)", shape: out.shape, minimum: 2) }
            trailing.append(Array(out.shape.dropFirst()))
        }
        return trailing
    }

    private static func checkOutputs(_ outputs: [Tensor<S>], structure: Nest<Int>?, expected: Nest<Int>?,
                              trailing: [[Int]], rows b: Int) throws(RNNError) {
        if structure != expected {
            throw .structureMismatch(argument: "step output", expected: expected?.structureDescription ?? "*",
                                     actual: structure?.structureDescription ?? "*")
        }
        guard outputs.count == trailing.count else {
            throw .stepResultCount(argument: "output tensors", expected: trailing.count, actual: outputs.count)
        }
        for i in outputs.indices {  // by index: no copies of the tensors
            let shape = outputs[i].shape
            if shape.count != trailing[i].count + 1 || shape[0] != b || !shape.dropFirst().elementsEqual(trailing[i]) {
                throw .stepResultShape(argument: outputs.count == 1 ? "step output" : "step output leaf \(i)",
                                       expected: [b] + trailing[i], actual: shape)
            }
        }
    }
}
