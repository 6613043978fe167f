import Dispatch
import Foundation
import ParallelRNN
import Synchronization

/// Shared helpers of the stress suite: scale, affinity and memory probes, a starting gate and threads released by it,
/// random workloads.
///
/// Written against the public API only. Counts scale with `PARALLELRNN_STRESS_SCALE` (default 1: about a minute in
/// debug on 2 cores; e.g. 0.25 under TSan, 10 for a soak).
enum Stress {
    /// `PARALLELRNN_STRESS_SCALE`, default 1.
    static let scale: Double = {
        guard let text = ProcessInfo.processInfo.environment["PARALLELRNN_STRESS_SCALE"], let value = Double(text),
              value > 0 else { return 1 }
        return value
    }()

    /// `base` scaled, at least `minimum`.
    static func count(_ base: Int, minimum: Int = 1) -> Int { max(minimum, Int((Double(base) * scale).rounded())) }

    /// `PARALLELRNN_ALONE=1`: this process runs one check by itself (Scripts/test's second run). Checks that measure
    /// the whole process, such as its resident memory, are only meaningful there.
    static let runsAlone = ProcessInfo.processInfo.environment["PARALLELRNN_ALONE"] == "1"

    /// CPUs the process may use (main thread's `Cpus_allowed_list`), never hard-coded.
    static let allowedCPUs: [Int] = cpuList(statusFile: "/proc/self/status") ?? []

    /// CPUs the calling thread may run on now (`/proc/thread-self/status`).
    static func currentThreadCPUs() -> [Int]? { cpuList(statusFile: "/proc/thread-self/status") }

    private static func cpuList(statusFile: String) -> [Int]? {
        guard let status = try? String(contentsOfFile: statusFile, encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") })
        else { return nil }
        return line.dropFirst("Cpus_allowed_list:".count).trimmingCharacters(in: .whitespaces)
            .split(separator: ",").flatMap { part -> [Int] in
                let bounds = part.split(separator: "-").compactMap { Int($0) }
                return bounds.count == 2 ? Array(bounds[0]...bounds[1]) : bounds
            }
    }

    /// Resident set size in bytes (`/proc/self/statm`, second field × page size).
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Executions other than `.serial` that a caller may pick, including more shards than cores.
    static var parallelExecutions: [Execution] {
        let cores = max(1, allowedCPUs.count)
        return [.automatic, .threads(2), .threads(cores), .threads(3 * cores + 1), .threads(2, pinned: false),
                .threads(cores + 1, pinned: false)]
    }
}

/// A starting gate: `count` threads call `arriveAndWait()`; all are released together once the last one arrives.
final class StartingGate: Sendable {
    private let remaining: Atomic<Int>
    private let release = DispatchSemaphore(value: 0)
    private let count: Int

    init(count: Int) {
        self.count = count
        remaining = Atomic(count)
    }

    func arriveAndWait() {
        if remaining.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 {
            for _ in 0..<count { release.signal() }
        }
        release.wait()
    }
}

extension Stress {
    /// Starts `threads` threads, releases them together (``StartingGate``) and has each run `body(thread, call, fail)`
    /// for `call` in `0..<callsPerThread`; once all are done, returns every message the calls passed to `fail`.
    static func failuresOnThreads(
        _ threads: Int, callsPerThread: Int,
        _ body: @escaping @Sendable (_ thread: Int, _ call: Int, _ fail: (String) -> Void) -> Void
    ) -> [String] {
        let gate = StartingGate(count: threads)
        let failures = Locked<[String]>([])
        let done = DispatchGroup()
        for t in 0..<threads {
            done.enter()
            Thread {
                defer { done.leave() }
                gate.arriveAndWait()
                for call in 0..<callsPerThread {
                    body(t, call) { message in failures.withLock { $0.append(message) } }
                }
            }.start()
        }
        done.wait()
        return failures.withLock { $0 }
    }
}

extension Stress {
    /// Runs `run(execution)` and `run(.serial)` and reports through `fail`, prefixed by `label`, results that differ
    /// bitwise or an error either throws.
    static func checkMatchesSerial(_ label: String, _ execution: Execution, fail: (String) -> Void,
                                   _ run: (Execution) throws -> [Tensor<Float>]) {
        do {
            if try !bitwiseEqual(run(execution), run(.serial)) { fail("\(label) \(execution): differs from serial") }
        } catch {
            fail("\(label) \(execution): threw \(type(of: error)) \(error)")
        }
    }

