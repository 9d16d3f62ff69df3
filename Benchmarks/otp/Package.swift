// swift-tools-version: 6.1
// The Swift half of the side-by-side comparison with Erlang/OTP's supervisor (run.sh runs
// both halves). A package of its own: package-benchmark runs every executable of the package it
// is invoked in, and this one is not a package-benchmark suite.
import PackageDescription

let package = Package(
    name: "supervision-vs-otp",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "silvasonic-controller", path: "../.."),
        .package(name: "silvasonic-benchmarks", path: ".."),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
    ],
    targets: [
        .executableTarget(
            name: "supervision-vs-otp",
            dependencies: [
                .product(name: "BenchmarkSupport", package: "silvasonic-benchmarks"),
                .product(name: "Supervision", package: "silvasonic-controller"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "SupervisionVersusOTP"
        ),
    ]
)
