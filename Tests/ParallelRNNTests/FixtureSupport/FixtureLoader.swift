import Foundation
import ParallelRNN

// Decoding of the golden fixtures written by Scripts/generate_fixtures.py (schema documented at its top).

/// A tensor as stored in a fixture: `{"shape", "dtype", "data"}` with NaN/inf spelled "nan", "inf", "-inf".
struct FixtureTensor: Decodable, Sendable {
    let shape: [Int]
    let dtype: String
    /// The data of a float32/float64 tensor (empty for bool).
    let numbers: [Double]
    /// The data of a bool tensor (empty otherwise).
    let bools: [Bool]

    private enum Keys: String, CodingKey { case shape, dtype, data }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        shape = try c.decode([Int].self, forKey: .shape)
        dtype = try c.decode(String.self, forKey: .dtype)
        var data = try c.nestedUnkeyedContainer(forKey: .data)
        var numbers: [Double] = [], bools: [Bool] = []
        if dtype == "bool" {
            while !data.isAtEnd { bools.append(try data.decode(Bool.self)) }
        } else {
            while !data.isAtEnd {
                if let v = try? data.decode(Double.self) {
                    numbers.append(v)
                } else {
                    let s = try data.decode(String.self)
                    switch s {
                    case "nan": numbers.append(.nan)
                    case "inf": numbers.append(.infinity)
                    case "-inf": numbers.append(-.infinity)
                    default:
                        throw DecodingError.dataCorruptedError(in: data, debugDescription: "bad scalar \(s)")
                    }
                }
            }
        }
        self.numbers = numbers
        self.bools = bools
    }

    /// As a numeric tensor of `S` (float32 data converts exactly; float64 data rounds to nearest for Float).
    func numeric<S: TensorFloatingPoint>(_: S.Type = S.self) throws -> Tensor<S> {
        precondition(dtype != "bool", "fixture tensor is bool, not numeric")
        return try Tensor(shape: shape, scalars: numbers.map { S($0) })
    }

    /// As a Bool tensor (bool data), or converted with `Tensor<Bool>(numeric)` when the data is numeric.
    func mask() throws -> Tensor<Bool> {
        switch dtype {
        case "bool": return try Tensor(shape: shape, scalars: bools)
        case "float32": return Tensor<Bool>(try numeric(Float.self))
        default: return Tensor<Bool>(try numeric(Double.self))
        }
    }
}

/// A tf.nest structure of fixture tensors.
indirect enum FixtureNest: Decodable, Sendable {
    case tensor(FixtureTensor)
    case list([FixtureNest])
    case dict([String: FixtureNest])

    private enum Keys: String, CodingKey { case list, dict }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        if c.contains(.list) {
            self = .list(try c.decode([FixtureNest].self, forKey: .list))
        } else if c.contains(.dict) {
            self = .dict(try c.decode([String: FixtureNest].self, forKey: .dict))
        } else {
            self = .tensor(try FixtureTensor(from: decoder))
        }
    }

    func nest<S: TensorFloatingPoint>(_: S.Type = S.self) throws -> Nest<Tensor<S>> {
        switch self {
        case let .tensor(t): return .leaf(try t.numeric(S.self))
        case let .list(items): return .list(try items.map { try $0.nest(S.self) })
        case let .dict(entries): return .dict(try entries.mapValues { try $0.nest(S.self) })
        }
    }

    /// The single tensor of a flat case.
    func tensor<S: TensorFloatingPoint>(_: S.Type = S.self) throws -> Tensor<S> {
        guard case let .tensor(t) = self else { throw FixtureError.notFlat }
        return try t.numeric(S.self)
    }
}

/// `{"fixed": n}` or `{"perSample": [..]}`.
struct FixtureInputLength: Decodable, Sendable {
    let fixed: Int?
    let perSample: [Int]?

    var inputLength: InputLength {
        if let fixed { return .fixed(fixed) }
        return .perSample(perSample ?? [])
    }
}

