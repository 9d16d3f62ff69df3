import Foundation

/// A PostgreSQL or Redis server of one test's own, which that test may restart: tests that
/// check reconnection must not cut the connections of every other test.
///
/// It lives in `$SILVASONIC_DEV_DIR/scratch/<name>`, where `deploy/dev/services.sh down` stops
/// it when a test failed before its `stop()` or the test process was killed.
public final class ScratchServer: Sendable {
    /// Which server.
    public enum Kind: String, Sendable {
        case postgres, redis
    }

    public let kind: Kind
    /// The directory the server lives in.
    public let directory: String
    /// The settings it printed (`SILVASONIC_DB_PORT`, `SILVASONIC_REDIS_URL`, ...).
    public let environment: [String: String]

    /// Starts a server with `deploy/dev/<kind>.sh start`.
    public init(_ kind: Kind) async throws {
        let base = try TestServices.require("SILVASONIC_DEV_DIR") + "/scratch"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        self.kind = kind
        self.directory = base + "/" + TestServices.uniqueName(kind.rawValue)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let output = try await Self.script(kind, "start", directory)
        var environment: [String: String] = [:]
        for line in output.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            environment[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        self.environment = environment
    }

    /// Restarts it on the same port; its clients' connections are cut.
    public func restart() async throws {
        _ = try await Self.script(kind, "restart", directory)
    }

    /// Stops it and deletes its directory.
    public func stop() async throws {
        _ = try await Self.script(kind, "stop", directory)
        try? FileManager.default.removeItem(atPath: directory)
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
