import ParallelRNN

/// One of the `parallel-rnn bench` presets (float32, inputs standard normal, weights × 0.1, seeded).
struct Workload: Sendable {
    enum Cell: Sendable { case lstm, gru, generic }

    let id: String
    let title: String
    let cell: Cell
    let batch: Int, time: Int, input: Int, units: Int
    let masked: Bool

    static let all: [Workload] = [
        Workload(id: "w1", title: "LSTM B64 T100 I128 U256", cell: .lstm, batch: 64, time: 100, input: 128, units: 256, masked: false),
        Workload(id: "w2", title: "GRU(resetAfter) B64 T100 I128 U256", cell: .gru, batch: 64, time: 100, input: 128, units: 256, masked: false),
        Workload(id: "w3", title: "LSTM masked B64 T100 I128 U256", cell: .lstm, batch: 64, time: 100, input: 128, units: 256, masked: true),
        Workload(id: "w4", title: "generic tanh(x+h·W) B32 T1000 U32", cell: .generic, batch: 32, time: 1000, input: 32, units: 32, masked: false),
        Workload(id: "w5", title: "LSTM B512 T50 I256 U512", cell: .lstm, batch: 512, time: 50, input: 256, units: 512, masked: false),
    ]

    /// Builds the tensors and returns a closure running one forward pass.
    func prepare() throws -> Prepared {
        var rng = SeededRandom(seed: 42)
        let (b, t, i, u) = (batch, time, input, units)
        let inputs = try Tensor<Float>(shape: [b, t, i], scalars: rng.normals(b * t * i))
        func weights(_ shape: [Int]) throws -> Tensor<Float> {
            try Tensor(shape: shape, scalars: rng.normals(shape.reduce(1, *), scale: 0.1))
        }
        var mask: Tensor<Bool>? = nil
        if masked {
            // Right-padded: sample r is valid for its first 1 + (37·r + 11) mod T steps.
            var m = [Bool](repeating: false, count: b * t)
            for r in 0..<b { for s in 0..<(1 + (37 * r + 11) % t) { m[r * t + s] = true } }
            mask = try Tensor(shape: [b, t], scalars: m)
        }
        let fixedMask = mask
        switch cell {
        case .lstm:
            let lstm = try LSTM(kernel: weights([i, 4 * u]), recurrentKernel: weights([u, 4 * u]), bias: weights([4 * u]))
            return Prepared { execution in try lstm(inputs, mask: fixedMask, execution: execution).outputs }
        case .gru:
            let gru = try GRU(kernel: weights([i, 3 * u]), recurrentKernel: weights([u, 3 * u]), bias: weights([2, 3 * u]))
            return Prepared { execution in try gru(inputs, mask: fixedMask, execution: execution).outputs }
        case .generic:
            let w = try weights([u, u])
            let h0 = Tensor<Float>(zeros: [b, u])
            let step: StepFunction<Float> = { x, states in
                let h = tanh(x + matmul(states[0], w))
                return (h, [h])
            }
            return Prepared { execution in
                try rnn(step, inputs: inputs, initialStates: [h0], mask: fixedMask, execution: execution).outputs
            }
        }
    }
}

/// A workload with its data built.
struct Prepared: Sendable {
    let run: @Sendable (Execution) throws -> Tensor<Float>
}

/// xoshiro256** seeded by SplitMix64, with Box–Muller normals (the same generator as `parallel-rnn bench`).
struct SeededRandom: RandomNumberGenerator {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    mutating func next() -> UInt64 {
        let result = ((s.1 &* 5) << 7 | (s.1 &* 5) >> 57) &* 9
        let t = s.1 << 17
        s.2 ^= s.0; s.3 ^= s.1; s.1 ^= s.2; s.0 ^= s.3
        s.2 ^= t
        s.3 = s.3 << 45 | s.3 >> 19
        return result
    }

    mutating func normals(_ count: Int, scale: Float = 1) -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(count)
        while out.count < count {
            let u1 = Double.random(in: Double.ulpOfOne..<1, using: &self)
            let u2 = Double.random(in: 0..<1, using: &self)
            let r = (-2 * log(u1)).squareRoot()
            out.append(Float(r * cos(2 * .pi * u2)) * scale)
            if out.count < count { out.append(Float(r * sin(2 * .pi * u2)) * scale) }
        }
        return out
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
