import ArgumentParser
import Foundation
import ParallelRNN

/// `parallel-rnn bench`: times a workload for each thread count and reports throughput against the FMA peak.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time an RNN workload per thread count (median/min/max, sample-steps/s, GFLOP/s, % of peak, speed-up).",
        discussion: """
            Presets (float32, inputs standard normal, weights ×0.1, seeded):
              w1  LSTM, no mask                                   B64  T100  I128 U256
              w2  GRU (resetAfter), no mask                       B64  T100  I128 U256
              w3  LSTM, right-padded mask, length 1+(37b+11) mod T B64  T100  I128 U256
              w4  user step h' = tanh(x_t + matmul(h, W)) via rnn B32  T1000 U32
              w5  LSTM, no mask                                   B512 T50   I256 U512
            Options modify the preset (reported as modified: true); --cell without --workload is a "custom" run that \
            starts from w1's shapes. GFLOP/s counts the cell's two matrix products (LSTM 2·4U·(I+U), GRU 2·3U·(I+U), \
            SimpleRNN 2·U·(I+U), generic 2·U·U per sample-step), pointwise work ignored, over useful (unmasked) \
            sample-steps only. % of peak compares with the cached FMA peak of the cores the run used \
            (`parallel-rnn peak`).
            """
    )

    @Option(help: "Preset workload: w1, w2, w3, w4 or w5 (default w1).")
    var workload: String?

    @Option(help: "Cell for a custom run: lstm, gru, simple or generic (h' = tanh(x + h·W)).")
    var cell: CellKind?

    @Option(parsing: .unconditional, help: "Batch size B.") var batch: Int?
    @Option(parsing: .unconditional, help: "Time steps T.") var time: Int?
    @Option(parsing: .unconditional, help: "Input features I (generic: must equal --units).") var input: Int?
    @Option(parsing: .unconditional, help: "Units U.") var units: Int?

    @Option(help: "Valid steps per sample: full (no mask), random (seeded, 1...T) or prefix-formula (1 + (37b + 11) mod T).")
    var lengths: LengthsKind?

    @Flag(help: "Process the sequence backwards (Keras go_backwards).")
    var goBackwards = false

    @Flag(inversion: .prefixedNo, help: "GRU with reset_after (Keras 2 default); GRU only.")
    var resetAfter: Bool?

    @Option(help: "The cell's activation, a Keras name (\(Activation.kerasNames); default tanh; not for generic).")
    var activation: String?
    @Option(help: "LSTM/GRU recurrent activation, one of the same Keras names (default sigmoid).")
    var recurrentActivation: String?

    @Flag(help: "Feed the same inputs and mask time-major ([T, B, I], Keras time_major), transposed before timing; outputs come back time-major.")
    var timeMajor = false

    @Option(parsing: .unconditional, help: "Comma-separated thread counts, e.g. 1,2,4; `auto` is Execution.automatic (the default).")
    var threads: String?

    @Option(parsing: .unconditional, help: "Timed repetitions per thread count.") var reps = 5
    @Option(parsing: .unconditional, help: "Untimed warm-up runs per thread count.") var warmup = 1
    @Option(parsing: .unconditional, help: "Stop warming up, and then timing, a thread count after this many seconds each (at least one run of each is made).")
    var maxSeconds = 20.0
    @Option(parsing: .unconditional, help: "Seed of the input and weight data.") var seed: UInt64 = 42

    @Flag(help: "Run explicit thread counts unpinned (Execution.threads(n, pinned: false)); `auto` pins (a plan of one shard runs on the calling thread).")
    var noPin = false

    @Flag(help: "One JSON object per thread count on stdout instead of the table.")
    var json = false

    func validate() throws {
        if let workload, WorkloadSpec.presets[workload] == nil {
            throw ValidationError("unknown workload '\(workload)'; choose one of \(WorkloadSpec.presetNames.joined(separator: ", "))")
        }
        for (name, value) in [("--batch", batch), ("--time", time), ("--input", input), ("--units", units)] {
            if let value, value < 1 { throw ValidationError("\(name) must be at least 1 (got \(value))") }
        }
        guard reps >= 1 else { throw ValidationError("--reps must be at least 1 (got \(reps))") }
        guard maxSeconds > 0 else { throw ValidationError("--max-seconds must be positive (got \(maxSeconds))") }
        guard warmup >= 0 else { throw ValidationError("--warmup must be 0 or more (got \(warmup))") }
        for (name, value) in [("--activation", activation), ("--recurrent-activation", recurrentActivation)] {
            if let value, Activation(kerasName: value) == nil {
                throw ValidationError("\(name) '\(value)' is not one of \(Activation.kerasNames)")
            }
        }
        let settings = try threads.map(ThreadSetting.parseList) ?? [.automatic]
        if noPin && settings.allSatisfy({ $0 == .automatic }) {
            throw ValidationError("--no-pin applies to explicit thread counts (--threads N); Execution.automatic pins its shards")
        }
        let spec = try resolvedSpec()
        try Self.checkSizes(spec)
        if spec.cell == .generic && spec.input != spec.units {
            throw ValidationError("the generic cell adds x_t to h·W, so --input (\(spec.input)) must equal --units (\(spec.units))")
        }
    }

    /// The tensors' element counts must fit in `Int` and their bytes in the memory this process may use
    /// (`MemoryLimit`): otherwise a `ValidationError` naming the options, not an overflow trap or a failed allocation.
    /// The inputs count twice (three times time-major): `PreparedWorkload` holds the generated scalars beside the
    /// tensor while it builds it. What a cell call allocates on top, the cell checks itself.
    static func checkSizes(_ spec: WorkloadSpec) throws {
        let (width, wide) = spec.input.addingReportingOverflow(spec.units)
        guard !wide else { throw ValidationError("--input + --units = \(spec.input) + \(spec.units) overflows Int") }
        let tensors: [(String, [Int])] = [
            ("--batch × --time × --input (the inputs)", [spec.batch, spec.time, spec.input]),
            ("--batch × --time × --units (the outputs)", [spec.batch, spec.time, spec.units]),
            ("(--input + --units) × \(spec.cell.gateCount)·--units (the weights)", [width, spec.cell.gateCount, spec.units]),
        ]
        var bytes = 0.0
        for (k, (what, factors)) in tensors.enumerated() {
            guard let n = Tensor<Float>.elementCount(factors) else {  // the sizes are ≥ 1 (validate)
                throw ValidationError("\(what): \(factors.map(String.init).joined(separator: " × ")) elements overflow Int")
            }
            bytes += 4 * Double(n) * (k > 0 ? 1 : spec.timeMajor ? 3 : 2)
        }
        let memory = Double(MemoryLimit.bytes)
        if bytes > memory {
            throw ValidationError("B\(spec.batch) T\(spec.time) I\(spec.input) U\(spec.units): its inputs (with their copies while they are built), outputs and weights alone take \(Int(bytes / 1_048_576)) MiB, more than the \(Int(memory / 1_048_576)) MiB of memory this process may use")
        }
    }

    /// The workload after applying options to the preset.
    func resolvedSpec() throws -> WorkloadSpec {
        var spec = WorkloadSpec.presets[workload ?? "w1"]!
        var modified = false
        if let cell, cell != spec.cell || workload == nil {
            spec.cell = cell
            modified = true
            if cell == .generic && input == nil { spec.input = units ?? spec.units }
        }
        if let batch, batch != spec.batch { spec.batch = batch; modified = true }
        if let time, time != spec.time { spec.time = time; modified = true }
        if let units, units != spec.units {
            spec.units = units; modified = true
            if spec.cell == .generic && input == nil { spec.input = units }
        }
        if let input, input != spec.input { spec.input = input; modified = true }
        if let lengths, lengths != spec.lengths { spec.lengths = lengths; modified = true }
        if goBackwards { spec.goBackwards = true; modified = true }
        // Cell-specific options are refused on other cells even when they name the default (as `run` does).
        if let resetAfter {
            guard spec.cell == .gru else {
                throw ValidationError("--reset-after/--no-reset-after applies to GRU only, but the cell is \(spec.cell.rawValue)")
            }
            if resetAfter != spec.resetAfter { spec.resetAfter = resetAfter; modified = true }
        }
        if let name = activation, let act = Activation(kerasName: name) {
            guard spec.cell != .generic else {
                throw ValidationError("--activation applies to LSTM, GRU and SimpleRNN; the generic step is tanh(x + h·W)")
            }
            if act != spec.activation { spec.activation = act; modified = true }
        }
        if let name = recurrentActivation, let act = Activation(kerasName: name) {
            guard spec.cell == .lstm || spec.cell == .gru else {
                throw ValidationError("--recurrent-activation applies to LSTM and GRU, but the cell is \(spec.cell.rawValue)")
            }
            if act != spec.recurrentActivation { spec.recurrentActivation = act; modified = true }
        }
        spec.timeMajor = timeMajor  // a layout of the same data and work: not a modification
        if seed != spec.seed { spec.seed = seed; modified = true }
        if modified {
            spec.modified = true
            if workload == nil && cell != nil { spec.name = "custom" }
        }
        return spec
    }

    func run() throws {
        try reportingErrors {
            let spec = try resolvedSpec()
            #if DEBUG
            Terminal.note("debug build: kernels are unoptimised; build with `swift build -c release` for real numbers")
            #endif
            let settings = try threads.map(ThreadSetting.parseList) ?? [.automatic]
            let coreCount = try Topology.shared().coreCount
            let (peak, cached) = try PeakCache.peak(cores: coreCount)
            Terminal.progress("bench \(spec.name): preparing data")
            let prepared = try PreparedWorkload(spec)
            let report = BenchReport(spec: spec, peak: peak, peakCached: cached, coreCount: coreCount,
                                     reps: reps, warmup: warmup, json: json)
            report.printHeader()
            var first: BenchRow? = nil
            for setting in settings {
                let execution = setting.execution(pinned: !noPin)
                // The library's plan for this call: its shard count and whether it pins (an automatic plan of one
                // shard runs unpinned on the calling thread). The timed calls come back to back, so a pool thread is
                // parked for all but the first: the plan reported is that one, and a note says when it differs.
                let plan = try prepared.plan(execution, true)
                let cold = try prepared.plan(execution, false)
                if cold.ranges.count != plan.ranges.count {
                    Terminal.note("threads \(setting): \(plan.ranges.count) shards while a pool thread is parked (back-to-back calls, as timed here), else \(cold.ranges.count)")
                }
                var warming = 0.0, warmups = 0
                for w in 0..<warmup {
                    Terminal.progress("bench \(spec.name): threads \(setting), warm-up \(w + 1)/\(warmup)")
                    warming += try Stopwatch.seconds { try prepared.run(execution) }
                    warmups += 1
                    if warming > maxSeconds && w + 1 < warmup {
                        Terminal.note("threads \(setting): warmed up \(w + 1) of \(warmup) times (--max-seconds \(maxSeconds))")
                        break
                    }
                }
                var times: [Double] = []
                for r in 0..<reps {
                    Terminal.progress("bench \(spec.name): threads \(setting), run \(r + 1)/\(reps)")
                    times.append(try Stopwatch.seconds { try prepared.run(execution) })
                    if times.reduce(0, +) > maxSeconds && r + 1 < reps {
                        Terminal.note("threads \(setting): stopped after \(r + 1) of \(reps) runs (--max-seconds \(maxSeconds))")
                        break
                    }
                }
                let row = BenchRow(setting: setting, shards: plan.ranges.count,
                                   coresUsed: min(plan.ranges.count, coreCount), pinned: plan.pinned, warmups: warmups, seconds: times)
                Terminal.clearProgress()
                report.printRow(row, first: first ?? row)
                if first == nil { first = row }
            }
        }
    }
}
