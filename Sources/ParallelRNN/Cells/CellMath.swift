import _ParallelRNNKernels

/// The arithmetic of one Keras cell, shared by the fused shard kernel and the cell's `stepFunction`, so the two
/// paths are bitwise identical. Works on `n` contiguous rows; every operation is per row and per element, in
/// tf_keras's order and association: `x·W` and `h·U` are separate products (each an FMA chain from zero), summed as
/// Keras sums them — LSTM `(x·W + h·U) + b` (h·U added onto the hoisted x·W by the GEMM, `PackedMatrix.add`),
/// SimpleRNN `(x·W + b) + h·U`, GRU as its gates say. Per step: the recurrent GEMM(s), then one fused gate kernel
/// call (`prnn_cells.h`) for all `n` rows.
protocol CellMath: Sendable {
    /// U.
    var units: Int { get }
    /// I.
    var inputSize: Int { get }
    /// 1 (`[h]`) or 2 (`[h, c]`).
    var stateCount: Int { get }
    /// The input kernel `[I, G]`, packed: `x·W` for all steps is computed before the time loop.
    var inputWeights: PackedMatrix { get }
    /// Scratch floats `step` needs for `n` rows.
    func scratchCount(rows n: Int) -> Int
    /// One time step for `n` rows: `projected` holds each row's `x_t·W` (`[n, G]`, row stride `ldp`) and is consumed
    /// (the cell may overwrite it); `h` is `[n, U]` with row stride `ldh`, `c` `[n, U]`; writes the new `h`
    /// (`[n, U]`, row stride `ldNewH`: the fused kernel passes the output sequence's rows) and `c` (`[n, U]`), not
    /// aliasing the inputs.
    func step(rows n: Int, projected: UnsafeMutablePointer<Float>, ldp: Int,
              h: UnsafePointer<Float>, ldh: Int, c: UnsafePointer<Float>?,
              scratch: UnsafeMutablePointer<Float>,
              newH: UnsafeMutablePointer<Float>, ldNewH: Int, newC: UnsafeMutablePointer<Float>?)
    /// The kernels packed for transposed steps (`stepTransposed`), or nil when the cell has none.
    var transposed: TransposedWeights? { get }
    /// One time step on transposed data (the batch in the vector lanes, n a multiple of 16): `z [G, n]` (rows `ldz`
    /// apart) holds the product of the step's operand and is consumed — `x_t·W + h·U` with `kernels` (this cell's
    /// `transposed`, borrowed for the loop) `.stacked` (LSTM: only the gates are left), `x_t·W` with `.separate`
    /// (GRU, SimpleRNN: their recurrent products follow here); `h`, `c`, `newH`, `newC` are
    /// `[U]` rows of 16 lanes per 16 batch rows (`prnn_pack_rows_t`'s layout), `newH`'s panels `ldNewH` floats apart
    /// (`16·U`, or `16·(I + U)` when they are the h rows of the next step's stacked operand); `scratch` holds
    /// `scratchCount(rows: n)` floats. The same operations per element as `step`: the same bits.
    func stepTransposed(_ kernels: TransposedProducts, batch n: Int, z: UnsafeMutablePointer<Float>, ldz: Int,
                        h: UnsafePointer<Float>, c: UnsafePointer<Float>?, scratch: UnsafeMutablePointer<Float>,
                        newH: UnsafeMutablePointer<Float>, ldNewH: Int, newC: UnsafeMutablePointer<Float>?)
}

extension CellMath {
    /// G: columns of the input projection.
    var gateWidth: Int { inputWeights.columns }
}

/// tf_keras LSTM (implementation 2): `z = (x·W + h·U) + b`; gates i, f, c, o; `c' = f·c + i·act(z_c)`,
/// `h' = o·act(c')`.
struct LSTMMath: CellMath {
    let units: Int
    let inputSize: Int
    let inputWeights: PackedMatrix
    let recurrentWeights: PackedMatrix
    let bias: TensorStorage<Float>?
    let activation: Activation
    let recurrentActivation: Activation
    var transposed: TransposedWeights?
    var stateCount: Int { 2 }

    func scratchCount(rows n: Int) -> Int { 0 }

