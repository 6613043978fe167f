import ArgumentParser
import ParallelRNN

/// The cell a benchmark workload runs.
enum CellKind: String, ExpressibleByArgument, CaseIterable, Sendable {
    case lstm, gru, simple, generic

    /// Gate blocks of the weights' columns: LSTM 4, GRU 3, SimpleRNN and generic 1.
    var gateCount: Int {
        switch self {
        case .lstm: return 4
        case .gru: return 3
        case .simple, .generic: return 1
        }
    }

    /// FLOPs of one sample-step (one row, one time step): both matrix products of the cell, pointwise ignored.
    /// LSTM 2·4U·(I+U), GRU 2·3U·(I+U), SimpleRNN 2·U·(I+U), generic `tanh(x + h·W)` 2·U·U.
    func flopsPerSampleStep(input: Int, units: Int) -> Double {
        let (i, u) = (Double(input), Double(units))
        switch self {
        case .lstm: return 2 * 4 * u * (i + u)
        case .gru: return 2 * 3 * u * (i + u)
        case .simple: return 2 * u * (i + u)
        case .generic: return 2 * u * u
        }
    }
}

/// Which time steps of each sample are valid (right-padded masks).
enum LengthsKind: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// No mask: every step is valid.
    case full
    /// Seeded uniform lengths in 1...T.
    case random
    /// Length of sample b = 1 + (37·b + 11) mod T (workload w3).
    case prefixFormula = "prefix-formula"
}

/// A benchmark workload: cell, shapes, mask and direction. Data is float32, inputs standard normal (seeded),
/// weights standard normal × 0.1.
struct WorkloadSpec: Sendable, Equatable {
    var name: String
    var cell: CellKind
    var batch: Int
    var time: Int
    var input: Int
    var units: Int
    var lengths: LengthsKind
    var goBackwards = false
    var resetAfter = true
    /// The cell's activations (Keras's defaults; the generic step is always tanh).
    var activation = Activation.tanh
    var recurrentActivation = Activation.sigmoid
    /// Inputs and mask fed time-major (`[T, B, I]`, Keras `time_major`), transposed before timing; the same data.
    var timeMajor = false
    var seed: UInt64 = 42
    /// Whether options changed the preset.
    var modified = false

    /// The preset workloads w1–w5 (the project's API specification lists them; `bench --help` shows them).
    static let presets: [String: WorkloadSpec] = [
        "w1": WorkloadSpec(name: "w1", cell: .lstm, batch: 64, time: 100, input: 128, units: 256, lengths: .full),
        "w2": WorkloadSpec(name: "w2", cell: .gru, batch: 64, time: 100, input: 128, units: 256, lengths: .full),
        "w3": WorkloadSpec(name: "w3", cell: .lstm, batch: 64, time: 100, input: 128, units: 256, lengths: .prefixFormula),
        "w4": WorkloadSpec(name: "w4", cell: .generic, batch: 32, time: 1000, input: 32, units: 32, lengths: .full),
        "w5": WorkloadSpec(name: "w5", cell: .lstm, batch: 512, time: 50, input: 256, units: 512, lengths: .full),
    ]

    static let presetNames = presets.keys.sorted()

    /// Human description, e.g. `LSTM B64 T100 I128 U256, no mask`.
    var summary: String {
        let cellName: String
        switch cell {
        case .lstm: cellName = "LSTM"
        case .gru: cellName = resetAfter ? "GRU(resetAfter)" : "GRU"
        case .simple: cellName = "SimpleRNN"
        case .generic: cellName = "generic tanh(x + h·W)"
        }
        let mask: String
        switch lengths {
        case .full: mask = "no mask"
        case .random: mask = "random right-padded mask"
        case .prefixFormula: mask = "right-padded mask 1 + (37b + 11) mod T"
        }
        var acts = activation == .tanh ? "" : ", \(activation.kerasName)"
        if recurrentActivation != .sigmoid { acts += ", recurrent \(recurrentActivation.kerasName)" }
        return "\(cellName) B\(batch) T\(time) I\(input) U\(units), \(mask)\(goBackwards ? ", backwards" : "")"
            + (timeMajor ? ", time-major input" : "") + acts
    }

    /// Per-sample valid lengths, or nil when nothing is masked.
    func sampleLengths() -> [Int]? {
        switch lengths {
        case .full: return nil
        case .prefixFormula: return (0..<batch).map { 1 + (37 * $0 + 11) % time }
        case .random:
            var rng = SeededRandom(seed: seed &+ 7)
            return (0..<batch).map { _ in Int.random(in: 1...time, using: &rng) }
        }
    }

    /// Valid (row, step) pairs: B·T without a mask, the sum of the lengths with one.
    var usefulSampleSteps: Int {
        sampleLengths()?.reduce(0, +) ?? batch * time
    }

    /// FLOPs counted for one run (useful sample-steps only).
    var flopsPerRun: Double {
        Double(usefulSampleSteps) * cell.flopsPerSampleStep(input: input, units: units)
    }
}
