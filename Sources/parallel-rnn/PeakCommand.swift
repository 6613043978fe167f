import ArgumentParser
import Foundation
import ParallelRNN

/// `parallel-rnn peak`: the FP32 FMA peak of one core and of all allowed cores.
struct PeakCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peak",
        abstract: "Measure the FP32 FMA peak (GFLOP/s) of one core and of all allowed cores.",
        discussion: """
            Independent FMA chains in registers (AVX-512, AVX2+FMA or portable, as the kernels choose at run time), \
            on threads pinned through the library's scheduler. The result is cached per CPU model, ISA, build and \
            core count in $PARALLEL_RNN_PEAK_CACHE if set, else $XDG_CACHE_HOME/parallel-rnn/peak.json, else \
            ~/.cache/parallel-rnn/peak.json; `bench` reads it from there. --refresh measures again.
            """
    )

    @Flag(help: "Measure again even if a cached result exists.")
    var refresh = false

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func run() throws {
        try reportingErrors {
            let cores = try Topology.shared().coreCount
            let (m, cached) = try PeakCache.peak(cores: cores, refresh: refresh)
            if json {
                // snake_case keys, sorted, as in `bench --json`.
                let encoder = JSONEncoder()
                encoder.keyEncodingStrategy = .convertToSnakeCase
                var object = try JSONSerialization.jsonObject(with: encoder.encode(m)) as? [String: Any] ?? [:]
                object["cached"] = cached
                object["cache"] = PeakCache.url.path
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
                Terminal.output(String(decoding: data, as: UTF8.self))
                return
            }
            Terminal.output("CPU            \(m.cpuModel)")
            Terminal.output("ISA            \(m.isa) (\(m.build) build)")
            Terminal.output("one core       \(format(m.perCoreGFLOPS, 1)) GFLOP/s FP32")
            Terminal.output("\(m.cores) core\(m.cores == 1 ? " " : "s")        \(format(m.allCoresGFLOPS, 1)) GFLOP/s FP32 (\(format(m.allCoresGFLOPS / Double(m.cores), 1)) per core under load)")
            Terminal.output(cached ? "cached         \(m.measuredAt) in \(PeakCache.url.path) (--refresh to measure again)"
                                   : "measured now   stored in \(PeakCache.url.path)")
        }
    }
}