    func stepTransposed(_ kernels: TransposedProducts, batch n: Int, z: UnsafeMutablePointer<Float>, ldz: Int,
                        h: UnsafePointer<Float>, c: UnsafePointer<Float>?, scratch: UnsafeMutablePointer<Float>,
                        newH: UnsafeMutablePointer<Float>, ldNewH: Int, newC: UnsafeMutablePointer<Float>?) {
        // z = x_t·W + h·U already (stacked weights, split product): the gates only.
        prnn_lstm_gates_t_f32(Int32(units), Int32(n), z, Int32(ldz), bias?.base, c!, newC!, newH, Int32(ldNewH),
                              activation.kernel, recurrentActivation.kernel)
    }

    func step(rows n: Int, projected p: UnsafeMutablePointer<Float>, ldp: Int, h: UnsafePointer<Float>, ldh: Int,
              c: UnsafePointer<Float>?, scratch: UnsafeMutablePointer<Float>,
              newH: UnsafeMutablePointer<Float>, ldNewH: Int, newC: UnsafeMutablePointer<Float>?) {
        let u = units
        recurrentWeights.add(h, rows: n, lda: ldh, to: p, ldc: ldp)  // x·W + h·U [n, 4U]
        prnn_lstm_gates_f32(Int32(n), Int32(u), p, Int32(ldp), nil, bias?.base, c!, newC!, newH, Int32(ldNewH),
                            activation.kernel, recurrentActivation.kernel)
    }
}

/// tf_keras GRU (implementation 2), gates z, r, h. `resetAfter`: `hh = act(x_h + r·(h·U_h + b_rh))` with input and
/// recurrent biases; otherwise `hh = act(x_h + (r·h)·U_h)`. Then `h' = z·h + (1 − z)·hh`.
struct GRUMath: CellMath {
    let units: Int
    let inputSize: Int
    let inputWeights: PackedMatrix
    /// resetAfter: all of U `[U, 3U]`; otherwise U's z and r columns `[U, 2U]`.
    let recurrentWeights: PackedMatrix
    /// Without resetAfter: U's h columns `[U, U]`.
    let recurrentCandidateWeights: PackedMatrix?
    let inputBias: TensorStorage<Float>?
    /// resetAfter only.
    let recurrentBias: TensorStorage<Float>?
    let resetAfter: Bool
    let activation: Activation
    let recurrentActivation: Activation
    var transposed: TransposedWeights?
    var stateCount: Int { 1 }

    func stepTransposed(_ kernels: TransposedProducts, batch n: Int, z: UnsafeMutablePointer<Float>, ldz: Int,
                        h: UnsafePointer<Float>, c: UnsafePointer<Float>?, scratch: UnsafeMutablePointer<Float>,
                        newH: UnsafeMutablePointer<Float>, ldNewH: Int, newC: UnsafeMutablePointer<Float>?) {
        guard case .separate(_, let recurrent, let candidate) = kernels else {
            preconditionFailure("GRU's transposed weights are separate")
        }
        precondition(ldNewH == 16 * units, "GRU's h panels are its own")
        let u = units, inner = scratch
        if resetAfter {
            recurrent.multiply(panels: h, batch: n, into: inner, ldc: n, accumulate: false)  // [3U, n]
            prnn_gru_gates_reset_after_t_f32(Int32(u), Int32(n), z, Int32(ldz), inner, Int32(n), inputBias?.base,
                                             recurrentBias?.base, h, newH, activation.kernel, recurrentActivation.kernel)
            return
        }
        let zGate = inner + 2 * u * n, rh = zGate + u * n, recurrentH = rh + u * n
        recurrent.multiply(panels: h, batch: n, into: inner, ldc: n, accumulate: false)  // [2U, n]
        prnn_gru_gates_phase1_t_f32(Int32(u), Int32(n), z, Int32(ldz), inner, Int32(n), inputBias?.base, h, zGate, rh,
                                    recurrentActivation.kernel)
        candidate!.multiply(panels: rh, batch: n, into: recurrentH, ldc: n, accumulate: false)  // [U, n]
        prnn_gru_gates_phase2_t_f32(Int32(u), Int32(n), z, Int32(ldz), recurrentH, Int32(n), inputBias?.base, h, zGate,
                                    newH, activation.kernel)
    }

