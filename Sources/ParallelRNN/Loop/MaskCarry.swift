/// The Keras masking carries (semantics §6.1), in one place for the generic step and the fused cells.
///
/// Selection, never blending: a value computed on a masked step is never read, so NaN/inf there cannot leak.
enum MaskCarry {
    /// Emitted output of one row: `raw` when valid; otherwise zeros with `zeroOutputForMask`, else the previous
    /// emitted output (zeros before the first valid step). Writes `count` elements to `into` (may alias `raw`).
    @inline(__always)
    static func emitOutput<S: TensorScalar>(
        valid: Bool, raw: UnsafePointer<S>, previous: UnsafePointer<S>, zeroOutputForMask: Bool,
        into dst: UnsafeMutablePointer<S>, count: Int
    ) {
        if valid {
            if UnsafePointer(dst) != raw { dst.update(from: raw, count: count) }
        } else if zeroOutputForMask {
            dst.update(repeating: S.tensorZero, count: count)
        } else if UnsafePointer(dst) != previous {
            dst.update(from: previous, count: count)
        }
    }

    /// The emitted output of a row whose remaining steps are all masked (a prefix mask's end), fixed from then on:
    /// zeros with `zeroOutputForMask`, else its last valid output `lastValid` (nil: it had none, so zeros). Its state
    /// needs nothing: masked steps carry it unchanged. Step by step, the same as ``emitOutput``.
    @inline(__always)
    static func retiredOutput<S: TensorScalar>(
        lastValid: UnsafePointer<S>?, zeroOutputForMask: Bool, into dst: UnsafeMutablePointer<S>, count: Int
    ) {
        if let lastValid, !zeroOutputForMask {
            dst.update(from: lastValid, count: count)
        } else {
            dst.update(repeating: S.tensorZero, count: count)
        }
    }

    /// Carried state of one row: the step's `new` state when valid, else the `old` one. Never zeroed.
    @inline(__always)
    static func carryState<S: TensorScalar>(
        valid: Bool, new: UnsafePointer<S>, old: UnsafePointer<S>, into dst: UnsafeMutablePointer<S>, count: Int
    ) {
        let src = valid ? new : old
        if UnsafePointer(dst) != src { dst.update(from: src, count: count) }
    }
}
