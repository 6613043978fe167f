import Foundation

/// Measured peaks kept between runs in `$XDG_CACHE_HOME/parallel-rnn/peak.json` (default
/// `~/.cache/parallel-rnn/peak.json`), keyed by CPU model, ISA, build configuration and allowed core count.
/// `PARALLEL_RNN_PEAK_CACHE` overrides the file's path.
enum PeakCache {
    static var url: URL {
        let env = ProcessInfo.processInfo.environment
        if let path = env["PARALLEL_RNN_PEAK_CACHE"], !path.isEmpty { return URL(fileURLWithPath: path) }
        let base = env["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache")
        return base.appendingPathComponent("parallel-rnn").appendingPathComponent("peak.json")
    }

    /// The cached entries; `readable` is false when a file exists but is not a cache (it is then replaced, with a note).
    private static func load() -> (entries: [String: PeakMeasurement], readable: Bool) {
        guard let data = try? Data(contentsOf: url) else { return ([:], true) }
        guard let entries = try? JSONDecoder().decode([String: PeakMeasurement].self, from: data) else { return ([:], false) }
        return (entries, true)
    }

    /// The cached measurement for this machine and code path, if any (one with a peak that is not a positive number,
    /// from a hand-edited file, counts as absent).
    static func lookup(cores: Int) -> PeakMeasurement? {
        let key = PeakMeasurement.key(cpuModel: PeakProbe.cpuModel, isa: PeakProbe.isaName, build: PeakProbe.buildName, cores: cores)
        guard let m = load().entries[key] else { return nil }
        let valid = [m.perCoreGFLOPS, m.allCoresGFLOPS].allSatisfy { $0.isFinite && $0 > 0 }
        return valid ? m : nil
    }

    /// Stores `m` (failures to write only cost a re-measurement next time, so they are reported as a note).
    static func store(_ m: PeakMeasurement) {
        var (all, readable) = load()
        if !readable { Terminal.note("replacing \(url.path), which is not a peak cache") }
        all[m.key] = m
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(all).write(to: url, options: .atomic)
        } catch {
            Terminal.note("could not write the peak cache \(url.path): \(error.localizedDescription)")
        }
    }

    /// The cached peak, or a fresh measurement (stored) when there is none or `refresh` is set.
    static func peak(cores: Int, refresh: Bool = false) throws -> (PeakMeasurement, cached: Bool) {
        if !refresh, let m = lookup(cores: cores) { return (m, true) }
        let m = try PeakProbe.measure(progress: Terminal.progress)
        Terminal.clearProgress()
        store(m)
        return (m, false)
    }
}