    /// resetAfter: h·U `[n, 3U]`; otherwise h·U_zr `[n, 2U]`, z, r·h and (r·h)·U_h `[n, U]` each.
    func scratchCount(rows n: Int) -> Int { n * (resetAfter ? 3 : 5) * units }

    func step(rows n: Int, projected p: UnsafeMutablePointer<Float>, ldp: Int, h: UnsafePointer<Float>, ldh: Int,
              c: UnsafePointer<Float>?, scratch: UnsafeMutablePointer<Float>,
              newH: UnsafeMutablePointer<Float>, ldNewH: Int, newC: UnsafeMutablePointer<Float>?) {
        let u = units, inner = scratch
        if resetAfter {
            recurrentWeights.multiply(h, rows: n, lda: ldh, into: inner, ldc: 3 * u)
            prnn_gru_gates_reset_after_f32(Int32(n), Int32(u), p, Int32(ldp), inner, inputBias?.base,
                                           recurrentBias?.base, h, Int32(ldh), newH, Int32(ldNewH),
                                           activation.kernel, recurrentActivation.kernel)
            return
        }
        let zGate = inner + n * 2 * u, rh = zGate + n * u, recurrentH = rh + n * u
        recurrentWeights.multiply(h, rows: n, lda: ldh, into: inner, ldc: 2 * u)
        prnn_gru_gates_phase1_f32(Int32(n), Int32(u), p, Int32(ldp), inner, inputBias?.base, h, Int32(ldh), zGate, rh,
                                  recurrentActivation.kernel)
        recurrentCandidateWeights!.multiply(rh, rows: n, lda: u, into: recurrentH, ldc: u)
        prnn_gru_gates_phase2_f32(Int32(n), Int32(u), p, Int32(ldp), recurrentH, inputBias?.base, h, Int32(ldh),
                                  zGate, newH, Int32(ldNewH), activation.kernel)
    }
}

/// tf_keras SimpleRNN: `h' = act((x·W + b) + h·U)`.
struct SimpleRNNMath: CellMath {
    let units: Int
    let inputSize: Int
    let inputWeights: PackedMatrix
    let recurrentWeights: PackedMatrix
    let bias: TensorStorage<Float>?
    let activation: Activation
    var transposed: TransposedWeights?
    var stateCount: Int { 1 }

    /// h·U `[n, U]`.
    func scratchCount(rows n: Int) -> Int { n * units }

    func stepTransposed(_ kernels: TransposedProducts, batch n: Int, z: UnsafeMutablePointer<Float>, ldz: Int,
                        h: UnsafePointer<Float>, c: UnsafePointer<Float>?, scratch: UnsafeMutablePointer<Float>,
                        newH: UnsafeMutablePointer<Float>, ldNewH: Int, newC: UnsafeMutablePointer<Float>?) {
        guard case .separate(_, let recurrent, _) = kernels else {
            preconditionFailure("SimpleRNN's transposed weights are separate")
        }
        precondition(ldNewH == 16 * units, "SimpleRNN's h panels are its own")
        recurrent.multiply(panels: h, batch: n, into: scratch, ldc: n, accumulate: false)  // [U, n]
        prnn_simple_rnn_t_f32(Int32(units), Int32(n), z, Int32(ldz), scratch, Int32(n), bias?.base, newH,
                              Int32(ldNewH), activation.kernel)
    }

    func step(rows n: Int, projected p: UnsafeMutablePointer<Float>, ldp: Int, h: UnsafePointer<Float>, ldh: Int,
              c: UnsafePointer<Float>?, scratch: UnsafeMutablePointer<Float>,
              newH: UnsafeMutablePointer<Float>, ldNewH: Int, newC: UnsafeMutablePointer<Float>?) {
        let u = units, recurrent = scratch
        recurrentWeights.multiply(h, rows: n, lda: ldh, into: recurrent, ldc: u)  // [n, U]
        prnn_simple_rnn_f32(Int32(n), Int32(u), p, Int32(ldp), recurrent, bias?.base, newH, Int32(ldNewH),
                            activation.kernel)
    }
}

extension CellMath {
    /// I + U: the rows of a step's operand `[x_t; h]`, the K by which the transposed path is chosen for larger shards
    /// (`prnn_sgemm_t_preferred_shape`; an upper bound for the cells that multiply `x_t` and `h` apart).
    var stepOperandRows: Int { inputSize + units }
}
