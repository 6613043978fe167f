import Foundation
import ParallelRNN
import Testing

extension StressTests {
    /// One random fused-cell call: SimpleRNN, LSTM or GRU (both bias layouts), with no mask, a random mask, or a
    /// right-padded (prefix) mask that takes the length-aware shard plan; unmasked 16- and 32-row shards run transposed.
    struct CellWorkload: Sendable, CustomStringConvertible {
        var kind: Int, batch: Int, time: Int, input: Int, units: Int
        var goBackwards: Bool, timeMajor: Bool, zeroOutputForMask: Bool, returnAllOutputs: Bool, maskKind: Int
        var x: Tensor<Float>, mask: Tensor<Bool>?, kernel: Tensor<Float>, recurrent: Tensor<Float>, bias: Tensor<Float>?

        var description: String {
            "\(["SimpleRNN", "LSTM", "GRU", "GRU(resetAfter: false)"][kind]) B\(batch) T\(time) I\(input) U\(units) "
                + "back=\(goBackwards) tm=\(timeMajor) zero=\(zeroOutputForMask) all=\(returnAllOutputs) mask=\(maskKind)"
        }

        init(seed: UInt64) {
            var g = StressRNG(seed: seed)
            kind = g.int(0...3)
            // Now and then 32 or 64 rows: unmasked, their 16/32-row shards take the transposed path.
            batch = g.int(0...7) == 0 ? [32, 64][g.int(0...1)] : g.int(0...20)
            time = g.int(1...8)
            input = g.int(1...12)
            units = g.int(1...40)
            goBackwards = g.bool()
            timeMajor = g.bool()
            zeroOutputForMask = g.bool()
            returnAllOutputs = g.int(0...2) != 0
            maskKind = g.int(0...2)
            let gates = [1, 4, 3, 3][kind]
            func tensor(_ shape: [Int], _ factor: Float, _ g: inout StressRNG) -> Tensor<Float> {
                try! Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in g.float() * factor })
            }
            let (B, T) = (batch, time)
            x = tensor(timeMajor ? [T, B, input] : [B, T, input], 1, &g)
            kernel = tensor([input, gates * units], 0.3, &g)
            recurrent = tensor([units, gates * units], 0.3, &g)
            bias = g.int(0...3) == 0 ? nil : tensor(kind == 2 ? [2, 3 * units] : [gates * units], 0.1, &g)
            var valid = [[Bool]](repeating: [Bool](repeating: true, count: T), count: B)
            if maskKind == 1 {
                for b in 0..<B { for t in 0..<T { valid[b][t] = g.int(0...3) != 0 } }
            } else if maskKind == 2 {
                for b in 0..<B { let n = g.int(0...T); for t in 0..<T { valid[b][t] = t < n } }
            }
            if maskKind != 0 {
                var bits: [Bool] = []
                if timeMajor { for t in 0..<T { for b in 0..<B { bits.append(valid[b][t]) } } }
                else { for b in 0..<B { bits.append(contentsOf: valid[b]) } }
                mask = try! Tensor(shape: timeMajor ? [T, B] : [B, T], scalars: bits)
            }
        }

        func run(_ execution: Execution) throws -> [Tensor<Float>] {
            let r: RNNResult<Float>
            switch kind {
            case 0:
                r = try SimpleRNN(kernel: kernel, recurrentKernel: recurrent, bias: bias)(
                    x, mask: mask, goBackwards: goBackwards, timeMajor: timeMajor, zeroOutputForMask: zeroOutputForMask,
                    returnAllOutputs: returnAllOutputs, execution: execution)
            case 1:
                r = try LSTM(kernel: kernel, recurrentKernel: recurrent, bias: bias)(
                    x, mask: mask, goBackwards: goBackwards, timeMajor: timeMajor, zeroOutputForMask: zeroOutputForMask,
                    returnAllOutputs: returnAllOutputs, execution: execution)
            default:
                r = try GRU(kernel: kernel, recurrentKernel: recurrent, bias: bias, resetAfter: kind == 2)(
                    x, mask: mask, goBackwards: goBackwards, timeMajor: timeMajor, zeroOutputForMask: zeroOutputForMask,
                    returnAllOutputs: returnAllOutputs, execution: execution)
            }
            return Workload.leaves(r)
        }
    }

    @Test func concurrentCellCallsMatchSerial() throws {
        let threads = max(4, 2 * Stress.allowedCPUs.count)
        let callsPerThread = Stress.count(100)
        let found = Stress.failuresOnThreads(threads, callsPerThread: callsPerThread) { t, call, fail in
            let seed = UInt64(13_000_000 + t * 10_000 + call)
            let workload = CellWorkload(seed: seed)
            let execution = Stress.parallelExecutions[Int(seed % UInt64(Stress.parallelExecutions.count))]
            Stress.checkMatchesSerial("seed \(seed) \(workload)", execution, fail: fail, workload.run)
        }
        #expect(found.count == 0, "\(found.count) failures, first: \(found.prefix(3))")
    }
}
