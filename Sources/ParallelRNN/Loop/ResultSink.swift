import Foundation

/// The result tensors of one call, allocated once and written in place: each shard writes only its own rows of
/// `outputs`, `lastOutput` and `newStates`, so nothing is merged or copied afterwards.
///
/// State shapes are known up front; output shapes only after a step has run, so the first shard to finish step 0
/// allocates them (under a lock, once per shard per call) and the others check they produced the same shapes.
final class ResultSink<S: TensorScalar>: @unchecked Sendable {
    let geometry: LoopGeometry
    let stateShapes: [[Int]]
    let states: [TensorStorage<S>]

    private let lock = NSLock()
    private var outputLayout: (trailing: [[Int]], structure: Nest<Int>?)?
    private var outputStorages: [TensorStorage<S>] = []
    private var lastOutputStorages: [TensorStorage<S>] = []

    init(geometry: LoopGeometry, stateShapes: [[Int]]) {
        self.geometry = geometry
        self.stateShapes = stateShapes
        states = stateShapes.map { Self.make(count: $0.reduce(1, *)) }
    }

    /// Result storage the shards fill. Debug builds (the tests) fill it with NaN first, so that a row or step no path
    /// wrote shows (released buffers are reused: a previous call's results would otherwise stand in for it).
    private static func make(count: Int) -> TensorStorage<S> {
        let storage = TensorStorage<S>.make(uninitializedCount: count)
        #if DEBUG
        let raw = UnsafeMutableRawPointer(storage.base)
        if S.self == Float.self { raw.bindMemory(to: Float.self, capacity: count).update(repeating: .nan, count: count) }
        if S.self == Double.self { raw.bindMemory(to: Double.self, capacity: count).update(repeating: .nan, count: count) }
        #endif
        return storage
    }

    /// Output and last-output buffers for leaves with these per-row shapes (allocating on first use).
    /// Throws when a shard's step produced different shapes or a different output structure.
    func outputBuffers(trailing: [[Int]], structure: Nest<Int>?) throws(RNNError)
        -> (outputs: [UnsafeMutablePointer<S>], lastOutputs: [UnsafeMutablePointer<S>])
    {
        lock.lock()
        defer { lock.unlock() }
        if let layout = outputLayout {
            if layout.structure != structure {
                throw .structureMismatch(argument: "step output", expected: layout.structure?.structureDescription ?? "*",
                                         actual: structure?.structureDescription ?? "*")
            }
            for (i, (a, b)) in zip(layout.trailing, trailing).enumerated() where a != b {
                throw .stepResultShape(argument: trailing.count == 1 ? "output rows" : "output leaf \(i) rows",
                                       expected: a, actual: b)
            }
        } else {
            let g = geometry
            for (i, rows) in trailing.enumerated() {
                try checkResultSize([g.batch, g.returnAllOutputs ? g.time : 1] + rows, elementSize: MemoryLayout<S>.size,
                                    argument: trailing.count == 1 ? "step output" : "step output leaf \(i)")
            }
            outputLayout = (trailing, structure)
            lastOutputStorages = trailing.map { Self.make(count: g.batch * $0.reduce(1, *)) }
            // Without returnAllOutputs, outputs [B, 1, ...] is the last output's memory: shared, not copied.
            outputStorages = g.returnAllOutputs
                ? trailing.map { Self.make(count: g.batch * g.time * $0.reduce(1, *)) }
                : lastOutputStorages
        }
        return (outputStorages.map(\.base), lastOutputStorages.map(\.base))
    }

    /// The finished tensors (call after every shard returned).
    func finish() -> (outputs: [Tensor<S>], lastOutputs: [Tensor<S>], structure: Nest<Int>?, states: [Tensor<S>]) {
        let layout = outputLayout!
        let g = geometry
        let outputs = zip(outputStorages, layout.trailing).map {
            Tensor(shape: g.sequenceShape(steps: g.outputSteps, trailing: $1), storage: $0)
        }
        let last = zip(lastOutputStorages, layout.trailing).map { Tensor(shape: [g.batch] + $1, storage: $0) }
        let states = zip(states, stateShapes).map { Tensor(shape: $1, storage: $0) }
        return (outputs, last, layout.structure, states)
    }
}

/// Throws unless a result of this shape can be allocated: its byte count fits in Int and in the memory this process
/// may use (`MemoryLimit`; beyond that the allocation would fail, which traps, or the process would swap for
/// minutes or be killed).
/// A zero dimension (B = 0, or an empty row) does not excuse the others: a shape whose non-zero dimensions overflow is
/// refused like any other, as `Tensor` refuses it.
func checkResultSize(_ shape: [Int], elementSize: Int, argument: @autoclosure () -> String) throws(RNNError) {
    let bytes = Tensor<Float>.elementCount(shape + [elementSize])
    let memory = MemoryLimit.bytes
    guard let bytes, UInt64(bytes) <= memory else {
        throw .invalidArgument(argument: argument(), reason: "a result of shape \(shape) would take \(bytes.map { "\($0 >> 20) MiB" } ?? "more than \(Int.max) bytes"), more than the \(memory >> 20) MiB of memory this process may use")
    }
}

