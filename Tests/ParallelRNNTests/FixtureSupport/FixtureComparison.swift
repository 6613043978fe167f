import Foundation
import ParallelRNN

// Comparing library results with fixture expectations, and with each other (bitwise).

/// Absolute tolerance per dtype: 1e-5 for float32, 1e-12 for float64 (no relative term).
func fixtureTolerance(_ dtype: String) -> Double { dtype == "float64" ? 1e-12 : 1e-5 }

/// Problems found comparing `actual` against `expected` (empty when they agree): structure, exact shapes, and
/// element values within `tolerance` (NaN must match NaN, infinities must be equal).
func fixtureMismatches<S: TensorFloatingPoint>(
    _ actual: Nest<Tensor<S>>, _ expected: FixtureNest, tolerance: Double, path: String
) -> [String] {
    switch (actual, expected) {
    case let (.leaf(a), .tensor(e)):
        return tensorMismatches(a, e, tolerance: tolerance, path: path)
    case let (.list(a), .list(e)):
        guard a.count == e.count else { return ["\(path): list of \(a.count) items, expected \(e.count)"] }
        return zip(a, e).enumerated().flatMap { i, pair in
            fixtureMismatches(pair.0, pair.1, tolerance: tolerance, path: "\(path)[\(i)]")
        }
    case let (.dict(a), .dict(e)):
        guard Set(a.keys) == Set(e.keys) else {
            return ["\(path): dict keys \(a.keys.sorted()), expected \(e.keys.sorted())"]
        }
        return e.keys.sorted().flatMap { k in fixtureMismatches(a[k]!, e[k]!, tolerance: tolerance, path: "\(path).\(k)") }
    default:
        return ["\(path): structure \(actual.kindName), expected \(expected.kindName)"]
    }
}

private func tensorMismatches<S: TensorFloatingPoint>(
    _ actual: Tensor<S>, _ expected: FixtureTensor, tolerance: Double, path: String
) -> [String] {
    guard actual.shape == expected.shape else { return ["\(path): shape \(actual.shape), expected \(expected.shape)"] }
    let a = actual.scalars.map { Double($0) }, e = expected.numbers
    var bad: [String] = []
    var worst = 0.0, worstIndex = -1, count = 0
    for i in a.indices {
        let (x, y) = (a[i], e[i])
        let ok: Bool
        if y.isNaN { ok = x.isNaN } else if y.isInfinite { ok = x == y } else { ok = abs(x - y) <= tolerance }
        if !ok {
            let d = y.isFinite && x.isFinite ? abs(x - y) : .infinity
            if d > worst || worstIndex < 0 { worst = d; worstIndex = i }
            count += 1
            if bad.count < 3 { bad.append("[\(multiIndex(i, expected.shape))] \(x) vs \(y)") }
        }
    }
    guard count > 0 else { return [] }
    return ["\(path): \(count) of \(a.count) elements differ (max |diff| \(worst) at flat \(worstIndex)); e.g. "
            + bad.joined(separator: ", ")]
}

private func multiIndex(_ flat: Int, _ shape: [Int]) -> String {
    var rest = flat, out: [Int] = []
    for d in shape.reversed() {
        out.append(d == 0 ? 0 : rest % d)
        rest = d == 0 ? 0 : rest / d
    }
    return out.reversed().map(String.init).joined(separator: ",")
}

/// Leaf pairs that are not bitwise identical (or a structure difference), as descriptions.
func nestBitwiseDifferences<S: TensorFloatingPoint>(_ a: Nest<Tensor<S>>, _ b: Nest<Tensor<S>>, path: String) -> [String] {
    let la = a.leaves, lb = b.leaves
    guard la.count == lb.count else { return ["\(path): \(la.count) leaves vs \(lb.count)"] }
    return zip(la, lb).enumerated().compactMap { i, pair in
        pair.0.isBitwiseIdentical(to: pair.1) ? nil : "\(path) leaf \(i): \(pair.0.shape) vs \(pair.1.shape), not bitwise identical"
    }
}

extension Nest {
    var kindName: String {
        switch self {
        case .leaf: return "leaf"
        case .list: return "list"
        case .dict: return "dict"
        }
    }
}

