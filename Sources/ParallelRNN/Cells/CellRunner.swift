import _ParallelRNNKernels

/// Validation, planning (length-aware when every row's valid steps are one run at the start or at the end) and
/// execution shared by the three cells.
enum CellRunner {
    static func run<Math: CellMath>(
        _ math: Math, cellName: String, inputs: Tensor<Float>, mask: Tensor<Bool>?, initialStates: [Tensor<Float>]?,
        goBackwards: Bool, timeMajor: Bool, zeroOutputForMask: Bool, returnAllOutputs: Bool, execution: Execution,
        lengthAware: Bool = true, projectionBudget: Int = FusedCellKernel<Math>.defaultProjectionBudget,
        transposedShards: TransposedShards = .preferred
    ) throws -> RNNResult<Float> {
        let u = math.units
        let names = math.stateCount == 2 ? ["h", "c"] : ["h"]
        let (batch, time) = try dimensions(math, cellName: cellName, inputs: inputs, timeMajor: timeMajor)
        // Everything a call allocates, the outputs [B, T, U] included, before anything is allocated.
        try checkCallMemory(math, batch: batch, outputSteps: returnAllOutputs ? time : 1,
                            zeroStates: initialStates == nil, argument: "inputs \(inputs.shape) with U=\(u)")
        let states = initialStates ?? names.map { _ in Tensor(zeros: [batch, u]) }
        guard states.count == math.stateCount else {
            throw RNNError.invalidArgument(argument: "initialStates", reason: "\(cellName) needs \(math.stateCount) states \(names) but \(states.count) were given")
        }
        for (j, s) in states.enumerated() where s.shape != [batch, u] {
            throw RNNError.weightShape(argument: "initialStates[\(j)] (\(names[j]))", shape: s.shape, expected: "[\(batch), \(u)] (B, U)")
        }
        let (geometry, sequenceMask) = try LoopValidation.validate(
            inputs: [inputs], inputName: { _ in "inputs" }, states: states, stateName: { "initialStates[\($0)]" },
            mask: mask, inputLength: nil, timeMajor: timeMajor, goBackwards: goBackwards,
            zeroOutputForMask: zeroOutputForMask, returnAllOutputs: returnAllOutputs, execution: execution)

        // A parked pool thread makes a second shard cheap: small calls split then (and start one otherwise).
        let (plan, order, validSteps, validAtEnd, primes) = try makePlan(
            math, batch: batch, time: time, mask: sequenceMask, execution: execution, lengthAware: lengthAware,
            transposedShards: transposedShards, warm: ParkedWorkers.parkedNow > 0)
        if primes { ParkedWorkers.prime() }

        let sink = ResultSink<Float>(geometry: geometry, stateShapes: states.map(\.shape))
        let (outputs, last) = try sink.outputBuffers(trailing: [[u]], structure: nil)
        var kernel = FusedCellKernel(
            math: math, inputs: inputs, initialStates: states, geometry: geometry, mask: sequenceMask,
            order: order, validSteps: validSteps, validAtEnd: validAtEnd, outputs: outputs[0], lastOutput: last[0],
            states: sink.states.map(\.base), projectionBudget: projectionBudget)
        kernel.transposedShards = transposedShards
        if batch > 0 { try Engine.run(kernel, plan: plan) }
        let r = sink.finish()
        return RNNResult(lastOutput: r.lastOutputs[0], outputs: r.outputs[0], newStates: r.states)
    }

