import Foundation

/// A PostgreSQL or Redis server of one test's own, which that test may restart: tests that
/// check reconnection must not cut the connections of every other test.
///
/// It lives in `$SILVASONIC_DEV_DIR/scratch/<name>`, where `deploy/dev/services.sh down` stops
/// it when a test failed before its `stop()` or the test process was killed.
public final class ScratchServer: Sendable {
    /// Which server.
    public enum Kind: String, Sendable {
        /// PostgreSQL 15 (`deploy/dev/postgres.sh`).
        case postgres
        /// redis-server (`deploy/dev/redis.sh`).
        case redis
        /// A Podman API service with storage of its own and the minimal test image
        /// (`deploy/dev/podman.sh`, `build-image.sh`).
        case podman
    }

    public let kind: Kind
    /// The directory the server lives in.
    public let directory: String
    /// The link to it from the scratch directory, when it lives elsewhere.
    private let link: String?
    /// The settings it printed (`SILVASONIC_DB_PORT`, `SILVASONIC_REDIS_URL`, ...).
    public let environment: [String: String]

    /// Starts a server with `deploy/dev/<kind>.sh start`.
    public init(_ kind: Kind) async throws {
        let base = try TestServices.require("SILVASONIC_DEV_DIR") + "/scratch"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        self.kind = kind
        let name = TestServices.uniqueName(kind.rawValue)
        if kind == .podman {
            // Podman refuses a runroot path longer than 50 characters: live in a short
            // directory, linked from the scratch directory so that `services.sh down` finds it.
            let short = "/tmp/silvasonic-dev/p\(UInt32.random(in: 0...UInt32.max))"
            try FileManager.default.createDirectory(atPath: short, withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: base + "/" + name, withDestinationPath: short)
            self.directory = short
            self.link = base + "/" + name
        } else {
            self.directory = base + "/" + name
            self.link = nil
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let output = try await Self.script(kind, "start", directory)
        if kind == .podman {
            let built = try await Subprocess.run(Self.repositoryRoot + "/deploy/dev/build-image.sh",
                                                 [directory, Self.podmanImage])
            guard built.status == 0 else { throw ScriptFailed(description: "build-image.sh exited with \(built.status)") }
        }
        var environment: [String: String] = [:]
        for line in output.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            environment[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        self.environment = environment
    }

    /// The image a scratch Podman has.
    public static let podmanImage = "localhost/silvasonic-minimal:latest"

    /// Restarts it on the same port or socket; its clients' connections are cut.
    public func restart() async throws {
        _ = try await Self.script(kind, "restart", directory)
    }

    /// Runs another command of its script (`stop-service`, `start-service` for Podman).
    public func run(_ command: String) async throws {
        _ = try await Self.script(kind, command, directory)
    }

    /// Stops it and deletes its directory.
    public func stop() async throws {
        _ = try await Self.script(kind, "stop", directory)
        try? FileManager.default.removeItem(atPath: directory)
        if let link { try? FileManager.default.removeItem(atPath: link) }
    }

    /// Runs `deploy/dev/<kind>.sh command directory` and returns its standard output.
    private static func script(_ kind: Kind, _ command: String, _ directory: String) async throws -> String {
        let result = try await Subprocess.run(repositoryRoot + "/deploy/dev/\(kind.rawValue).sh", [command, directory])
        guard result.status == 0 else {
            throw ScriptFailed(description: "deploy/dev/\(kind.rawValue).sh \(command) exited with \(result.status)")
        }
        return result.output
    }

    /// The repository's top directory, found from this file's path.
    public static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    struct ScriptFailed: Error, CustomStringConvertible {
        var description: String
    }
}