    /// Runs `failing` (a workload with an injected step failure) and reports through `fail` unless the call throws
    /// exactly its failure.
    static func checkInjectedFailure(_ failing: Workload, seed: UInt64, _ execution: Execution, fail: (String) -> Void) {
        do {
            _ = try failing.run(execution)
            fail("seed \(seed) \(failing): did not throw")
        } catch let error as InjectedFailure {
            if error != InjectedFailure(token: failing.failure!.token) { fail("seed \(seed): wrong token \(error)") }
        } catch {
            fail("seed \(seed) \(failing): threw \(type(of: error)) \(error)")
        }
    }
}

/// Deterministic SplitMix64.
struct StressRNG: RandomNumberGenerator, Sendable {
    var state: UInt64
    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 1 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
    mutating func bool() -> Bool { next() & 1 == 0 }
    mutating func float() -> Float { Float.random(in: -1...1, using: &self) }
}

/// The error a step throws on purpose; carries a token so the test can check the very same value comes back.
struct InjectedFailure: Error, Equatable {
    var token: UInt64
}

/// Marker put into an input element to make the step that sees it throw.
let failureSentinel: Float = 1.0e6

/// One random call of `rnn`, flat or nested, with its arguments; `run` returns every result tensor in a fixed order.
struct Workload: Sendable, CustomStringConvertible {
    var batch: Int, time: Int, units: Int
    var nested: Bool, goBackwards: Bool, timeMajor: Bool, zeroOutputForMask: Bool, returnAllOutputs: Bool
    var maskKind: Int  // 0 none, 1 random mask, 2 per-sample lengths
    var failure: (row: Int, time: Int, token: UInt64)?
    var x: Tensor<Float>
    var x2: Tensor<Float>
    var h0: Tensor<Float>
    var c0: Tensor<Float>
    var w: Tensor<Float>
    var bias: Tensor<Float>
    var mask: Tensor<Bool>?
    var lengths: InputLength?

    var description: String {
        "B\(batch) T\(time) U\(units) nested=\(nested) back=\(goBackwards) tm=\(timeMajor) zero=\(zeroOutputForMask) "
            + "all=\(returnAllOutputs) mask=\(maskKind) fail=\(failure.map { "\($0.row)@\($0.time)" } ?? "-")"
    }

