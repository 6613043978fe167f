// swift-tools-version: 6.1
// package-benchmark suite for ParallelRNN (public API only): the five `parallel-rnn bench` workloads and the
// Tensor-level kernels, with wall clock, throughput and malloc metrics.
//
//   cd Benchmarks && swift package benchmark            # run all
//   swift package benchmark --filter "w1.*"             # one workload
import PackageDescription

let package = Package(
    name: "ParallelRNNBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "ParallelRNN", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "RNNBenchmarks",
            dependencies: [
                .product(name: "ParallelRNN", package: "ParallelRNN"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/RNNBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