extension FixtureNest {
    var kindName: String {
        switch self {
        case .tensor: return "leaf"
        case .list: return "list"
        case .dict: return "dict"
        }
    }
}

/// Thread-safe count of step calls and of the rows they saw.
final class CallCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var calls = 0
    private var rows = 0

    func record(rows count: Int) {
        lock.lock()
        calls += 1
        rows += count
        lock.unlock()
    }

    var snapshot: (calls: Int, rows: Int) {
        lock.lock()
        defer { lock.unlock() }
        return (calls, rows)
    }
}

/// The executions every fixture runs under, with readable test names.
enum ExecutionChoice: String, CaseIterable, Sendable, CustomStringConvertible {
    case serial, threads2, threads3, automatic

    var execution: Execution {
        switch self {
        case .serial: return .serial
        case .threads2: return .threads(2)
        case .threads3: return .threads(3)
        case .automatic: return .automatic
        }
    }

    /// The exact number of shards for a batch of `batch` rows, or nil when the library chooses (automatic).
    func shardCount(batch: Int) -> Int? {
        if batch == 0 { return 1 }
        switch self {
        case .serial: return 1
        case .threads2: return min(2, batch)
        case .threads3: return min(3, batch)
        case .automatic: return nil
        }
    }

    var description: String { rawValue }
}

/// What one run of a fixture produced, in nest form (flat results as leaves).
struct FixtureRun<S: TensorFloatingPoint> {
    var lastOutput: Nest<Tensor<S>>
    var outputs: Nest<Tensor<S>>
    var newStates: [Nest<Tensor<S>>]
    var calls: Int
    var rows: Int

    /// Every mismatch against the case's expectations.
    func mismatches(against c: FixtureCase) -> [String] {
        let tol = fixtureTolerance(c.dtype)
        var out = fixtureMismatches(lastOutput, c.expected.lastOutput, tolerance: tol, path: "lastOutput")
        out += fixtureMismatches(outputs, c.expected.outputs, tolerance: tol, path: "outputs")
        if newStates.count != c.expected.newStates.count {
            out.append("newStates: \(newStates.count) states, expected \(c.expected.newStates.count)")
        } else {
            for (i, pair) in zip(newStates, c.expected.newStates).enumerated() {
                out += fixtureMismatches(pair.0, pair.1, tolerance: tol, path: "newStates[\(i)]")
            }
        }
        return out
    }

    /// Differences from another run that must be bitwise identical.
    func bitwiseDifferences(from other: FixtureRun) -> [String] {
        var out = nestBitwiseDifferences(lastOutput, other.lastOutput, path: "lastOutput")
        out += nestBitwiseDifferences(outputs, other.outputs, path: "outputs")
        out += nestBitwiseDifferences(.list(newStates), .list(other.newStates), path: "newStates")
        return out
    }
}

/// Problems with the step-call count: exactly T calls per shard and every row seen T times, unless the engine may
/// skip a shard's fully masked tail (Project decision 3), in which case fewer calls are allowed but every row must
/// be computed at least up to its last valid step.
func stepCallProblems(
    calls: Int, rows: Int, batch: Int, steps t: Int, shards: Int?, validity: [[Bool]]?
) -> [String] {
    var problems: [String] = []
    let maySkip = validity.map { rows in rows.contains { !($0.last ?? true) } } ?? false
    let maxShards = max(1, batch)
    if !maySkip {
        if let shards {
            if calls != shards * t { problems.append("step called \(calls) times, expected \(shards)·T = \(shards * t)") }
        } else if calls % t != 0 || calls / t < 1 || calls / t > maxShards {
            problems.append("step called \(calls) times: not k·T (T = \(t)) for 1 ≤ k ≤ \(maxShards)")
        }
        if rows != batch * t { problems.append("step saw \(rows) rows in all, expected B·T = \(batch * t)") }
    } else {
        let limit = (shards ?? maxShards) * t
        if calls > limit { problems.append("step called \(calls) times, expected at most \(limit)") }
        let needed = validity!.reduce(0) { sum, row in sum + ((row.lastIndex(of: true) ?? -1) + 1) }
        if rows > batch * t || rows < needed {
            problems.append("step saw \(rows) rows in all, expected \(needed)…\(batch * t)")
        }
    }
    return problems
}
