import Testing
import ParallelRNN

/// Every invalid call ends in a thrown RNNError naming the argument and shapes — never a trap (semantics §3,
/// Project decision 5) — and a step function's own error comes back unchanged.
@Suite struct ErrorTests {
    static let w = try! Tensor<Float>(shape: [3, 3], scalars: (0..<9).map { Float($0) * 0.01 })
    static let step: StepFunction<Float> = { x, s in
        let h = tanh(x + matmul(s[0], w))
        return (h, [h])
    }
    static let x = Tensor<Float>(zeros: [2, 4, 3])
    static let h = Tensor<Float>(zeros: [2, 3])

    struct BadCall: CustomStringConvertible, Sendable {
        let description: String
        let mentions: [String]
        let run: @Sendable () throws -> Void
    }

    static let badCalls: [BadCall] = [
        BadCall(description: "rank-2 inputs (E1)", mentions: ["inputs", "[2, 3]"]) {
            _ = try rnn(step, inputs: Tensor(zeros: [2, 3]), initialStates: [h])
        },
        BadCall(description: "rank-1 inputs (E2)", mentions: ["inputs", "[6]"]) {
            _ = try rnn(step, inputs: Tensor(zeros: [6]), initialStates: [h])
        },
        BadCall(description: "rank-0 inputs time-major (E3)", mentions: ["inputs"]) {
            _ = try rnn(step, inputs: Tensor(zeros: []), initialStates: [h], timeMajor: true)
        },
        BadCall(description: "T = 0 (E4/E5)", mentions: ["T=0", "[2, 0, 3]"]) {
            _ = try rnn(step, inputs: Tensor(zeros: [2, 0, 3]), initialStates: [h])
        },
        BadCall(description: "T = 0 with unroll (E4)", mentions: ["T=0"]) {
            _ = try rnn(step, inputs: Tensor(zeros: [2, 0, 3]), initialStates: [h], unroll: true)
        },
        BadCall(description: "rank-1 mask (E6)", mentions: ["mask", "[2]"]) {
            _ = try rnn(step, inputs: x, initialStates: [h], mask: Tensor(repeating: true, shape: [2]))
        },
        BadCall(description: "mask T mismatch (E9)", mentions: ["mask", "[2, 5]", "T=4"]) {
            _ = try rnn(step, inputs: x, initialStates: [h], mask: Tensor(repeating: true, shape: [2, 5]))
        },
        BadCall(description: "mask B mismatch", mentions: ["mask", "[3, 4]", "B=2"]) {
            _ = try rnn(step, inputs: x, initialStates: [h], mask: Tensor(repeating: true, shape: [3, 4]))
        },
        BadCall(description: "mask last dim k > 1 (E8)", mentions: ["mask", "[2, 4, 3]"]) {
            _ = try rnn(step, inputs: x, initialStates: [h], mask: Tensor(repeating: true, shape: [2, 4, 3]))
        },
        BadCall(description: "batch-major mask with timeMajor", mentions: ["mask", "time-major"]) {
            _ = try rnn(step, inputs: Tensor(zeros: [4, 2, 3]), initialStates: [h], mask: Tensor(repeating: true, shape: [2, 4]), timeMajor: true)
        },
        BadCall(description: "rank-1 state under a mask (E7)", mentions: ["initialStates[1]", "[2]"]) {
            let s: StepFunction<Float> = { x, st in (x, st) }
            _ = try rnn(s, inputs: x, initialStates: [h, Tensor(zeros: [2])], mask: Tensor(repeating: true, shape: [2, 4]))
        },
        BadCall(description: "rank-1 output under a mask (E7)", mentions: ["output", "[2]"]) {
            let s: StepFunction<Float> = { x, st in (x.sum(squeezingAxes: 1), st) }
            _ = try rnn(s, inputs: x, initialStates: [h], mask: Tensor(repeating: true, shape: [2, 4]))
        },
        BadCall(description: "state batch mismatch", mentions: ["initialStates[0]", "[3, 3]", "B=2"]) {
            _ = try rnn(step, inputs: x, initialStates: [Tensor(zeros: [3, 3])])
        },
        BadCall(description: "fewer states returned (E13)", mentions: ["states", "1", "2"]) {
            let s: StepFunction<Float> = { x, st in (x, [st[0]]) }
            _ = try rnn(s, inputs: x, initialStates: [h, h])
        },
        BadCall(description: "more states returned (E13)", mentions: ["states", "2", "1"]) {
            let s: StepFunction<Float> = { x, st in (x, [st[0], st[0]]) }
            _ = try rnn(s, inputs: x, initialStates: [h])
        },
        BadCall(description: "state shape changed (E14)", mentions: ["new state", "[2, 3]", "[2, 2]"]) {
            let s: StepFunction<Float> = { x, _ in (x, [x[lastAxis: 0..<2]]) }
            _ = try rnn(s, inputs: x, initialStates: [h])
        },
        BadCall(description: "state shape changed in a shard (E14)",
                mentions: ["new state", "a shard of 1 of the batch's 2 rows", "[1, 3]", "[1, 2]"]) {
            let s: StepFunction<Float> = { x, _ in (x, [x[lastAxis: 0..<2]]) }
            _ = try rnn(s, inputs: x, initialStates: [h], execution: .threads(2))
        },
        BadCall(description: "output shape changes between steps", mentions: ["output", "[2, 3]", "[2, 2]"]) {
            let s: StepFunction<Float> = { x, st in
                let first = st[0].sum(squeezingAxes: 0, 1).scalars[0] == 0
                let next = st[0] + 1
                return (first ? x : x[lastAxis: 0..<2], [next])
            }
            _ = try rnn(s, inputs: x, initialStates: [h])
        },
        BadCall(description: "output with wrong batch", mentions: ["output", "[1, 3]"]) {
            let s: StepFunction<Float> = { x, st in (x.sum(alongAxes: 0), st) }
            _ = try rnn(s, inputs: x, initialStates: [h], execution: .serial)
        },
        BadCall(description: "inputLength fixed ≠ T", mentions: ["inputLength", "3", "T=4"]) {
            _ = try rnn(step, inputs: x, initialStates: [h], inputLength: .fixed(3))
        },
        BadCall(description: "inputLength perSample count", mentions: ["inputLength", "B=2"]) {
            _ = try rnn(step, inputs: x, initialStates: [h], inputLength: .perSample([1, 2, 3]))
        },
        BadCall(description: "inputLength perSample for 2^61 steps of nothing", mentions: ["inputLength", "T=2305843009213693952", "MiB"]) {
            _ = try rnn(step, inputs: Tensor(shape: [2, 1 << 61, 0], scalars: []), initialStates: [h], inputLength: .perSample([0, 0]))
        },
        BadCall(description: "inputLength perSample out of range", mentions: ["inputLength", "5"]) {
            _ = try rnn(step, inputs: x, initialStates: [h], inputLength: .perSample([1, 5]))
        },
        BadCall(description: "threads(0)", mentions: ["threads(0)"]) {
            _ = try rnn(step, inputs: x, initialStates: [h], execution: .threads(0))
        },
        BadCall(description: "threads(-3)", mentions: ["threads(-3)"]) {
            _ = try rnn(step, inputs: x, initialStates: [h], execution: .threads(-3))
        },
        BadCall(description: "nested: empty inputs", mentions: ["inputs"]) {
            let s: NestedStepFunction<Float> = { x, st in (x, st) }
            _ = try rnn(s, inputs: .list([]), initialStates: [])
        },
        BadCall(description: "nested: leaves with different T", mentions: ["inputs leaf 1", "T=4"]) {
            let s: NestedStepFunction<Float> = { x, st in (x, st) }
            _ = try rnn(s, inputs: .list([.leaf(x), .leaf(Tensor(zeros: [2, 5, 3]))]), initialStates: [])
        },
        BadCall(description: "nested: leaves with different B", mentions: ["inputs leaf 1", "B=2"]) {
            let s: NestedStepFunction<Float> = { x, st in (x, st) }
            _ = try rnn(s, inputs: .list([.leaf(x), .leaf(Tensor(zeros: [3, 4, 3]))]), initialStates: [])
        },
        BadCall(description: "nested: new state structure differs", mentions: ["new state 0"]) {
            let s: NestedStepFunction<Float> = { x, st in (x, [.list([st[0]])]) }
            _ = try rnn(s, inputs: .leaf(x), initialStates: [.leaf(h)])
        },
        BadCall(description: "nested: output structure changes between steps", mentions: ["step output", "[*, *]"]) {
            let s: NestedStepFunction<Float> = { x, st in
                guard case let .leaf(h) = st[0] else { return (x, st) }
                let first = h.sum(squeezingAxes: 0, 1).scalars[0] == 0
                return (first ? .list([x, x]) : .list([x]), [.leaf(h + 1)])
            }
            _ = try rnn(s, inputs: .leaf(x), initialStates: [.leaf(h)], execution: .serial)
        },
        BadCall(description: "nested: new state count differs", mentions: ["states", "1", "2"]) {
            let s: NestedStepFunction<Float> = { x, st in (x, [st[0], st[0]]) }
            _ = try rnn(s, inputs: .leaf(x), initialStates: [.leaf(h)])
        },
        BadCall(description: "Tensor scalar count", mentions: ["scalars", "[2, 2]"]) {
            _ = try Tensor<Float>(shape: [2, 2], scalars: [1, 2, 3])
        },
        BadCall(description: "Tensor negative dim", mentions: ["shape", "-1"]) {
            _ = try Tensor<Float>(shape: [2, -1], scalars: [])
        },
        BadCall(description: "LSTM kernel not 4U wide", mentions: ["kernel", "[3, 6]"]) {
            _ = try LSTM(kernel: Tensor(zeros: [3, 6]), recurrentKernel: Tensor(zeros: [2, 8]), bias: nil)
        },
        BadCall(description: "LSTM recurrent kernel mismatch", mentions: ["recurrentKernel", "[3, 8]"]) {
            _ = try LSTM(kernel: Tensor(zeros: [3, 8]), recurrentKernel: Tensor(zeros: [3, 8]), bias: nil)
        },
        BadCall(description: "GRU resetAfter bias shape", mentions: ["bias", "[6]"]) {
            _ = try GRU(kernel: Tensor(zeros: [3, 6]), recurrentKernel: Tensor(zeros: [2, 6]), bias: Tensor(zeros: [6]))
        },
        BadCall(description: "GRU bias shape without resetAfter", mentions: ["bias", "[2, 6]"]) {
            _ = try GRU(kernel: Tensor(zeros: [3, 6]), recurrentKernel: Tensor(zeros: [2, 6]), bias: Tensor(zeros: [2, 6]), resetAfter: false)
        },
        BadCall(description: "SimpleRNN bias shape", mentions: ["bias", "[3]"]) {
            _ = try SimpleRNN(kernel: Tensor(zeros: [3, 2]), recurrentKernel: Tensor(zeros: [2, 2]), bias: Tensor(zeros: [3]))
        },
        BadCall(description: "cell inputs feature mismatch", mentions: ["inputs", "[2, 4, 5]"]) {
            let cell = try SimpleRNN(kernel: Tensor(zeros: [3, 2]), recurrentKernel: Tensor(zeros: [2, 2]), bias: nil)
            _ = try cell(Tensor(zeros: [2, 4, 5]))
        },
        BadCall(description: "cell rank-4 inputs", mentions: ["inputs", "[2, 4, 3, 1]", "[B, T, 3]"]) {
            let cell = try LSTM(kernel: Tensor(zeros: [3, 8]), recurrentKernel: Tensor(zeros: [2, 8]), bias: nil)
            _ = try cell(Tensor(zeros: [2, 4, 3, 1]))
        },
        BadCall(description: "cell rank-2 inputs", mentions: ["inputs", "[4, 3]", "rank at least 3"]) {
            let cell = try LSTM(kernel: Tensor(zeros: [3, 8]), recurrentKernel: Tensor(zeros: [2, 8]), bias: nil)
            _ = try cell(Tensor(zeros: [4, 3]))
        },
        BadCall(description: "cell wrong state count", mentions: ["initialStates"]) {
            let cell = try LSTM(kernel: Tensor(zeros: [3, 8]), recurrentKernel: Tensor(zeros: [2, 8]), bias: nil)
            _ = try cell(Tensor(zeros: [2, 4, 3]), initialStates: [Tensor(zeros: [2, 2])])
        },
        BadCall(description: "cell wrong state shape", mentions: ["initialStates[0]", "[2, 3]"]) {
            let cell = try GRU(kernel: Tensor(zeros: [3, 6]), recurrentKernel: Tensor(zeros: [2, 6]), bias: nil)
            _ = try cell(Tensor(zeros: [2, 4, 3]), initialStates: [Tensor(zeros: [2, 3])])
        },
        BadCall(description: "cell threads(0)", mentions: ["threads(0)"]) {
            let cell = try GRU(kernel: Tensor(zeros: [3, 6]), recurrentKernel: Tensor(zeros: [2, 6]), bias: nil)
            _ = try cell(Tensor(zeros: [2, 4, 3]), execution: .threads(0))
        },
        BadCall(description: "cell mask shape", mentions: ["mask", "[2, 3]"]) {
            let cell = try GRU(kernel: Tensor(zeros: [3, 6]), recurrentKernel: Tensor(zeros: [2, 6]), bias: nil)
            _ = try cell(Tensor(zeros: [2, 4, 3]), mask: Tensor(repeating: true, shape: [2, 3]))
        },
        BadCall(description: "cell stepFunction wrong input", mentions: ["step input", "[2, 4]"]) {
            let cell = try GRU(kernel: Tensor(zeros: [3, 6]), recurrentKernel: Tensor(zeros: [2, 6]), bias: nil)
            _ = try cell.stepFunction(Tensor(zeros: [2, 4]), [Tensor(zeros: [2, 2])])
        },
        BadCall(description: "cell stepFunction with a constant",
                mentions: ["GRU step states", "exactly 1 state", "no constants", "received 2", "[[2, 2], [2, 2]]"]) {
            let cell = try GRU(kernel: Tensor(zeros: [3, 6]), recurrentKernel: Tensor(zeros: [2, 6]), bias: nil)
            _ = try cell.stepFunction(Tensor(zeros: [2, 3]), [Tensor(zeros: [2, 2]), Tensor(zeros: [2, 2])])
        },
    ]

