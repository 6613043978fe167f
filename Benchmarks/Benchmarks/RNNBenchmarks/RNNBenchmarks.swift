// The five `parallel-rnn bench` workloads (`Sources/parallel-rnn/Workload.swift`) and the Tensor-level kernels they use, through the
// public ParallelRNN API only. Each workload runs serially (one shard on the calling thread) and with
// Execution.automatic; metrics include allocations (malloc interposer), so a regression in per-step allocations
// shows up next to the wall clock.
import Benchmark
import ParallelRNN

let benchmarks: @Sendable () -> Void = {
    let workloadConfiguration = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .mallocBytesCount, .peakMemoryResident],
        warmupIterations: 1,
        maxDuration: .seconds(5),
        maxIterations: 20
    )
    for workload in Workload.all {
        for (label, execution) in [("serial", Execution.serial), ("automatic", Execution.automatic)] {
            Benchmark("\(workload.id) \(workload.title) [\(label)]", configuration: workloadConfiguration) { (benchmark: Benchmark, prepared: Prepared) in
                for _ in benchmark.scaledIterations { blackHole(try prepared.run(execution)) }
            } setup: {
                try workload.prepare()
            }
        }
    }

    let kernelConfiguration = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        warmupIterations: 3,
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 1000
    )
    // The fused LSTM step's product for w1: [64, 384] × [384, 1024] (x‖h times the stacked kernels).
    Benchmark("kernel matmul [64,384]×[384,1024] f32", configuration: .init(
        metrics: kernelConfiguration.metrics, warmupIterations: 3, maxDuration: .seconds(3), maxIterations: 1000
    )) { (benchmark: Benchmark, operands: (Tensor<Float>, Tensor<Float>)) in
        for _ in benchmark.scaledIterations { blackHole(matmul(operands.0, operands.1)) }
    } setup: {
        var rng = SeededRandom(seed: 1)
        return (try Tensor<Float>(shape: [64, 384], scalars: rng.normals(64 * 384)),
                try Tensor<Float>(shape: [384, 1024], scalars: rng.normals(384 * 1024, scale: 0.1)))
    }
    Benchmark("kernel tanh 64×1024 f32", configuration: kernelConfiguration) { (benchmark: Benchmark, x: Tensor<Float>) in
        for _ in benchmark.scaledIterations { blackHole(tanh(x)) }
    } setup: {
        var rng = SeededRandom(seed: 2)
        return try Tensor<Float>(shape: [64, 1024], scalars: rng.normals(64 * 1024))
    }
    Benchmark("kernel sigmoid 64×1024 f32", configuration: kernelConfiguration) { (benchmark: Benchmark, x: Tensor<Float>) in
        for _ in benchmark.scaledIterations { blackHole(sigmoid(x)) }
    } setup: {
        var rng = SeededRandom(seed: 3)
        return try Tensor<Float>(shape: [64, 1024], scalars: rng.normals(64 * 1024))
    }
    // w4's step body at one time step: tanh(x_t + matmul(h, W)) on [32, 32].
    Benchmark("kernel generic step tanh(x + h·W) [32,32] f32", configuration: kernelConfiguration) { (benchmark: Benchmark, t: (Tensor<Float>, Tensor<Float>, Tensor<Float>)) in
        for _ in benchmark.scaledIterations { blackHole(tanh(t.0 + matmul(t.1, t.2))) }
    } setup: {
        var rng = SeededRandom(seed: 4)
        return (try Tensor<Float>(shape: [32, 32], scalars: rng.normals(1024)),
                try Tensor<Float>(shape: [32, 32], scalars: rng.normals(1024)),
                try Tensor<Float>(shape: [32, 32], scalars: rng.normals(1024, scale: 0.1)))
    }
}
