// swift-tools-version:6.0
import PackageDescription

// Data path: Tensor → loop semantics (Loop) → scheduling (Scheduling) → cells and kernels (Cells, _ParallelRNNKernels) → CLI.
let package = Package(
    name: "ParallelRNN",
    products: [
        .library(name: "ParallelRNN", targets: ["ParallelRNN"]),
        .executable(name: "parallel-rnn", targets: ["parallel-rnn"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.19"),
    ],
    targets: [
        // hwloc through pkg-config; the shim turns what does not import into functions.
        .systemLibrary(
            name: "CHwloc",
            path: "Sources/CHwloc",
            pkgConfig: "hwloc",
            providers: [.apt(["libhwloc-dev"])]
        ),
        // ISA-specific kernels (AVX-512 / AVX2+FMA / portable) chosen at run time; no unsafeFlags.
        .target(
            name: "_ParallelRNNKernels",
            path: "Sources/_ParallelRNNKernels"
        ),
        .target(
            name: "ParallelRNN",
            dependencies: [
                "CHwloc",
                "_ParallelRNNKernels",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),
        .executableTarget(
            name: "parallel-rnn",
            dependencies: [
                "ParallelRNN",
                "_ParallelRNNKernels",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "ParallelRNNTests",
            dependencies: ["ParallelRNN", "_ParallelRNNKernels"],
            resources: [.copy("Fixtures"), .copy("ActivationFixtures")]
        ),
        .testTarget(
            name: "ParallelRNNStressTests",
            dependencies: ["ParallelRNN"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
