// swift-tools-version: 6.1
// Benchmarks of the Silvasonic controller, with ordo-one/package-benchmark.
// Run from this directory: `swift package benchmark` (see docs/benchmarks.md).
import PackageDescription

let package = Package(
    name: "silvasonic-benchmarks",
    platforms: [.macOS(.v15)],
    products: [
        // Shared with the OTP comparison's package (otp/Package.swift).
        .library(name: "BenchmarkSupport", targets: ["BenchmarkSupport"]),
    ],
    dependencies: [
        .package(name: "silvasonic-controller", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
    ],
    targets: [
        // Helpers shared by the benchmarks.
        .target(
            name: "BenchmarkSupport",
            dependencies: [
                .product(name: "Supervision", package: "silvasonic-controller"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Support"
        ),
        .executableTarget(
            name: "SupervisionBenchmarks",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Supervision", package: "silvasonic-controller"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/Supervision",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "HardwareBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SilvasonicHardware", package: "silvasonic-controller"),
                .product(name: "HardwareFixtures", package: "silvasonic-controller"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/Hardware",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "BackendBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SilvasonicPostgres", package: "silvasonic-controller"),
                .product(name: "SilvasonicRedis", package: "silvasonic-controller"),
                .product(name: "SilvasonicPodman", package: "silvasonic-controller"),
            ],
            path: "Benchmarks/Backends",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "ContainerNamesBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "ControllerCore", package: "silvasonic-controller"),
            ],
            path: "Benchmarks/ContainerNames",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "ControllerCoreBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "ControllerCore", package: "silvasonic-controller"),
            ],
            path: "Benchmarks/ControllerCore",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "SimulationBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Simulation", package: "silvasonic-controller"),
            ],
            path: "Benchmarks/Simulation",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
