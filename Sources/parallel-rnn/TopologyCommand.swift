import ArgumentParser
import ParallelRNN

/// `parallel-rnn topology`: what hwloc sees and how a batch would be sharded.
struct TopologyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topology",
        abstract: "Print the machine as hwloc sees it and the shard plan for a batch."
    )

    @Option(parsing: .unconditional, help: "Batch size whose shard plan to print.")
    var batch = 64

    @Option(parsing: .unconditional, help: "Comma-separated thread counts to plan for (`auto` = Execution.automatic).")
    var threads = "auto"

    @Flag(help: "Plan unpinned shards.")
    var noPin = false

    func validate() throws {
        guard batch >= 0 else { throw ValidationError("--batch must be 0 or more (got \(batch))") }
        let settings = try ThreadSetting.parseList(threads)
        // `.threads(n)` plans min(n, B) shards: a plan for a batch that is never allocated is held here whole.
        for case let .count(n) in settings where min(n, batch) > Self.largestPlan {
            throw ValidationError("--threads \(n) with --batch \(batch) plans \(min(n, batch)) shards; topology shows plans of at most \(Self.largestPlan)")
        }
        if noPin && settings.allSatisfy({ $0 == .automatic }) {
            throw ValidationError("--no-pin applies to explicit thread counts (--threads N); Execution.automatic pins its shards")
        }
    }

    /// Shards listed one per line; a larger plan shows its first and last `shown / 2`.
    static let shown = 32
    /// The most shards a plan may have here.
    static let largestPlan = 1 << 20

    func run() throws {
        try reportingErrors {
            let topology = try Topology.shared()
            Terminal.output("\(topology.summary)")
            Terminal.output("")
            let settings = try ThreadSetting.parseList(threads)
            for setting in settings {
                let execution = setting.execution(pinned: !noPin)
                // `.automatic` splits generic steps and fused cells down to different shard sizes (the cells' plan
                // is for calls that are not small: see the note below).
                let plans = try [CellKind.generic, .lstm].map { cell in
                    try ShardPlan.make(rows: batch, execution: execution, coreCount: topology.coreCount,
                                       minimumRowsPerShard: minimumRowsPerShard(for: cell))
                }
                let labels = plans[0] == plans[1] ? [""] : [" (generic steps)", " (fused cells)"]
                for (plan, label) in zip(plans, labels) {
                    Terminal.output("shard plan for B=\(batch), threads \(setting)\(label): \(plan.ranges.count) shard\(plan.ranges.count == 1 ? "" : "s"), \(plan.pinned ? "pinned" : "unpinned")")
                    let count = plan.ranges.count
                    for (i, range) in plan.ranges.enumerated() {
                        if count > Self.shown && i >= Self.shown / 2 && i < count - Self.shown / 2 {
                            if i == Self.shown / 2 { Terminal.output("  … \(count - Self.shown) more shards …") }
                            continue
                        }
                        let core = plan.pinned ? "core \(i % max(topology.coreCount, 1))" : "any core"
                        Terminal.output("  shard \(i): rows \(range.lowerBound)..<\(range.upperBound) (\(range.count) rows) → \(core)")
                    }
                }
            }
            if settings.contains(.automatic) && topology.coreCount > 1 {
                Terminal.output("(automatic plans of one shard per core are then sized by the cores' measured speeds;")
                Terminal.output(" a fused-cell call estimated under \(Int(2 * Engine.minimumSecondsPerShard * 1e6)) µs on one core runs as one shard on the calling thread,")
                Terminal.output(" or as two from \(Int(2 * Engine.minimumWarmSecondsPerShard * 1e6)) µs when a pool thread is parked: `bench` prints a workload's plan)")
            }
        }
    }
}
