// TEMPORARY stand-in until the scheduling branch lands (same interface, unpinned).
import Dispatch
import Foundation
import Synchronization

package final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    package init() {}
    package var isSet: Bool { flag.load(ordering: .relaxed) }
    package func set() { flag.store(true, ordering: .relaxed) }
}

package final class Topology: @unchecked Sendable {
    package let coreCount: Int
    private init() { coreCount = ProcessInfo.processInfo.activeProcessorCount }
    private static let instance = Topology()
    package static func shared() throws(RNNError) -> Topology { instance }
}

package enum PinnedExecutor {
    package static func run(_ plan: ShardPlan, topology: Topology?,
                            _ body: @Sendable (_ shard: Int, _ rows: Range<Int>, _ stop: StopFlag) throws -> Void) throws {
        let stop = StopFlag()
        if plan.ranges.count == 1 { try body(0, plan.ranges[0], stop); return }
        let errors = Mutex<(any Error)?>(nil)
        withoutActuallyEscaping(body) { body in
            DispatchQueue.concurrentPerform(iterations: plan.ranges.count) { i in
                do { try body(i, plan.ranges[i], stop) } catch {
                    stop.set()
                    errors.withLock { if $0 == nil { $0 = error } }
                }
            }
        }
        if let e = errors.withLock({ $0 }) { throw e }
    }
}
