import Foundation

/// One timed thread setting.
struct BenchRow {
    var setting: ThreadSetting
    var shards: Int
    var coresUsed: Int
    var pinned: Bool
    /// Warm-ups made (fewer than asked when `--max-seconds` cut them short).
    var warmups: Int
    var seconds: [Double]
}

/// Prints `bench` results: a table for people, or JSON lines.
struct BenchReport {
    let spec: WorkloadSpec
    let peak: PeakMeasurement
    let peakCached: Bool
    let coreCount: Int
    let reps: Int
    let warmup: Int
    let json: Bool

    private var masked: Bool { spec.lengths != .full }

    func printHeader() {
        guard !json else { return }
        let steps = spec.usefulSampleSteps
        Terminal.output("workload  \(spec.name)\(spec.modified && spec.name != "custom" ? " (modified)" : ""): \(spec.summary), float32")
        let gates = PeakProbe.avx512GatesK.map { ", gate kernels \($0) vector\($0 == 1 ? "" : "s") per call" } ?? ""
        let tile = PeakProbe.avx512TileName.map {
            $0.contains(",") ? " (GEMM tiles ≤ \(PeakProbe.avx512ShortRows) rows, taller: \($0)\(gates))"
                : " (GEMM tile \($0)\(gates))"
        } ?? ""
        let kBlock = PeakProbe.transposedKBlock
        let blocks = kBlock == 0 ? "K in one block" : "K in blocks of ≤ \(kBlock)"
        let gain16 = PeakProbe.transposedGain16.map { "; 16 rows counted as \(format($0, 2))×" } ?? ""
        let gain = PeakProbe.transposedGain.map {
            " (32 rows: \(format($0, 2))× the row-major speed, \(PeakProbe.transposedGainMeasured ? "measured" : "assumed")\(gain16); \(blocks))"
        } ?? ""
        let blockRows = PeakProbe.transposedBlockRows(operandRows: spec.input + spec.units).map {
            ", larger multiples of 32 in row blocks of ≤ \($0)"
        } ?? ""
        Terminal.output("machine   \(peak.cpuModel), \(coreCount) allowed core\(coreCount == 1 ? "" : "s"), ISA \(peak.isa)\(tile), \(peak.build) build; unmasked cell shards of \(PeakProbe.transposedShardRows(operandRows: spec.input + spec.units)) rows run transposed\(blockRows)\(gain)")
        Terminal.output("peak      \(format(peak.perCoreGFLOPS, 1)) GFLOP/s one core, \(format(peak.allCoresGFLOPS, 1)) all \(peak.cores) (\(peakCached ? "cached" : "measured now"); `parallel-rnn peak --refresh` to re-measure)")
        let formula: String
        switch spec.cell {
        case .lstm: formula = "2·4U·(I+U)"
        case .gru: formula = "2·3U·(I+U)"
        case .simple: formula = "2·U·(I+U)"
        case .generic: formula = "2·U·U"
        }
        let stepsText = masked ? "\(steps) useful (unmasked) of \(spec.batch * spec.time) sample-steps — masked steps not counted"
                               : "\(steps) sample-steps"
        Terminal.output("FLOPs     \(formula) per sample-step × \(stepsText) = \(format(spec.flopsPerRun / 1e9, 3)) GFLOP per run")
        Terminal.output("runs      \(warmup) warm-up + \(reps) timed per row")
        Terminal.output("")
        Terminal.output("threads  shards  pinned  median ms     min ms     max ms  sample-steps/s   GFLOP/s  % peak  speed-up")
    }