    /// `(B, T)` of `inputs` `[B, T, I]` (`[T, B, I]` time-major), after the checks every call makes first: rank 3,
    /// the kernel's I, T ≥ 1, and B and the widest row within the kernels' 32-bit sizes.
    static func dimensions<Math: CellMath>(_ math: Math, cellName: String, inputs: Tensor<Float>,
                                           timeMajor: Bool) throws(RNNError) -> (batch: Int, time: Int) {
        let u = math.units
        if inputs.rank < 3 { throw .rank(argument: "inputs", shape: inputs.shape, minimum: 3) }
        if inputs.rank > 3 || inputs.shape[2] != math.inputSize {
            let layout = timeMajor ? "[T, B, \(math.inputSize)]" : "[B, T, \(math.inputSize)]"
            throw .weightShape(argument: "inputs", shape: inputs.shape, expected: "\(layout) for \(cellName) with kernel rows I=\(math.inputSize)")
        }
        let batch = timeMajor ? inputs.shape[1] : inputs.shape[0]
        // The kernels take 32-bit strides: projection rows are G floats apart, input and output rows I and U
        // (time-major) or T·I and T·U (batch-major).
        let time = timeMajor ? inputs.shape[0] : inputs.shape[1]
        // Before anything is sized by B or T: zero-size inputs may have any other dimension.
        if time == 0 { throw .noTimeSteps(argument: "inputs", shape: inputs.shape) }
        guard batch <= Int(Int32.max) else {  // zero-size inputs (I = 0) can have this many rows
            throw .invalidArgument(argument: "inputs", reason: "shape \(inputs.shape): B = \(batch) rows exceed the fused kernels' 32-bit row counts (at most \(Int32.max))")
        }
        let (row, rowOverflow) = (timeMajor ? 1 : time).multipliedReportingOverflow(by: max(math.inputSize, u))
        let widestRow = rowOverflow ? Int.max : max(math.gateWidth, row)
        guard widestRow <= Int(Int32.max) else {
            throw .invalidArgument(argument: "inputs", reason: "shape \(inputs.shape) with U=\(u): a row of \(rowOverflow ? "more than \(Int.max)" : "\(widestRow)") floats exceeds the fused kernels' 32-bit strides (at most \(Int32.max)); use timeMajor or shorter sequences")
        }
        return (batch, time)
    }

    /// The plan `run` makes for these arguments (shard count and pinning, for reports: the bench CLI prints them).
    /// Inputs and mask are checked as `run` checks them (not the memory the call would allocate).
    static func shardPlan<Math: CellMath>(_ math: Math, cellName: String, inputs: Tensor<Float>, mask: Tensor<Bool>?,
                                          goBackwards: Bool, timeMajor: Bool, execution: Execution,
                                          warm: Bool = false) throws -> ShardPlan {
        let (batch, time) = try dimensions(math, cellName: cellName, inputs: inputs, timeMajor: timeMajor)
        let (_, sequenceMask) = try LoopValidation.validate(
            inputs: [inputs], inputName: { _ in "inputs" }, states: [], stateName: { "initialStates[\($0)]" },
            mask: mask, inputLength: nil, timeMajor: timeMajor, goBackwards: goBackwards, zeroOutputForMask: false,
            returnAllOutputs: true, execution: execution)
        return try makePlan(math, batch: batch, time: time, mask: sequenceMask, execution: execution, lengthAware: true,
                            transposedShards: .preferred, warm: warm).plan
    }

    /// The call's shards: length-aware (rows sorted by valid steps, `order` and `validSteps` in that order) when every
    /// row's valid steps are one run at the start, or one at the end (`validAtEnd`), of the processing order; else the
    /// engine's plan. `.automatic` runs a call that ``CellCost`` estimates under twice ``Engine/minimumSecondsPerShard``
    /// as one shard. `coreCount`: the cores `.automatic` may use (tests pass their own).
    /// `warm`: a pool thread is parked (``Engine/shardCap(estimatedSeconds:warm:)``); `primes`: the call runs whole
    /// but would split with one parked.
    static func makePlan<Math: CellMath>(
        _ math: Math, batch: Int, time: Int, mask: SequenceMask?, execution: Execution, lengthAware: Bool,
        transposedShards: TransposedShards, coreCount: Int? = nil, warm: Bool = false
    ) throws(RNNError) -> (plan: ShardPlan, order: [Int]?, validSteps: [Int]?, validAtEnd: Bool, primes: Bool) {
        let cores = coreCount ?? Engine.coreCount(execution)
        func primes(_ seconds: Double) -> Bool {
            !warm && batch > 1 && Engine.primesParkedThread(estimatedSeconds: seconds, execution: execution, cores: cores)
        }
        if lengthAware, let m = mask, let (lengths, atEnd) = lengthAwareLengths(m, batch: batch) {
            let sorted = (0..<batch).sorted { lengths[$0] != lengths[$1] ? lengths[$0] > lengths[$1] : $0 < $1 }
            let validSteps = sorted.map { lengths[$0] }
            // Each shard stops after its longest row's valid steps.
            let seconds = CellCost.serialSeconds(math, steps: validSteps.first ?? 0,
                                                 rowSteps: lengths.reduce(0) { $0 + Double($1) })
            let plan = try ShardPlan.make(work: validSteps, execution: execution, coreCount: cores,
                                          minimumRowsPerShard: Engine.minimumRowsPerCellShard,
                                          maximumShards: Engine.shardCap(estimatedSeconds: seconds, warm: warm))
            return (plan, sorted, validSteps, atEnd, primes(seconds))
        }
        // Unmasked shards of the transposed path's sizes run faster: the scheduler keeps such an even split while
        // that gain outweighs the cores' speed difference.
        let fast = mask == nil && math.transposed != nil && transposedShards == .preferred
        let seconds = CellCost.serialSeconds(math, steps: time, rowSteps: Double(batch) * Double(time))
        let plan = try Engine.plan(rows: batch, execution: execution, minimumRows: Engine.minimumRowsPerCellShard,
                                   coreCount: cores,
                                   fastGain: fast ? { [k = Int32(clamping: math.stepOperandRows)] in
                                       prnn_sgemm_t_gain_shape(Int32(clamping: $0), k) } : nil,
                                   estimatedSeconds: seconds, warm: warm)
        return (plan, nil, nil, false, primes(seconds))
    }