/// The Keras cell of a `"step": "cell"` case.
struct FixtureCell: Decodable, Sendable {
    let type: String              // "lstm" | "gru" | "simple"
    let resetAfter: Bool?
    let activation: String        // a Keras name: "tanh" | "sigmoid" | … (FixtureCells.activation)
    let recurrentActivation: String?
    let kernel: FixtureTensor
    let recurrentKernel: FixtureTensor
    let bias: FixtureTensor?
    /// How the expected values were produced: "layer" (tf_keras layer) or "backend" (backend.rnn with the cell).
    let via: String?
}

struct FixtureExpected: Decodable, Sendable {
    let lastOutput: FixtureNest
    let outputs: FixtureNest
    let newStates: [FixtureNest]
}

/// One golden case.
struct FixtureCase: Decodable, Sendable {
    let name: String
    let description: String
    let derivation: String
    let dtype: String
    let step: String
    let params: [String: FixtureTensor]
    let flat: Bool
    let inputs: FixtureNest
    let initialStates: [FixtureNest]
    let constants: [FixtureNest]
    let mask: FixtureTensor?
    let maskIsNumeric: Bool?
    let goBackwards: Bool
    let timeMajor: Bool
    let zeroOutputForMask: Bool
    let returnAllOutputs: Bool
    let unroll: Bool
    let inputLength: FixtureInputLength?
    let expected: FixtureExpected
    let stepCalls: Int
    let cell: FixtureCell?

    /// The numeric parameters of the step, by name.
    func parameters<S: TensorFloatingPoint>(_: S.Type = S.self) throws -> [String: Tensor<S>] {
        try params.mapValues { try $0.numeric(S.self) }
    }

    /// The mask as the library takes it (numeric masks converted with `Tensor<Bool>(numeric)`).
    func maskTensor() throws -> Tensor<Bool>? { try mask?.mask() }

    /// Batch size of the inputs (from the first leaf in tf.nest order).
    var batchSize: Int {
        let shape = firstLeaf(inputs).shape
        return timeMajor ? shape[1] : shape[0]
    }

    /// valid[b][k] in processing order (k-th step call), from the mask or the per-sample lengths; nil if unmasked.
    func processingValidity() throws -> [[Bool]]? {
        let b = batchSize, t = stepCalls
        var valid: [[Bool]]
        if let m = try maskTensor() {
            let s = m.scalars
            valid = (0..<b).map { row in (0..<t).map { time in timeMajor ? s[time * b + row] : s[row * t + time] } }
        } else if let lengths = inputLength?.perSample {
            valid = lengths.map { l in (0..<t).map { $0 < l } }
        } else {
            return nil
        }
        if goBackwards { valid = valid.map { Array($0.reversed()) } }
        return valid
    }
}

private func firstLeaf(_ n: FixtureNest) -> FixtureTensor {
    switch n {
    case let .tensor(t): return t
    case let .list(items): return firstLeaf(items[0])
    case let .dict(entries): return firstLeaf(entries[entries.keys.sorted()[0]]!)
    }
}

enum FixtureError: Error, CustomStringConvertible {
    case missingFolder
    case notFlat
    case unknownStep(String)
    case unknownDtype(String)

    var description: String {
        switch self {
        case .missingFolder: return "the Fixtures resource folder is missing from the test bundle"
        case .notFlat: return "a flat case holds a nested value"
        case let .unknownStep(s): return "no step named \(s) in StepCatalog"
        case let .unknownDtype(s): return "unknown dtype \(s)"
        }
    }
}

/// Lists and reads the fixtures in the test bundle's "Fixtures" folder.
enum FixtureLoader {
    static var folder: URL? { Bundle.module.url(forResource: "Fixtures", withExtension: nil) }

    /// Every case name (file name without ".json"), sorted.
    static func allNames() -> [String] {
        guard let folder,
              let files = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return [] }
        return files.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// Names of the `rnn` cases (catalog steps).
    static var rnnCaseNames: [String] { allNames().filter { !$0.hasPrefix("cell_") } }
    /// Names of the Keras cell cases.
    static var cellCaseNames: [String] { allNames().filter { $0.hasPrefix("cell_") } }

    static func load(_ name: String) throws -> FixtureCase {
        guard let folder else { throw FixtureError.missingFolder }
        let data = try Data(contentsOf: folder.appendingPathComponent(name + ".json"))
        return try JSONDecoder().decode(FixtureCase.self, from: data)
    }
}
