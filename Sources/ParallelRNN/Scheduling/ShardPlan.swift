// TEMPORARY stand-in until the scheduling branch lands (same interface).
package struct ShardPlan: Sendable, Equatable {
    package var ranges: [Range<Int>]
    package var pinned: Bool

    package static func make(rows: Int, execution: Execution, coreCount: Int, minimumRowsPerShard: Int) throws(RNNError) -> ShardPlan {
        let count: Int, pinned: Bool
        switch execution.mode {
        case .serial: count = 1; pinned = false
        case let .threads(n, p):
            guard n > 0 else { throw .threadCount(n) }
            count = max(1, min(n, rows)); pinned = p
        case .automatic: count = max(1, min(coreCount, rows / max(minimumRowsPerShard, 1))); pinned = true
        }
        var ranges: [Range<Int>] = []
        var start = 0
        for i in 0..<count {
            let size = rows / count + (i < rows % count ? 1 : 0)
            ranges.append(start..<(start + size))
            start += size
        }
        return ShardPlan(ranges: ranges, pinned: pinned)
    }
}

extension ShardPlan {
    package static func make(work: [Int], execution: Execution, coreCount: Int, minimumRowsPerShard: Int) throws(RNNError) -> ShardPlan {
        try make(rows: work.count, execution: execution, coreCount: coreCount, minimumRowsPerShard: minimumRowsPerShard)
    }
}