    /// Throws unless what a call allocates fits in Int and in the memory this process may use: per batch row, the
    /// output rows, the last output, the result states and (without initial states) zero states, and the shards' workspace (one
    /// step's projections at least, an input row, five state rows and the gate kernels' scratch). The outputs alone
    /// are a fraction of that when they are short (`returnAllOutputs` false, or T = 1).
    static func checkCallMemory<Math: CellMath>(_ math: Math, batch: Int, outputSteps: Int, zeroStates: Bool,
                                                argument: @autoclosure () -> String) throws(RNNError) {
        let u = math.units, states = math.stateCount
        // A row's outputs may overflow (T of a zero-size input is unbounded); the other widths are 32-bit. The row is
        // sized before B multiplies it, so that B = 0 does not hide an overflow.
        let (outputFloats, o0) = outputSteps.multipliedReportingOverflow(by: u)
        let (rowFloats, o1) = outputFloats.addingReportingOverflow(
            u + (zeroStates ? 2 : 1) * states * u + math.gateWidth + math.inputSize + 5 * u + math.scratchCount(rows: 1))
        let (rowBytes, o2) = rowFloats.multipliedReportingOverflow(by: MemoryLayout<Float>.size)
        let (bytes, o3) = batch.multipliedReportingOverflow(by: rowBytes)
        let overflow = o0 || o1 || o2 || o3, memory = MemoryLimit.bytes
        guard !overflow, UInt64(bytes) <= memory else {
            throw .invalidArgument(argument: argument(), reason: "the call would allocate \(overflow ? "more than \(Int.max) bytes" : "\(bytes >> 20) MiB") (outputs, states and workspace: \(rowFloats) floats per batch row), more than the \(memory >> 20) MiB of memory this process may use")
        }
    }

    /// Each row's number of valid steps, when every row's valid steps are one run at the start of the processing
    /// order (right padding; left padding with `goBackwards`), else when every row's are one run at its end
    /// (`atEnd`: left padding; right padding with `goBackwards`, the backward half of a Bidirectional layer); nil
    /// for any other mask. Rows all valid or all masked fit both.
    static func lengthAwareLengths(_ mask: SequenceMask, batch: Int) -> (lengths: [Int], atEnd: Bool)? {
        if let lengths = runLengths(mask, batch: batch, atEnd: false) { return (lengths, false) }
        if let lengths = runLengths(mask, batch: batch, atEnd: true) { return (lengths, true) }
        return nil
    }

    private static func runLengths(_ mask: SequenceMask, batch: Int, atEnd: Bool) -> [Int]? {
        let t = mask.time
        var lengths = [Int](repeating: 0, count: batch)
        for b in 0..<batch {
            // The i-th step counted from the end of the row where the run must sit (its start, or its end).
            func valid(_ i: Int) -> Bool { mask.isValid(row: b, step: atEnd ? t - 1 - i : i) }
            var k = 0
            while k < t && valid(k) { k += 1 }
            lengths[b] = k
            for rest in k..<t where valid(rest) { return nil }
        }
        return lengths
    }
}
