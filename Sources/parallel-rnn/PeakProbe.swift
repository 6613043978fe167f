import Foundation
import ParallelRNN
import _ParallelRNNKernels

/// A measured FP32 FMA peak: one core alone, and all allowed cores at once.
struct PeakMeasurement: Codable, Sendable, Equatable {
    var cpuModel: String
    var isa: String
    var build: String
    var cores: Int
    /// GFLOP/s of one thread pinned to one core.
    var perCoreGFLOPS: Double
    /// GFLOP/s of `cores` concurrent threads, one per allowed core, summed.
    var allCoresGFLOPS: Double
    var pinned: Bool
    var measuredAt: String

    /// The peak of `used` cores: `used` × the single-core figure, capped by the all-core measurement (so a
    /// machine whose vCPUs share FMA units, or whose clock drops under full load, is not over-credited, and a
    /// partly used one is not under-credited).
    func peak(coresUsed used: Int) -> Double {
        let used = max(1, min(used, cores))
        if used == cores { return allCoresGFLOPS }
        return min(perCoreGFLOPS * Double(used), allCoresGFLOPS)
    }

    /// Cache key: the machine and the code path the figures belong to.
    var key: String { PeakMeasurement.key(cpuModel: cpuModel, isa: isa, build: build, cores: cores) }

    static func key(cpuModel: String, isa: String, build: String, cores: Int) -> String {
        "\(cpuModel)|\(isa)|\(build)|\(cores) cores"
    }
}

/// Measures the FMA peak with `prnn_peak_fma_f32` (the kernels' run-time ISA choice), on threads pinned through
/// the library's scheduler (`PinnedExecutor`, shard i → allowed core i).
enum PeakProbe {
    static var isaName: String { String(cString: prnn_isa_name(prnn_active_isa())) }

    /// The AVX-512 GEMM register tiles in use (`prnn_avx512_tune` picks them when the first weights are packed):
    /// `6x64` when short and tall products use the same, else `6x64,12x32` (short, tall — `PRNN_AVX512_TILE`'s
    /// syntax); nil without AVX-512.
    static var avx512TileName: String? {
        guard prnn_active_isa() == PRNN_ISA_AVX512 else { return nil }
        let short = prnn_avx512_active_tile(PRNN_AVX512_SHORT_ROWS), tall = prnn_avx512_active_tile(PRNN_AVX512_SHORT_ROWS + 1)
        let name = { (tile: prnn_avx512_tile) in String(cString: prnn_avx512_tile_name(tile)) }
        return short == tall ? name(short) : "\(name(short)),\(name(tall))"
    }
    /// How many vectors the AVX-512 gate kernels hand the cell formulas at once (`prnn_avx512_gates_k`: 1 or 2, as
    /// the tuner measured or `PRNN_AVX512_GATES_K` says); nil without AVX-512.
    static var avx512GatesK: Int? {
        prnn_active_isa() == PRNN_ISA_AVX512 ? Int(prnn_avx512_gates_k()) : nil
    }
    /// The transposed product's k block limit (`prnn_t_kc`: 0 = one block; set by `PRNN_T_KC`, never by the
    /// tuner).
    static var transposedKBlock: Int { Int(prnn_t_kc()) }
    /// The shard sizes (rows) the fused cells run transposed when unmasked, the batch in the vector lanes, for a cell
    /// of `operandRows` = I + U (`prnn_sgemm_t_preferred_shape`; on AVX-512 as the tuner measured it): e.g. "16,32"
    /// (AVX2), "16–512 by 16" (AVX-512), or "none".
    static func transposedShardRows(operandRows: Int) -> String {
        let k = Int32(clamping: operandRows)
        let rows = stride(from: 16, through: Int(PRNN_T_MAX_ROWS), by: 16).filter {
            prnn_sgemm_t_preferred_shape(Int32($0), k) != 0
        }
        guard let first = rows.first, let last = rows.last else { return "none" }
        let steps = Set(zip(rows, rows.dropFirst()).map { $1 - $0 })
        if rows.count > 2, steps.count == 1, let step = steps.first { return "\(first)–\(last) by \(step)" }
        return rows.map(String.init).joined(separator: ",")
    }
    /// The largest row block in which larger unmasked shards (multiples of 32 rows) run transposed, for a cell of
    /// `operandRows` = I + U (`prnn_sgemm_t_block_rows`); nil where they run row-major.
    static func transposedBlockRows(operandRows: Int) -> Int? {
        let rows = Int(prnn_sgemm_t_block_rows(Int32(clamping: operandRows)))
        return rows > 0 ? rows : nil
    }
    /// How much faster a 32-row shard runs transposed than row-major (`prnn_sgemm_t_gain`: measured by the AVX-512
    /// tuner, assumed 1.08 on AVX2); nil where 32-row shards do not run transposed.
    static var transposedGain: Double? {
        let gain = prnn_sgemm_t_gain(32)
        return gain > 1 ? gain : nil
    }
    /// The same for a 16-row shard (`prnn_sgemm_t_gain(16)`: on AVX-512 the 32-row gain, at most 1.02; assumed 1.08
    /// on AVX2); nil where 16-row shards do not run transposed.
    static var transposedGain16: Double? {
        let gain = prnn_sgemm_t_gain(16)
        return gain > 1 ? gain : nil
    }
    /// Whether ``transposedGain`` is the tuner's measurement (AVX-512 without a configured tile).
    static var transposedGainMeasured: Bool { prnn_sgemm_t_gain_measured() != 0 }
    /// Products of up to this many rows are "short" for the tile choice.
    static var avx512ShortRows: Int { Int(PRNN_AVX512_SHORT_ROWS) }

