import ArgumentParser
import Foundation
import ParallelRNN

/// One entry of `--threads`: a shard count, or `auto` for `Execution.automatic`.
enum ThreadSetting: Equatable, Sendable, CustomStringConvertible {
    case automatic
    case count(Int)

    /// Parses `1,2,4` or `auto` / `1,auto`; counts must be ≥ 1.
    static func parseList(_ text: String) throws -> [ThreadSetting] {
        let items = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard !items.isEmpty else { throw ValidationError("--threads needs a comma-separated list such as 1,2 or auto") }
        return try items.map { item in
            if item == "auto" || item == "automatic" { return .automatic }
            guard let n = Int(item) else {
                throw ValidationError("--threads: '\(item)' is not a thread count (use positive integers or auto, e.g. 1,2,auto)")
            }
            guard n >= 1 else { throw ValidationError("--threads: \(n) threads is invalid; at least 1 is needed") }
            return .count(n)
        }
    }

    func execution(pinned: Bool) -> Execution {
        switch self {
        case .automatic: return .automatic
        case let .count(n): return .threads(n, pinned: pinned)
        }
    }

    var description: String {
        switch self {
        case .automatic: return "auto"
        case let .count(n): return String(n)
        }
    }
}

/// The library's smallest automatic shard for a workload's cell (its own values), so that `topology` shows the
/// plans the library makes for B rows (a small fused-cell call runs as one shard, whatever B: `bench` asks the
/// library for its plan).
func minimumRowsPerShard(for cell: CellKind) -> Int {
    cell == .generic ? Engine.minimumRowsPerShard : Engine.minimumRowsPerCellShard
}
