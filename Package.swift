// swift-tools-version: 6.2
// The Silvasonic controller: a supervision tree that keeps USB microphones recording.
import PackageDescription

/// `SILVASONIC_WARNINGS_AS_ERRORS=1` (set by `deploy/dev/test.sh`, so by CI): a warning in the
/// project's own targets fails the build; dependencies are not affected (SwiftPM builds them
/// with their warnings suppressed). Off otherwise, so a newer compiler's new warning never stops
/// a station's build.
let warningsAsErrors: [SwiftSetting] = Context.environment["SILVASONIC_WARNINGS_AS_ERRORS"] == "1"
    ? [.treatAllWarnings(as: .error)] : []

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
] + warningsAsErrors

let package = Package(
    name: "silvasonic-controller",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "silvasonic-controller", targets: ["silvasonic-controller"]),
        .executable(name: "silvasonic-sim-recorder", targets: ["silvasonic-sim-recorder"]),
        .library(name: "Supervision", targets: ["Supervision"]),
        .library(name: "SupervisionTesting", targets: ["SupervisionTesting"]),
        .library(name: "SupervisionServiceLifecycle", targets: ["SupervisionServiceLifecycle"]),
        .library(name: "ControllerCore", targets: ["ControllerCore"]),
        .library(name: "SilvasonicController", targets: ["SilvasonicController"]),
        .library(name: "ControllerHTTP", targets: ["ControllerHTTP"]),
        .library(name: "SilvasonicPostgres", targets: ["SilvasonicPostgres"]),
        .library(name: "SilvasonicRedis", targets: ["SilvasonicRedis"]),
        .library(name: "SilvasonicPodman", targets: ["SilvasonicPodman"]),
        .library(name: "SilvasonicHardware", targets: ["SilvasonicHardware"]),
        .library(name: "HardwareFixtures", targets: ["HardwareFixtures"]),
        .library(name: "InMemoryBackends", targets: ["InMemoryBackends"]),
        .library(name: "Simulation", targets: ["Simulation"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.0"..<"5.0.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "5.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.5.0"),
        // Hummingbird's own: named for the HTTP server's request-head timeout (a channel handler).
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.24.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.4.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.0.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.1.0"),
        // `swift package generate-documentation --target Supervision` (a command plugin: nothing
        // of it is linked into a product).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin.git", from: "1.4.0"),
    ],
    targets: [
        // C libraries, found through pkg-config; `providers` names the Debian packages.
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        // hiredis's pkg-config adds `-D_FILE_OFFSET_BITS=64`, which SwiftPM drops with a warning on
        // every build; the shim includes <hiredis/hiredis.h> from /usr/include, so it needs none of
        // it (libhiredis-dev, installed by deploy/dev/install-deps.sh).
        .systemLibrary(name: "CHiredis"),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CALSA", pkgConfig: "alsa", providers: [.apt(["libasound2-dev"])]),
        .systemLibrary(name: "CNetlink"),
        .systemLibrary(name: "CXCrypt", pkgConfig: "libcrypt", providers: [.apt(["libcrypt-dev"])]),

        // The supervision library: OTP strategies, restart intensity, backoff, introspection.
        .target(
            name: "Supervision",
            dependencies: [.product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        // A manual clock and helpers for testing supervision trees without sleeping.
        .target(name: "SupervisionTesting", dependencies: ["Supervision"], swiftSettings: strict),
        // Supervisors as swift-service-lifecycle Services, and Services as supervised children.
        .target(
            name: "SupervisionServiceLifecycle",
            dependencies: ["Supervision", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
            swiftSettings: strict
        ),

        // Pure domain: names, hashes, matching, state machines. No I/O.
        .target(
            name: "ControllerCore",
            dependencies: ["Supervision", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),

        // Serial executors that keep blocking C calls off the cooperative pool.
        .target(name: "SilvasonicIO", dependencies: ["Supervision"], swiftSettings: strict),

        // Backend clients, one module each; C handles never leave them.
        .target(
            name: "SilvasonicPostgres",
            dependencies: ["CLibPQ", "SilvasonicIO", "Supervision"],
            swiftSettings: strict
        ),
        .target(
            name: "SilvasonicRedis",
            dependencies: ["CHiredis", "SilvasonicIO", "Supervision"],
            swiftSettings: strict
        ),
        .target(
            name: "SilvasonicPodman",
            dependencies: ["CCurl", "SilvasonicIO", "Supervision"],
            swiftSettings: strict
        ),
        .target(
            name: "SilvasonicHardware",
            dependencies: ["CALSA", "CNetlink", "SilvasonicIO", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),

        // The controller: the actors that carry ControllerCore's decisions out against the backends.
        // The simulated station: the real tree on in-memory backends, for the benchmark harness.
        .target(
            name: "Simulation",
            dependencies: [
                "SilvasonicController", "ControllerCore", "InMemoryBackends", "SilvasonicHardware", "SilvasonicIO",
                "SilvasonicPodman", "SilvasonicPostgres", "SilvasonicRedis", "Supervision",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "ControllerHTTP",
            dependencies: [
                "SilvasonicController", "SilvasonicIO",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "SilvasonicController",
            dependencies: [
                "ControllerCore", "Supervision", "SilvasonicIO", "SilvasonicPostgres", "SilvasonicRedis",
                "SilvasonicPodman", "SilvasonicHardware", "CXCrypt",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),

        // The backends in memory, behind the clients' own protocols: for the controller's tests
        // and the simulation.
        .target(
            name: "InMemoryBackends",
            dependencies: ["SilvasonicPodman", "SilvasonicRedis", "SilvasonicIO", "Supervision"],
            swiftSettings: strict
        ),

        // Fake /proc and /sys trees for tests, benchmarks and the simulated station.
        .target(name: "HardwareFixtures", dependencies: ["SilvasonicHardware"], swiftSettings: strict),

        .executableTarget(
            name: "silvasonic-controller",
            dependencies: [
                "ControllerCore",
                "SilvasonicHardware",
                "SilvasonicController",
                "ControllerHTTP",
                "Simulation",
                "SilvasonicIO",
                "SilvasonicPodman",
                "Supervision",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),

        // The test recorder: what the test recorder image runs (deploy/dev/build-recorder-image.sh).
        .executableTarget(name: "silvasonic-sim-recorder", dependencies: ["SilvasonicRedis"], swiftSettings: strict),

        // Shared test helpers: the settings of the real services the test command starts.
        .target(
            name: "TestSupport",
            dependencies: ["SilvasonicIO"],
            path: "Tests/TestSupport",
            swiftSettings: strict
        ),
        .testTarget(
            name: "SupervisionTests",
            dependencies: [
                "Supervision", "SupervisionTesting",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SupervisionServiceLifecycleTests",
            dependencies: [
                "Supervision", "SupervisionServiceLifecycle",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "InMemoryBackendsTests",
            dependencies: ["InMemoryBackends", "SilvasonicPodman", "SilvasonicRedis", "SilvasonicIO", "Supervision", "SupervisionTesting"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SilvasonicControllerTests",
            dependencies: [
                "SilvasonicController", "ControllerCore", "InMemoryBackends", "SilvasonicPostgres", "SilvasonicPodman", "Simulation",
                "SilvasonicIO", "Supervision", "SupervisionTesting", "TestSupport", "HardwareFixtures", "SilvasonicHardware",
                "SilvasonicRedis",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "SilvasonicIOTests", dependencies: ["SilvasonicIO", "Supervision"], swiftSettings: strict),
        .testTarget(name: "ControllerCoreTests", dependencies: ["ControllerCore", "Supervision", "SupervisionTesting"], swiftSettings: strict),
        .testTarget(
            name: "SilvasonicPostgresTests",
            dependencies: ["SilvasonicPostgres", "SilvasonicIO", "Supervision", "TestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SilvasonicRedisTests",
            dependencies: ["SilvasonicRedis", "SilvasonicIO", "Supervision", "TestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SilvasonicPodmanTests",
            dependencies: ["SilvasonicPodman", "SilvasonicIO", "Supervision", "TestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SilvasonicHardwareTests",
            dependencies: [
                "SilvasonicHardware", "HardwareFixtures", "SupervisionTesting",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strict
        ),
    ]
)