    func printRow(_ row: BenchRow, first: BenchRow) {
        let median = row.seconds.median
        let minimum = row.seconds.min() ?? 0, maximum = row.seconds.max() ?? 0
        let steps = Double(spec.usefulSampleSteps)
        let gflops = spec.flopsPerRun / median / 1e9
        let peakGFLOPS = peak.peak(coresUsed: row.coresUsed)
        let fraction = gflops / peakGFLOPS
        let speedup = first.seconds.median / median
        if json {
            let threads: Int
            switch row.setting {
            case .automatic: threads = row.shards  // the threads the automatic plan ran on
            case let .count(n): threads = n
            }
            var fields: [(String, String)] = [
                ("workload", jsonString(spec.name)), ("modified", "\(spec.modified)"),
                ("cell", jsonString(spec.cell.rawValue)),
                ("batch", "\(spec.batch)"), ("time", "\(spec.time)"), ("input", "\(spec.input)"), ("units", "\(spec.units)"),
                ("lengths", jsonString(spec.lengths.rawValue)),
                ("go_backwards", "\(spec.goBackwards)"),
                ("time_major", "\(spec.timeMajor)"),
            ]
            if spec.cell == .gru { fields.append(("reset_after", "\(spec.resetAfter)")) }
            if spec.cell != .generic { fields.append(("activation", jsonString(spec.activation.kerasName))) }
            if spec.cell == .lstm || spec.cell == .gru {
                fields.append(("recurrent_activation", jsonString(spec.recurrentActivation.kerasName)))
            }
            fields += [
                ("threads", "\(threads)"),
                ("execution", jsonString(row.setting == .automatic ? "automatic" : "threads")),
                ("shards", "\(row.shards)"), ("cores_used", "\(row.coresUsed)"), ("pinned", "\(row.pinned)"),
                ("reps", "\(row.seconds.count)"), ("warmup", "\(row.warmups)"),
                ("median_ms", jsonNumber(median * 1e3)), ("min_ms", jsonNumber(minimum * 1e3)), ("max_ms", jsonNumber(maximum * 1e3)),
                ("useful_sample_steps", "\(spec.usefulSampleSteps)"),
                ("flops_counted", jsonString(masked ? "useful sample-steps only" : "all sample-steps")),
                ("sample_steps_per_s", jsonNumber(steps / median)),
                ("gflop_per_run", jsonNumber(spec.flopsPerRun / 1e9)),
                ("gflops", jsonNumber(gflops)),
                ("peak_gflops", jsonNumber(peakGFLOPS)),
                ("peak_fraction", jsonNumber(fraction)),
                ("speedup", jsonNumber(speedup)),
                ("isa", jsonString(peak.isa)), ("avx512_tile", PeakProbe.avx512TileName.map(jsonString) ?? "null"),
                ("avx512_gates_k", PeakProbe.avx512GatesK.map { String($0) } ?? "null"),
                ("transposed_shard_rows", jsonString(PeakProbe.transposedShardRows(operandRows: spec.input + spec.units))),
                ("transposed_block_rows", PeakProbe.transposedBlockRows(operandRows: spec.input + spec.units).map { String($0) } ?? "null"),
                ("transposed_gain", PeakProbe.transposedGain.map(jsonNumber) ?? "null"),
                ("transposed_gain_16", PeakProbe.transposedGain16.map(jsonNumber) ?? "null"),
                ("transposed_k_block", "\(PeakProbe.transposedKBlock)"),
                ("build", jsonString(peak.build)),
            ]
            Terminal.output("{" + fields.map { "\(jsonString($0.0)):\($0.1)" }.joined(separator: ",") + "}")
            return
        }
        func pad(_ s: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - s.count)) + s }
        let line = [
            pad(row.setting.description, 7), pad("\(row.shards)", 7), pad(row.pinned ? "yes" : "no", 7),
            pad(format(median * 1e3, 2), 10), pad(format(minimum * 1e3, 2), 10), pad(format(maximum * 1e3, 2), 10),
            pad(format(steps / median, 0), 15), pad(format(gflops, 2), 9), pad(format(fraction * 100, 1) + "%", 7),
            pad(format(speedup, 2) + "×", 9),
        ].joined(separator: " ")
        Terminal.output(line)
    }
}
