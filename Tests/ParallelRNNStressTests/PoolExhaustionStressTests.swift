import Dispatch
import Foundation
import ParallelRNN
import Testing

/// Dispatch's overcommit pool is finite (255 threads on Linux). When it is full of callers blocked on their calls'
/// shards, each call must still finish with the threads it has (found in review: both cases below deadlocked when a
/// shard could run only on its own work item).
extension StressTests {
    /// More concurrent blocking callers than the pool has threads.
    static let callersBeyondThePool = 300

    /// A step that calls `rnn` itself, under more outer shards than the pool has threads.
    @Test func nestedCallsUnderMoreShardsThanPoolThreads() throws {
        let outer = Self.callersBeyondThePool
        let inner: StepFunction<Float> = { x, s in let h = s[0] + x; return (h, [h]) }
        let innerInputs = Tensor<Float>(repeating: 1, shape: [2, 3, 1])
        let innerState = Tensor<Float>(zeros: [2, 1])
        let step: StepFunction<Float> = { x, s in
            usleep(5_000)  // keeps the outer shards' threads busy at once
            let r = try rnn(inner, inputs: innerInputs, initialStates: [innerState], execution: .threads(2, pinned: false))
            guard r.lastOutput.scalars == [3, 3] else { throw WrongInnerResult(scalars: r.lastOutput.scalars) }
            let h = s[0] + x
            return (h, [h])
        }
        let x = Tensor<Float>(repeating: 1, shape: [outer, 2, 1])
        let h0 = Tensor<Float>(zeros: [outer, 1])
        let box = ResultBox()
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            box.set(Result { try rnn(step, inputs: x, initialStates: [h0], execution: .threads(outer, pinned: false)) })
            done.signal()
        }
        try #require(done.wait(timeout: .now() + 120) == .success, "\(outer) outer shards, nested rnn: no result in 120 s")
        let r = try #require(box.value).get()
        #expect(r.newStates[0].scalars == [Float](repeating: 2, count: outer))
    }

    /// More concurrent `rnnAsync` calls (each blocking one pool thread while its shards run) than pool threads.
    @Test func asyncCallsBeyondThePoolThreads() async throws {
        let calls = Self.callersBeyondThePool
        let step: StepFunction<Float> = { x, s in
            usleep(5_000)
            let h = s[0] + x
            return (h, [h])
        }
        let x = Tensor<Float>(repeating: 1, shape: [2, 2, 1])
        let h0 = Tensor<Float>(zeros: [2, 1])
        let sums = Counter()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            try? await withThrowingTaskGroup(of: Float.self) { group in
                for _ in 0..<calls {
                    group.addTask {
                        try await rnnAsync(step, inputs: x, initialStates: [h0], execution: .threads(2, pinned: false))
                            .newStates[0].scalars.reduce(0, +)
                    }
                }
                for try await sum in group where sum == 4 { sums.increment() }
            }
            done.signal()
        }
        // Waits on a thread of its own: with the pool exhausted, a Dispatch item might never start.
        let finished = await withCheckedContinuation { c in
            Thread.detachNewThread { c.resume(returning: done.wait(timeout: .now() + 120)) }
        }
        #expect(finished == .success, "\(calls) concurrent rnnAsync calls: not done in 120 s")
        #expect(sums.value == calls)
    }
}

private struct WrongInnerResult: Error { let scalars: [Float] }

/// One result handed from a thread to the test.
private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<RNNResult<Float>, any Error>?
    var value: Result<RNNResult<Float>, any Error>? { lock.withLock { result } }
    func set(_ r: Result<RNNResult<Float>, any Error>) { lock.withLock { result = r } }
}
