// swift-tools-version: 6.1
// libFuzzer targets for the parsers of untrusted input: kernel text, container log frames, Redis URLs,
// the settings, seed profiles and what Redis sends on the nudge channel. Build and run with Fuzz/run.sh.
import PackageDescription

let package = Package(
    name: "silvasonic-fuzz",
    dependencies: [.package(name: "silvasonic-controller", path: "..")],
    targets: [
        .target(name: "FuzzDriver"),
        .executableTarget(
            name: "CardsFuzzer",
            dependencies: ["FuzzDriver", .product(name: "SilvasonicHardware", package: "silvasonic-controller")]
        ),
        .executableTarget(
            name: "UEventFuzzer",
            dependencies: ["FuzzDriver", .product(name: "SilvasonicHardware", package: "silvasonic-controller")]
        ),
        .executableTarget(
            name: "LogFrameFuzzer",
            dependencies: ["FuzzDriver", .product(name: "SilvasonicPodman", package: "silvasonic-controller")]
        ),
        .executableTarget(
            name: "RedisURLFuzzer",
            dependencies: ["FuzzDriver", .product(name: "SilvasonicRedis", package: "silvasonic-controller")]
        ),
        .executableTarget(
            name: "NudgeFuzzer",
            dependencies: ["FuzzDriver", .product(name: "SilvasonicRedis", package: "silvasonic-controller"),
                           .product(name: "SilvasonicController", package: "silvasonic-controller")]
        ),
        .executableTarget(
            name: "SettingsFuzzer",
            dependencies: ["FuzzDriver", .product(name: "SilvasonicController", package: "silvasonic-controller"),
                           .product(name: "ControllerCore", package: "silvasonic-controller"),
                           .product(name: "SilvasonicPodman", package: "silvasonic-controller"),
                           .product(name: "SilvasonicPostgres", package: "silvasonic-controller"),
                           .product(name: "SilvasonicRedis", package: "silvasonic-controller")]
        ),
        .executableTarget(
            name: "ProfileFuzzer",
            dependencies: ["FuzzDriver", .product(name: "SilvasonicController", package: "silvasonic-controller"),
                           .product(name: "ControllerCore", package: "silvasonic-controller")]
        ),
    ]
)