    static var buildName: String {
        #if DEBUG
        return "debug"
        #else
        return "release"
        #endif
    }

    /// The CPU's model name (from /proc/cpuinfo on Linux).
    static var cpuModel: String {
        if let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) {
            for line in text.split(separator: "\n") where line.hasPrefix("model name") {
                if let colon = line.firstIndex(of: ":") {
                    return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
            }
        }
        #if arch(arm64)
        return "arm64"
        #else
        return "unknown CPU"
        #endif
    }

    /// Measures single-core and all-core peaks, each the best of `repeats` runs of about `seconds`.
    static func measure(seconds: Double = 0.15, repeats: Int = 5, progress: (String) -> Void = { _ in }) throws -> PeakMeasurement {
        let topology = try Topology.shared()
        let cores = topology.coreCount
        let isa = prnn_active_isa()
        let flopsPerIteration = Double(prnn_peak_flops_per_iteration(isa))
        // Calibrate the iteration count to about `seconds` on one core.
        var iterations: Int64 = 100_000
        while true {
            let t = Stopwatch.seconds { _ = prnn_peak_fma_f32(isa, iterations, nil) }
            if t > 0.02 || iterations > 1 << 40 {
                iterations = max(1, Int64(Double(iterations) * seconds / max(t, 1e-9)))
                break
            }
            iterations *= 8
        }
        func best(threads: Int) throws -> Double {
            let plan = try ShardPlan.make(rows: threads, execution: .threads(threads, pinned: true),
                                          coreCount: cores, minimumRowsPerShard: 1)
            var bestRate = 0.0
            for r in 0..<repeats {
                progress("peak: \(threads) thread\(threads == 1 ? "" : "s"), run \(r + 1)/\(repeats)")
                let n = iterations
                let t = try Stopwatch.seconds {
                    try PinnedExecutor.run(plan, topology: topology) { _, _, _ in _ = prnn_peak_fma_f32(isa, n, nil) }
                }
                bestRate = max(bestRate, flopsPerIteration * Double(n) * Double(plan.ranges.count) / t / 1e9)
            }
            return bestRate
        }
        let single = try best(threads: 1)
        let all = cores == 1 ? single : try best(threads: cores)
        return PeakMeasurement(cpuModel: cpuModel, isa: isaName, build: buildName, cores: cores,
                               perCoreGFLOPS: single, allCoresGFLOPS: all, pinned: true,
                               measuredAt: ISO8601DateFormatter().string(from: Date()))
    }
}
