// swift-tools-version: 6.2
// The getting-started example of the Supervision library, as a package of its own: what a
// program that embeds the library depends on. It names the `Supervision` and
// `SupervisionServiceLifecycle` products alone, so it builds and links none of the
// controller's C libraries (libpq, hiredis, libcurl, libasound) and needs none of their -dev
// packages; `check-links.sh` shows it.
import PackageDescription

let package = Package(
    name: "supervision-example",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "silvasonic-controller", path: "../.."),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
    ],
    targets: [
        .executableTarget(
            name: "supervision-example",
            dependencies: [
                .product(name: "Supervision", package: "silvasonic-controller"),
                .product(name: "SupervisionServiceLifecycle", package: "silvasonic-controller"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
