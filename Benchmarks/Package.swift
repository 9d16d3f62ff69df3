// swift-tools-version: 6.1
// Benchmarks of the Silvasonic controller, with ordo-one/package-benchmark.
// Run from this directory: `swift package benchmark` (see docs/benchmarks.md).
import PackageDescription

let package = Package(
    name: "silvasonic-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "silvasonic-controller", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "ContainerNamesBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "ControllerCore", package: "silvasonic-controller"),
            ],
            path: "Benchmarks/ContainerNames",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
