/// The arithmetic of one Keras cell, shared by the fused shard kernel and the cell's `stepFunction`, so the two
/// paths are bitwise identical. Works on `n` contiguous rows; every operation is per row and per element, in
/// tf_keras's order (e.g. LSTM `z = (x·W + h·U) + b`).
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
    /// One time step for `n` rows: `projected` holds each row's `x_t·W` (`[n, G]`, row stride `ldp`);
    /// `h`, `c` are `[n, U]`; writes the new `h` and `c` (`[n, U]`, not aliasing the inputs).
    func step(rows n: Int, projected: UnsafePointer<Float>, ldp: Int,
              h: UnsafePointer<Float>, c: UnsafePointer<Float>?,
              scratch: UnsafeMutablePointer<Float>,
              newH: UnsafeMutablePointer<Float>, newC: UnsafeMutablePointer<Float>?)
}

extension CellMath {
    /// G: columns of the input projection.
    var gateWidth: Int { inputWeights.columns }
}

/// tf_keras LSTM (implementation 2): `z = (x·W + h·U) + b`; gates i, f, c, o;
/// `c' = f·c + i·act(z_c)`, `h' = o·act(c')`.
struct LSTMMath: CellMath {
    let units: Int
    let inputSize: Int
    let inputWeights: PackedMatrix
    let recurrentWeights: PackedMatrix
    let bias: TensorStorage<Float>?
    let activation: Activation
    let recurrentActivation: Activation
    var stateCount: Int { 2 }

    func scratchCount(rows n: Int) -> Int { n * 4 * units }

    func step(rows n: Int, projected p: UnsafePointer<Float>, ldp: Int, h: UnsafePointer<Float>,
              c: UnsafePointer<Float>?, scratch z: UnsafeMutablePointer<Float>,
              newH: UnsafeMutablePointer<Float>, newC: UnsafeMutablePointer<Float>?) {
        let u = units, g = 4 * units
        let c = c!, newC = newC!
        recurrentWeights.multiply(h, rows: n, lda: u, into: z, ldc: g)
        for r in 0..<n {
            let zr = z + r * g, pr = p + r * ldp
            for j in 0..<g { zr[j] = pr[j] + zr[j] }
            if let b = bias?.base { for j in 0..<g { zr[j] = zr[j] + b[j] } }
            recurrentActivation.apply(zr, zr, 2 * u)
            activation.apply(zr + 2 * u, zr + 2 * u, u)
            recurrentActivation.apply(zr + 3 * u, zr + 3 * u, u)
            let cr = c + r * u, ncr = newC + r * u, nhr = newH + r * u
            for j in 0..<u { ncr[j] = zr[u + j] * cr[j] + zr[j] * zr[2 * u + j] }
            activation.apply(ncr, nhr, u)
            for j in 0..<u { nhr[j] = zr[3 * u + j] * nhr[j] }
        }
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
    var stateCount: Int { 1 }

    func scratchCount(rows n: Int) -> Int { n * 8 * units }

    func step(rows n: Int, projected p: UnsafePointer<Float>, ldp: Int, h: UnsafePointer<Float>,
              c: UnsafePointer<Float>?, scratch: UnsafeMutablePointer<Float>,
              newH: UnsafeMutablePointer<Float>, newC: UnsafeMutablePointer<Float>?) {
        let u = units, g = 3 * units
        let inner = scratch  // [n, 3U] (resetAfter) or [n, 2U]
        let x = scratch + n * g  // [n, 3U]: x·W + b
        let rh = x + n * g  // [n, U]: r·h, then (r·h)·U_h
        let recurrentH = rh + n * u
        let innerWidth = resetAfter ? g : 2 * u
        recurrentWeights.multiply(h, rows: n, lda: u, into: inner, ldc: innerWidth)
        for r in 0..<n {
            let xr = x + r * g, pr = p + r * ldp, ir = inner + r * innerWidth, hr = h + r * u
            if let b = inputBias?.base { for j in 0..<g { xr[j] = pr[j] + b[j] } } else { xr.update(from: pr, count: g) }
            if let b = recurrentBias?.base { for j in 0..<g { ir[j] = ir[j] + b[j] } }
            for j in 0..<(2 * u) { ir[j] = xr[j] + ir[j] }
            recurrentActivation.apply(ir, ir, 2 * u)
            if !resetAfter { for j in 0..<u { rh[r * u + j] = ir[u + j] * hr[j] } }
        }
        if !resetAfter { recurrentCandidateWeights!.multiply(rh, rows: n, lda: u, into: recurrentH, ldc: u) }
        for r in 0..<n {
            let xr = x + r * g, ir = inner + r * innerWidth, hr = h + r * u, nhr = newH + r * u
            if resetAfter {
                for j in 0..<u { nhr[j] = xr[2 * u + j] + ir[u + j] * ir[2 * u + j] }
            } else {
                let rhr = recurrentH + r * u
                for j in 0..<u { nhr[j] = xr[2 * u + j] + rhr[j] }
            }
            activation.apply(nhr, nhr, u)
            for j in 0..<u { nhr[j] = ir[j] * hr[j] + (1 - ir[j]) * nhr[j] }
        }
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
    var stateCount: Int { 1 }

    func scratchCount(rows n: Int) -> Int { n * units }

    func step(rows n: Int, projected p: UnsafePointer<Float>, ldp: Int, h: UnsafePointer<Float>,
              c: UnsafePointer<Float>?, scratch: UnsafeMutablePointer<Float>,
              newH: UnsafeMutablePointer<Float>, newC: UnsafeMutablePointer<Float>?) {
        let u = units
        recurrentWeights.multiply(h, rows: n, lda: u, into: scratch, ldc: u)
        for r in 0..<n {
            let pr = p + r * ldp, sr = scratch + r * u, nhr = newH + r * u
            if let b = bias?.base { for j in 0..<u { nhr[j] = (pr[j] + b[j]) + sr[j] } } else {
                for j in 0..<u { nhr[j] = pr[j] + sr[j] }
            }
            activation.apply(nhr, nhr, u)
        }
    }
}