    @Test(arguments: badCalls)
    func throwsTypedErrorNamingArgument(_ call: BadCall) {
        do {
            try call.run()
            Issue.record("\(call) did not throw")
        } catch let error as RNNError {
            for word in call.mentions {
                #expect(error.description.contains(word), "\(call): '\(error.description)' lacks '\(word)'")
            }
        } catch {
            Issue.record("\(call) threw \(error), not an RNNError")
        }
    }

    struct Boom: Error, Equatable { let step: Int }

    @Test(arguments: [Execution.serial, .threads(2), .automatic])
    func stepErrorIsRethrownUnchanged(_ execution: Execution) throws {
        let counter = Counter()
        let s: StepFunction<Float> = { x, st in
            if counter.increment() == 3 { throw Boom(step: 3) }
            return (x, st)
        }
        #expect(throws: Boom(step: 3)) { _ = try rnn(s, inputs: Self.x, initialStates: [Self.h], execution: execution) }
        // The next call works.
        let r = try rnn(Self.step, inputs: Self.x, initialStates: [Self.h], execution: execution)
        #expect(r.outputs.shape == [2, 4, 3])
    }

    /// Keras runs each step on the whole batch, so a step that fails on row 1 at step 6 and on row 6 at step 2 raises
    /// step 2's error. Shards see it the same way even when row 6's shard runs late (it sleeps at its first step).
    @Test(arguments: [Execution.threads(2), .threads(4), .threads(8), .automatic])
    func earliestFailingStepIsReported(_ execution: Execution) throws {
        var values = [Float](repeating: 0, count: 8 * 8)
        values[1 * 8 + 6] = 106  // row 1 fails at step 6
        values[6 * 8 + 2] = 102  // row 6 fails at step 2 …
        values[6 * 8 + 0] = -1   // … after sleeping at step 0
        let x = try Tensor<Float>(shape: [8, 8, 1], scalars: values)
        let s: StepFunction<Float> = { x, st in
            let v = x.scalars
            if v.contains(-1) { usleep(50_000) }
            if let f = v.first(where: { $0 >= 100 }) { throw Boom(step: Int(f) - 100) }
            return (x, st)
        }
        for _ in 0..<2 {
            #expect(throws: Boom(step: 2)) {
                _ = try rnn(s, inputs: x, initialStates: [Tensor<Float>(zeros: [8, 1])], execution: execution)
            }
        }
    }

    @Test func maskWithoutStatesIsValid() throws {
        let s: StepFunction<Float> = { x, st in (x * 2, st) }
        let m = try Tensor<Bool>(shape: [2, 4], scalars: [true, false, true, true, false, false, false, false])
        let r = try rnn(s, inputs: Self.x + 1, initialStates: [], mask: m)
        #expect(r.newStates.isEmpty)
        #expect(r.lastOutput.scalars == [2, 2, 2, 0, 0, 0])
    }

    @Test func batchZeroReturnsEmptyOutputs() throws {
        let counter = Counter()
        let s: StepFunction<Float> = { x, st in
            _ = counter.increment()
            return (concatenated([x, x], alongAxis: 1), st)
        }
        let r = try rnn(s, inputs: Tensor(zeros: [0, 5, 3]), initialStates: [Tensor(zeros: [0, 2])],
                        mask: Tensor(repeating: true, shape: [0, 5]), execution: .threads(4))
        #expect(r.outputs.shape == [0, 5, 6])
        #expect(r.lastOutput.shape == [0, 6])
        #expect(r.newStates[0].shape == [0, 2])
        #expect(counter.value == 5)
    }

    /// Zero-size inputs may have any other dimensions whose product fits in Int: the cells reject T = 0 or sizes past
    /// Int before allocating anything by B or T (these once trapped: an out-of-memory zero state, an overflowing row
    /// width).
    @Test func cellsRejectHugeZeroSizeInputs() throws {
        let cell = try LSTM(kernel: Tensor(zeros: [3, 8]), recurrentKernel: Tensor(zeros: [2, 8]), bias: nil)
        let noSteps = try Tensor<Float>(shape: [0, 1 << 58, 3], scalars: [])
        #expect(throws: RNNError.noTimeSteps(argument: "inputs", shape: [0, 1 << 58, 3])) {
            _ = try cell(noSteps, timeMajor: true)
        }
        // Time-major, B = 0: 2^61 steps of U = 2 outputs per row are more bytes than Int counts.
        let manySteps = try Tensor<Float>(shape: [1 << 61, 0, 3], scalars: [])
        do {
            _ = try cell(manySteps, timeMajor: true)
            Issue.record("a [2^61, 0, 3] time-major input was accepted")
        } catch let RNNError.invalidArgument(argument, reason) {
            #expect(argument == "inputs [\(1 << 61), 0, 3] with U=2")
            #expect(reason.contains("more than \(Int.max) bytes"), "\(reason)")
        }
        let longRows = try Tensor<Float>(shape: [0, 1 << 61, 3], scalars: [])
        do {
            _ = try cell(longRows)
            Issue.record("a [0, 2^61, 3] batch-major input was accepted")
        } catch let RNNError.invalidArgument(argument, reason) {
            #expect(argument == "inputs")
            #expect(reason.contains("32-bit strides"), "\(reason)")
        }
        // No input features: B = 2^31 − 1 rows of nothing, whose outputs [B, 4, 64] would need 2 TiB.
        let wide = try Tensor<Float>(shape: [Int(Int32.max), 4, 0], scalars: [])
        let narrow = try LSTM(kernel: Tensor(zeros: [0, 256]), recurrentKernel: Tensor(zeros: [64, 256]), bias: nil)
        do {
            _ = try narrow(wide)
            Issue.record("a [2^31 - 1, 4, 0] input was accepted")
        } catch let RNNError.invalidArgument(argument, reason) {
            #expect(argument == "inputs [\(Int32.max), 4, 0] with U=64")
            #expect(reason.contains("of memory this process may use"), "\(reason)")
        }
        // The generic step: 2^40 steps of inputs without features, whose [1, 1024] output rows would make
        // outputs [1, 2^40, 1024]; the results are sized after the first step, before the second runs.
        let counter = Counter()
        let rows: StepFunction<Float> = { _, st in _ = counter.increment(); return (Tensor(zeros: [1, 1024]), st) }
        do {
            _ = try rnn(rows, inputs: Tensor(shape: [1, 1 << 40, 0], scalars: []), initialStates: [])
            Issue.record("[1, 2^40, 1024] outputs were accepted")
        } catch let RNNError.invalidArgument(argument, reason) {
            #expect(argument == "step output")
            #expect(reason.contains("[1, 1099511627776, 1024]"), "\(reason)")
        }
        #expect(counter.value == 1)
        // B = 0 with outputs whose rows overflow Int: [0, 2^40, 2^22] is a valid tensor (2^62 elements per row of
        // nothing), but the results [0, 2, 2^40, 2^22] are not; the rows are sized before B multiplies them to 0.
        let overflowing: StepFunction<Float> = { _, st in (try! Tensor<Float>(shape: [0, 1 << 40, 1 << 22], scalars: []), st) }
        do {
            _ = try rnn(overflowing, inputs: Tensor(zeros: [0, 2, 1]), initialStates: [])
            Issue.record("[0, 2, 2^40, 2^22] outputs were accepted")
        } catch let RNNError.invalidArgument(argument, reason) {
            #expect(argument == "step output")
            #expect(reason.contains("more than \(Int.max) bytes"), "\(reason)")
        }
        // Rows of nothing beside a large B·T: [0, 2^42] rows are valid step outputs (2^42 elements per row of
        // nothing), but [2^20, 2, 0, 2^42] results would be an invalid tensor (found by review: returned, then trapped).
        let emptyRows: StepFunction<Float> = { x, st in (Tensor(zeros: [x.shape[0], 0, 1 << 42]), st) }
        do {
            let r = try rnn(emptyRows, inputs: Tensor(shape: [1 << 20, 2, 0], scalars: []), initialStates: [],
                            execution: .serial)
            Issue.record("outputs \(r.outputs.shape) were accepted")
        } catch let RNNError.invalidArgument(argument, reason) {
            #expect(argument == "step output")
            #expect(reason.contains("more than \(Int.max) bytes"), "\(reason)")
        }
    }

    /// A zero does not make a shape valid whose other dimensions overflow Int (their product is a row's width or a
    /// stride somewhere: the generic loop's input rows and state rows trapped on these with B = 0).
    @Test func shapesWhoseNonZeroDimensionsOverflowAreInvalid() throws {
        for shape in [[0, 1 << 40, 1 << 40], [1 << 32, 0, 1 << 32], [3, 1 << 62, 0]] {
            #expect(throws: RNNError.invalidShape(argument: "shape", shape: shape)) {
                _ = try Tensor<Float>(shape: shape, scalars: [])
            }
            #expect(throws: RNNError.invalidReshape(from: [0], to: shape)) {
                _ = try Tensor<Float>(shape: [0], scalars: []).reshaped(to: shape)
            }
        }
        #expect(try Tensor<Float>(shape: [0, 1 << 31, 1 << 31], scalars: []).scalarCount == 0)
        #expect(RNNError.invalidShape(argument: "shape", shape: [0, 1 << 40, 1 << 40]).description.contains("non-zero"))
    }

    /// The cells count everything a call allocates per batch row against the memory this process may use, not just
    /// the outputs: with `returnAllOutputs: false` an LSTM's outputs are a sixteenth of it (this once trapped in
    /// the allocation or was killed).
    @Test func cellsCountStatesAndWorkspaceAgainstMemory() throws {
        let u = 1024
        let cell = try LSTM(kernel: Tensor(zeros: [0, 4 * u]), recurrentKernel: Tensor(zeros: [u, 4 * u]), bias: nil)
        // Outputs [B, 1, U] of half the memory; states, zero states and workspace are many times that.
        let batch = Int(MemoryLimit.bytes / 2) / (u * MemoryLayout<Float>.size)
        let inputs = try Tensor<Float>(shape: [batch, 1, 0], scalars: [])
        do {
            _ = try cell(inputs, returnAllOutputs: false)
            Issue.record("an LSTM call of B=\(batch), U=\(u) was accepted")
        } catch let RNNError.invalidArgument(argument, reason) {
            #expect(argument == "inputs [\(batch), 1, 0] with U=\(u)")
            #expect(reason.contains("floats per batch row"), "\(reason)")
            #expect(reason.contains("of memory this process may use"), "\(reason)")
        }
        // 2^31 rows of nothing: more than the kernels' 32-bit row counts, whatever the memory.
        let rows = try Tensor<Float>(shape: [1 << 31, 1, 0], scalars: [])
        let tiny = try LSTM(kernel: Tensor(zeros: [0, 4]), recurrentKernel: Tensor(zeros: [1, 4]), bias: nil)
        do {
            _ = try tiny(rows, execution: .serial)
            Issue.record("a batch of 2^31 rows was accepted")
        } catch let RNNError.invalidArgument(argument, reason) {
            #expect(argument == "inputs")
            #expect(reason.contains("32-bit row counts"), "\(reason)")
        }
    }
}

/// A thread-safe call counter.
final class Counter: @unchecked Sendable {
    private var count = 0
    private let lock = NSLockLike()
    func increment() -> Int { lock.withLock { count += 1; return count } }
    var value: Int { lock.withLock { count } }
}

import Foundation
typealias NSLockLike = NSLock
