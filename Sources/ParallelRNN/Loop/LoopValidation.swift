/// Validates one call's arguments up front (semantics §3 and Project decisions 4–6) and builds its frame.
/// Nothing a caller passes reaches a trap: every problem is an ``RNNError`` naming the argument and the shapes.
enum LoopValidation {
    static func validate<S: TensorScalar>(
        inputs: [Tensor<S>], inputName: (Int) -> String,
        states: [Tensor<S>], stateName: (Int) -> String,
        mask: Tensor<Bool>?, inputLength: InputLength?,
        timeMajor: Bool, goBackwards: Bool, zeroOutputForMask: Bool, returnAllOutputs: Bool,
        execution: Execution
    ) throws(RNNError) -> (LoopGeometry, SequenceMask?) {
        if case let .threads(n, _) = execution.mode, n <= 0 { throw .threadCount(n) }
        guard let first = inputs.first else { throw .noInputs }
        for (i, leaf) in inputs.enumerated() where leaf.rank < 3 {
            throw .rank(argument: inputName(i), shape: leaf.shape, minimum: 3)
        }
        let time = timeMajor ? first.shape[0] : first.shape[1]
        let batch = timeMajor ? first.shape[1] : first.shape[0]
        guard time > 0 else { throw .noTimeSteps(argument: inputName(0), shape: first.shape) }
        for (i, leaf) in inputs.enumerated().dropFirst() {
            let (t, b) = timeMajor ? (leaf.shape[0], leaf.shape[1]) : (leaf.shape[1], leaf.shape[0])
            if b != batch { throw .batchMismatch(argument: inputName(i), shape: leaf.shape, batch: batch) }
            if t != time { throw .timeMismatch(argument: inputName(i), shape: leaf.shape, time: time) }
        }
        let geometry = LoopGeometry(batch: batch, time: time, timeMajor: timeMajor, goBackwards: goBackwards,
                                    zeroOutputForMask: zeroOutputForMask, returnAllOutputs: returnAllOutputs)

        var sequenceMask: SequenceMask?
        if let mask {
            let expected = timeMajor ? [time, batch] : [batch, time]
            guard mask.shape == expected || mask.shape == expected + [1] else {
                throw .maskShape(shape: mask.shape, batch: batch, time: time, timeMajor: timeMajor)
            }
            sequenceMask = SequenceMask(mask: mask, geometry: geometry)
        }
        switch inputLength {
        case nil: break
        case let .fixed(n):
            guard n == time else { throw .inputLength(reason: "fixed length \(n) but inputs have T=\(time)") }
        case let .perSample(lengths):
            guard lengths.count == batch else {
                throw .inputLength(reason: "\(lengths.count) per-sample lengths but inputs have B=\(batch)")
            }
            if let bad = lengths.firstIndex(where: { $0 < 0 || $0 > time }) {
                throw .inputLength(reason: "lengths[\(bad)] = \(lengths[bad]) is outside 0...\(time) (T=\(time))")
            }
            // The lengths become a [B, T] mask of one byte per element (B·T fits: both are dimensions of the inputs).
            guard sequenceMask != nil || UInt64(batch * time) <= MemoryLimit.bytes else {
                throw .inputLength(reason: "per-sample lengths for B=\(batch), T=\(time) need a [B, T] mask of \((batch * time) >> 20) MiB, more than the \(MemoryLimit.bytes >> 20) MiB of memory this process may use")
            }
            if sequenceMask == nil { sequenceMask = SequenceMask(lengths: lengths, geometry: geometry) }
        }

        for (j, state) in states.enumerated() {
            guard state.rank >= 1 else { throw .rank(argument: stateName(j), shape: state.shape, minimum: 1) }
            if state.shape[0] != batch { throw .batchMismatch(argument: stateName(j), shape: state.shape, batch: batch) }
            if sequenceMask != nil && state.rank < 2 {
                throw .rank(argument: stateName(j) + " (masked)", shape: state.shape, minimum: 2)
            }
        }
        return (geometry, sequenceMask)
    }
}
