import ParallelRNN
import Testing

/// Golden tests against tf_keras 2.21 `backend.rnn` (fixtures from Scripts/generate_fixtures.py): every case under
/// every execution, within 1e-5 (float32) / 1e-12 (float64) absolute, exact shapes, exactly T step calls per shard,
/// and every sharded result bitwise identical to the serial one.
@Suite("tf_keras golden fixtures")
struct KerasFixtureTests {
    static let caseNames = FixtureLoader.rnnCaseNames

    @Test("the fixture folder holds the generated cases")
    func fixturesArePresent() throws {
        #expect(Self.caseNames.count >= 60, "found \(Self.caseNames.count) rnn fixtures")
    }

    @Test("rnn matches tf_keras", arguments: caseNames, ExecutionChoice.allCases)
    func matchesKeras(name: String, execution: ExecutionChoice) throws {
        let c = try FixtureLoader.load(name)
        switch c.dtype {
        case "float32": try check(c, Float.self, execution)
        case "float64": try check(c, Double.self, execution)
        default: throw FixtureError.unknownDtype(c.dtype)
        }
    }

    static let flatCaseNames = caseNames.filter { (try? FixtureLoader.load($0).flat) == true }

    @Test("flat cases through the Nest overload match tf_keras and the flat overload bitwise",
          arguments: flatCaseNames, [ExecutionChoice.serial, .threads3])
    func flatThroughNestOverload(name: String, execution: ExecutionChoice) throws {
        let c = try FixtureLoader.load(name)
        switch c.dtype {
        case "float32": try checkNest(c, Float.self, execution)
        case "float64": try checkNest(c, Double.self, execution)
        default: throw FixtureError.unknownDtype(c.dtype)
        }
    }

    private func checkNest<S: TensorFloatingPoint>(_ c: FixtureCase, _: S.Type, _ choice: ExecutionChoice) throws {
        let nested = try FixtureRunner.runFlatAsNest(c, S.self, execution: choice.execution)
        let mismatches = nested.mismatches(against: c)
        #expect(mismatches.isEmpty, "\(c.name) [Nest, \(choice)]: \(mismatches.joined(separator: "; "))")
        let flat = try FixtureRunner.run(c, S.self, execution: choice.execution)
        let differences = nested.bitwiseDifferences(from: flat)
        #expect(differences.isEmpty, "\(c.name) [Nest vs flat, \(choice)]: \(differences.joined(separator: "; "))")
    }

    private func check<S: TensorFloatingPoint>(_ c: FixtureCase, _: S.Type, _ choice: ExecutionChoice) throws {
        let result = try FixtureRunner.run(c, S.self, execution: choice.execution)
        let mismatches = result.mismatches(against: c)
        #expect(mismatches.isEmpty, "\(c.name) [\(choice)]: \(mismatches.joined(separator: "; "))")

        let calls = stepCallProblems(calls: result.calls, rows: result.rows, batch: c.batchSize, steps: c.stepCalls,
                                     shards: choice.shardCount(batch: c.batchSize), validity: try c.processingValidity())
        #expect(calls.isEmpty, "\(c.name) [\(choice)]: \(calls.joined(separator: "; "))")

        if choice != .serial {
            let serial = try FixtureRunner.run(c, S.self, execution: .serial)
            let differences = result.bitwiseDifferences(from: serial)
            #expect(differences.isEmpty, "\(c.name) [\(choice)] vs serial: \(differences.joined(separator: "; "))")
        }
    }
}
