/// A fused call's estimated time on one core, from which `.automatic` runs small calls on the calling thread
/// (``Engine/shardCap(estimatedSeconds:)``). It assumes a rate below what the AVX-512 products reach (on the dev VM
/// it measured high by 1.3–1.7× for the three cells at I = U = 32 and the LSTM at w1's sizes, about right at
/// I = U = 4), so that where it errs it splits, as the engine did before; on a slower core (AVX2, portable) a call
/// estimated under the threshold may take somewhat longer than that.
enum CellCost {
    /// Per processing step, whatever the rows: packing `x_t`, the product and gate kernels' calls. With
    /// `flopsPerGateElement` it fits the LSTM with I = U = 4 on the dev VM's AVX-512 Xeon (serial: B 8, T 1000
    /// 0.42 ms, estimated 0.43; B 64, T 100 0.101 ms, estimated 0.103), where little else is left.
    static let secondsPerStep = 0.35e-6
    /// The gate math of one gate element, counted as this many FLOPs at the products' rate.
    static let flopsPerGateElement = 50.0
    /// The rate assumed for both: below the ≈ 150–180 GFLOP/s the AVX-512 products reach per core.
    static let flopsPerSecond = 100e9

    /// `steps` processing steps of `rowSteps` row-steps in all (B·T, or the valid steps when shards stop early; a
    /// `Double`, as B·T of a zero-size input may exceed `Int`):
    /// per row-step the two products' `2·G·(I + U)` FLOPs plus the gate math.
    static func serialSeconds<Math: CellMath>(_ math: Math, steps: Int, rowSteps: Double) -> Double {
        let g = Double(math.gateWidth)
        let perRowStep = 2 * g * Double(math.inputSize + math.units) + flopsPerGateElement * g
        return Double(steps) * secondsPerStep + rowSteps * perRowStep / flopsPerSecond
    }
}
