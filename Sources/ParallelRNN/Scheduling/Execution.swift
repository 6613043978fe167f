/// How `rnn` and the cells spread the batch over threads.
///
/// - `automatic` (the default): every core the process may use (from hwloc), one pinned shard per core, fewer
///   shards when rows are few, and a fused-cell call estimated under ≈ 200 µs on one core as one shard on the calling
///   thread; shard sizes follow the cores' measured speeds (results do not depend on them).
/// - `serial`: one shard on the calling thread; use it for step functions that mix rows.
/// - `threads(n, pinned:)`: exactly `min(n, B)` shards; with `pinned`, shard `i` runs on allowed core `i mod cores`.
public struct Execution: Sendable, Equatable {
    package enum Mode: Sendable, Equatable {
        case automatic
        case serial
        case threads(Int, pinned: Bool)
    }

    package let mode: Mode

    /// Every core the process may use, pinned (fewer shards for few rows; a small fused-cell call on the calling thread).
    public static let automatic = Execution(mode: .automatic)
    /// One shard, on the calling thread.
    public static let serial = Execution(mode: .serial)
    /// Exactly `min(count, B)` shards; `count <= 0` is an ``RNNError`` thrown by the call that receives it.
    public static func threads(_ count: Int, pinned: Bool = true) -> Execution {
        Execution(mode: .threads(count, pinned: pinned))
    }
}