    init(seed: UInt64, injectFailure: Bool = false, maximumBatch: Int = 12) {
        var g = StressRNG(seed: seed)
        batch = injectFailure ? g.int(1...maximumBatch) : g.int(0...maximumBatch)
        time = g.int(1...10)
        units = g.int(1...6)
        nested = g.bool()
        goBackwards = g.bool()
        timeMajor = g.bool()
        zeroOutputForMask = g.bool()
        returnAllOutputs = g.int(0...2) != 0
        maskKind = g.int(0...2)
        let (B, T, U) = (batch, time, units)
        func tensor(_ shape: [Int], _ g: inout StressRNG, _ factor: Float = 1) -> Tensor<Float> {
            try! Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in g.float() * factor })
        }
        let xShape = timeMajor ? [T, B, U] : [B, T, U]
        x = tensor(xShape, &g)
        x2 = tensor(xShape, &g)
        h0 = tensor([B, U], &g)
        c0 = tensor([B, U], &g)
        w = tensor([U, U], &g, 0.5)
        bias = tensor([1, U], &g, 0.1)
        if maskKind == 1 {
            let shape = timeMajor ? [T, B] : [B, T]
            mask = try! Tensor(shape: shape, scalars: (0..<(B * T)).map { _ in g.int(0...3) != 0 })
        } else if maskKind == 2 {
            lengths = .perSample((0..<B).map { _ in g.int(0...T) })
        }
        if injectFailure {
            let row = g.int(0...(B - 1)), t = g.int(0...(T - 1)), token = g.next()
            failure = (row, t, token)
            var scalars = x.scalars
            let index = timeMajor ? (t * B + row) * U : (row * T + t) * U
            scalars[index] = failureSentinel
            x = try! Tensor(shape: xShape, scalars: scalars)
        }
    }

    /// The flat step: `h' = tanh(x_t + h·W + bias)`, output `2h'`; throws at the failure sentinel.
    func flatStep(beforeEachStep: (@Sendable () -> Void)? = nil) -> StepFunction<Float> {
        let (w, bias, token) = (self.w, self.bias, failure?.token)
        return { input, states in
            beforeEachStep?()
            if let token, input.scalars.contains(failureSentinel) { throw InjectedFailure(token: token) }
            let h = tanh(input + matmul(states[0], w) + bias)
            return (h * 2, [h])
        }
    }

    /// The nested step: inputs `{a, b}`, states `[[h, c]]` + constant `[k]`, output `{y: h', z: [c', h' - c']}`.
    func nestedStep(beforeEachStep: (@Sendable () -> Void)? = nil) -> NestedStepFunction<Float> {
        let (w, token) = (self.w, failure?.token)
        return { input, states in
            beforeEachStep?()
            guard case let .dict(parts) = input, case let .leaf(a)? = parts["a"], case let .leaf(b)? = parts["b"],
                  case let .list(hs) = states[0], case let .leaf(h)? = hs.first, case let .leaf(c)? = hs.last,
                  case let .leaf(k) = states[1]
            else { fatalError("unexpected nest structure") }
            if let token, a.scalars.contains(failureSentinel) { throw InjectedFailure(token: token) }
            let h2 = tanh(a + matmul(h, w) + k)
            let c2 = c * 0.5 + tanh(b) * h2
            return (.dict(["y": .leaf(h2), "z": .list([.leaf(c2), .leaf(h2 - c2)])]), [.list([.leaf(h2), .leaf(c2)])])
        }
    }

    var nestedInputs: Nest<Tensor<Float>> { .dict(["a": .leaf(x), "b": .leaf(x2)]) }
    var nestedStates: [Nest<Tensor<Float>>] { [.list([.leaf(h0), .leaf(c0)])] }

    static func leaves(_ r: NestedRNNResult<Float>) -> [Tensor<Float>] {
        r.outputs.leaves + r.lastOutput.leaves + r.newStates.flatMap(\.leaves)
    }

    static func leaves(_ r: RNNResult<Float>) -> [Tensor<Float>] { [r.outputs, r.lastOutput] + r.newStates }

    /// Runs the call with the blocking `rnn` and returns every result tensor (outputs, last output, states; leaves).
    func run(_ execution: Execution) throws -> [Tensor<Float>] {
        if nested {
            return Self.leaves(try rnn(
                nestedStep(), inputs: nestedInputs, initialStates: nestedStates, goBackwards: goBackwards, mask: mask,
                constants: [.leaf(bias)], inputLength: lengths, timeMajor: timeMajor,
                zeroOutputForMask: zeroOutputForMask, returnAllOutputs: returnAllOutputs, execution: execution))
        }
        return Self.leaves(try rnn(
            flatStep(), inputs: x, initialStates: [h0], goBackwards: goBackwards, mask: mask, inputLength: lengths,
            timeMajor: timeMajor, zeroOutputForMask: zeroOutputForMask, returnAllOutputs: returnAllOutputs,
            execution: execution))
    }

    /// The same call through `rnnAsync`; `beforeEachStep` runs at the start of every step.
    func runAsync(_ execution: Execution, beforeEachStep: (@Sendable () -> Void)? = nil) async throws -> [Tensor<Float>] {
        if nested {
            return Self.leaves(try await rnnAsync(
                nestedStep(beforeEachStep: beforeEachStep), inputs: nestedInputs, initialStates: nestedStates,
                goBackwards: goBackwards, mask: mask, constants: [.leaf(bias)], inputLength: lengths,
                timeMajor: timeMajor, zeroOutputForMask: zeroOutputForMask, returnAllOutputs: returnAllOutputs,
                execution: execution))
        }
        return Self.leaves(try await rnnAsync(
            flatStep(beforeEachStep: beforeEachStep), inputs: x, initialStates: [h0], goBackwards: goBackwards,
            mask: mask, inputLength: lengths, timeMajor: timeMajor, zeroOutputForMask: zeroOutputForMask,
            returnAllOutputs: returnAllOutputs, execution: execution))
    }
}

/// Whether two result lists are bitwise identical, tensor by tensor.
func bitwiseEqual(_ a: [Tensor<Float>], _ b: [Tensor<Float>]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0.isBitwiseIdentical(to: $1) }
}

/// A lock-protected value. NSLock (pthread) rather than `Mutex`, whose futex ThreadSanitizer cannot see on Linux.
final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()
    init(_ value: Value) { self.value = value }
    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
