import ParallelRNN
import Testing

/// Golden tests of the fused Keras cells (LSTM, GRU with resetAfter true/false, SimpleRNN) against tf_keras 2.21
/// layers / backend.rnn with the Keras cell: both `callAsFunction` and `rnn(cell.stepFunction, ...)`, within 1e-5
/// absolute, exact shapes, and every sharded result bitwise identical to the serial one.
@Suite("Keras cell golden fixtures")
struct CellFixtureTests {
    static let caseNames = FixtureLoader.cellCaseNames
    static let executions: [ExecutionChoice] = [.serial, .threads2, .automatic]

    @Test("the fixture folder holds the cell cases")
    func fixturesArePresent() {
        #expect(Self.caseNames.count >= 25, "found \(Self.caseNames.count) cell fixtures")
    }

    @Test("fused cell matches tf_keras", arguments: caseNames, executions)
    func fusedCell(name: String, execution: ExecutionChoice) throws {
        let c = try FixtureLoader.load(name)
        let result = try CellFixtureRunner.fused(c, execution: execution.execution)
        let mismatches = result.mismatches(against: c)
        #expect(mismatches.isEmpty, "\(name) [fused, \(execution)]: \(mismatches.joined(separator: "; "))")
        if execution != .serial {
            let serial = try CellFixtureRunner.fused(c, execution: .serial)
            let differences = result.bitwiseDifferences(from: serial)
            #expect(differences.isEmpty, "\(name) [fused, \(execution)] vs serial: \(differences.joined(separator: "; "))")
        }
    }

    @Test("cell.stepFunction through rnn matches tf_keras", arguments: caseNames, executions)
    func stepFunctionThroughRNN(name: String, execution: ExecutionChoice) throws {
        let c = try FixtureLoader.load(name)
        let result = try CellFixtureRunner.viaRNN(c, execution: execution.execution)
        let mismatches = result.mismatches(against: c)
        #expect(mismatches.isEmpty, "\(name) [stepFunction, \(execution)]: \(mismatches.joined(separator: "; "))")
        let calls = stepCallProblems(calls: result.calls, rows: result.rows, batch: c.batchSize, steps: c.stepCalls,
                                     shards: execution.shardCount(batch: c.batchSize),
                                     validity: try c.processingValidity())
        #expect(calls.isEmpty, "\(name) [stepFunction, \(execution)]: \(calls.joined(separator: "; "))")
        if execution != .serial {
            let serial = try CellFixtureRunner.viaRNN(c, execution: .serial)
            let differences = result.bitwiseDifferences(from: serial)
            #expect(differences.isEmpty,
                    "\(name) [stepFunction, \(execution)] vs serial: \(differences.joined(separator: "; "))")
        }
    }
}
