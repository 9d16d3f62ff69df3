import Foundation
import SilvasonicIO
import Synchronization

/// A client for the libpod REST API (v4) over a Unix socket, through libcurl.
///
/// Requests run concurrently on a bounded pool of connections
/// (``PodmanConfiguration/maximumConnections``), each a libcurl easy handle behind its own
/// serial executor: one device's slow call (a stop waiting out its timeout) never holds up
/// another's, and a burst of calls (a hundred microphones plugged at once) is limited by Podman,
/// not by the client. Streams (logs, events) run on a ``CurlStreamLoop``, one thread for all of
/// them that holds no pool thread and wakes only for data.
public final class PodmanClient: Sendable {
    /// The socket this client talks to.
    public let configuration: PodmanConfiguration
    let streams: CurlStreamLoop
    private let connections: LeasePool<PodmanConnection>

    public init(configuration: PodmanConfiguration) {
        self.configuration = configuration
        self.streams = CurlStreamLoop(socketPath: configuration.socketPath)
        let made = Atomic(0)
        connections = LeasePool(limit: configuration.maximumConnections) { [socketPath = configuration.socketPath] in
            PodmanConnection(socketPath: socketPath, number: made.add(1, ordering: .relaxed).newValue)
        }
    }

    deinit { streams.shutdown() }

    /// How many connections the pool has opened, and how many requests wait for one.
    var connectionUsage: (made: Int, waiting: Int) { connections.usage }

    /// `GET /_ping`: true when the service answers `OK`.
    public func ping() async throws -> Bool {
        let response = try await send("GET", "/_ping", root: true)
        return response.status == 200 && String(decoding: response.body, as: UTF8.self) == "OK"
    }

    /// `GET /libpod/version`.
    public func version() async throws -> PodmanVersion {
        let response = try await send("GET", "/libpod/version")
        try check(response, "version")
        return try decode(PodmanVersion.self, response, "version")
    }

    /// Creates a container and returns its id.
    /// - Throws: ``PodmanError`` `conflict` when the name is taken, `notFound` for a missing image.
    public func create(_ spec: ContainerSpec) async throws -> String {
        let body = try JSONEncoder().encode(spec)
        let response = try await send("POST", "/libpod/containers/create", body: Array(body))
        try check(response, "create \(spec.name)")
        struct Created: Decodable { var Id: String }
        return try decode(Created.self, response, "create \(spec.name)").Id
    }

    /// Starts a created or stopped container; starting a running one is not an error.
    public func start(_ nameOrID: String) async throws {
        let response = try await send("POST", "/libpod/containers/\(Self.escape(nameOrID))/start")
        if response.status == 304 { return }
        try check(response, "start \(nameOrID)")
    }

    /// Stops a container: SIGTERM, then SIGKILL after `timeoutSeconds`. Stopping a stopped one is
    /// not an error.
    public func stop(_ nameOrID: String, timeoutSeconds: Int = 10) async throws {
        let response = try await send("POST", "/libpod/containers/\(Self.escape(nameOrID))/stop?timeout=\(timeoutSeconds)",
                                extraMilliseconds: timeoutSeconds * 1000)
        if response.status == 304 { return }
        try check(response, "stop \(nameOrID)")
    }

    /// Sends a signal (`SIGKILL`, `SIGTERM`, `SIGHUP`, ...) to the container's main process.
    /// - Throws: ``PodmanError`` `conflict` when it is not running.
    public func kill(_ nameOrID: String, signal: String = "SIGKILL") async throws {
        let response = try await send("POST", "/libpod/containers/\(Self.escape(nameOrID))/kill?signal=\(Self.escape(signal))")
        try check(response, "kill \(nameOrID)")
    }

    /// Removes a container; `force` kills a running one first without waiting (`timeout=0`).
    ///
    /// Podman 4.3 refuses a remove while its own clean-up of a container that has just exited
    /// is still settling ("container state improper: stopped", even after the `cleanup` event):
    /// such a remove waits for the container to reach `exited` (at most 10 s) and is tried once
    /// more.
    public func remove(_ nameOrID: String, force: Bool = false) async throws {
        do {
            try await removeOnce(nameOrID, force: force)
        } catch let error as PodmanError where error.isExitSettling {
            _ = try? await wait(nameOrID, condition: "exited", timeoutSeconds: 10)
            try await removeOnce(nameOrID, force: force)
        }
    }

    private func removeOnce(_ nameOrID: String, force: Bool) async throws {
        let query = force ? "?force=true&timeout=0" : ""
        let response = try await send("DELETE", "/libpod/containers/\(Self.escape(nameOrID))\(query)")
        try check(response, "remove \(nameOrID)")
    }

    /// The container's state, labels and applied settings.
    public func inspect(_ nameOrID: String) async throws -> ContainerInspection {
        let response = try await send("GET", "/libpod/containers/\(Self.escape(nameOrID))/json")
        try check(response, "inspect \(nameOrID)")
        return try decode(ContainerInspection.self, response, "inspect \(nameOrID)")
    }

    /// Waits until the container reaches `condition` (`stopped`, `exited`, `running`, ...) and
    /// returns its exit code. Holds one of the pool's connections while it waits.
    public func wait(_ nameOrID: String, condition: String = "stopped", timeoutSeconds: Int = 60) async throws -> Int {
        let response = try await send("POST", "/libpod/containers/\(Self.escape(nameOrID))/wait?condition=\(Self.escape(condition))",
                                extraMilliseconds: timeoutSeconds * 1000)
        try check(response, "wait \(nameOrID)")
        let text = String(decoding: response.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let code = Int(text) else {
            throw PodmanError(code: .invalidResponse, message: "wait \(nameOrID): \(text.prefix(200))", status: response.status)
        }
        return code
    }

    /// Lists containers in every state (not only running ones) that carry all of `labels`,
    /// optionally only those in one of `statuses` (`created`, `running`, `exited`, ...).
    public func list(labels: [String: String], statuses: [String] = []) async throws -> [ContainerSummary] {
        var filters = ["label": labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }]
        if !statuses.isEmpty { filters["status"] = statuses }
        let json = String(decoding: try JSONEncoder().encode(filters), as: UTF8.self)
        let response = try await send("GET", "/libpod/containers/json?all=true&filters=\(Self.escape(json))")
        try check(response, "list")
        return try decode([ContainerSummary]?.self, response, "list") ?? []
    }

    /// Whether a network of this name exists.
    package func networkExists(_ name: String) async throws -> Bool {
        let response = try await send("GET", "/libpod/networks/\(Self.escape(name))/exists")
        if response.status == 404 { return false }
        try check(response, "network exists \(name)")
        return true
    }

    /// Whether an image of this name is in Podman's storage.
    package func imageExists(_ name: String) async throws -> Bool {
        let response = try await send("GET", "/libpod/images/\(Self.escape(name))/exists")
        if response.status == 404 { return false }
        try check(response, "image exists \(name)")
        return true
    }

    /// Creates a bridge network.
    package func createNetwork(_ name: String) async throws {
        let body = try JSONEncoder().encode(["name": name, "driver": "bridge"])
        let response = try await send("POST", "/libpod/networks/create", body: Array(body))
        try check(response, "create network \(name)")
    }

    /// Removes a network.
    package func removeNetwork(_ name: String) async throws {
        let response = try await send("DELETE", "/libpod/networks/\(Self.escape(name))")
        try check(response, "remove network \(name)")
    }

    private func send(_ method: String, _ path: String, body: [UInt8]? = nil, root: Bool = false,
                      extraMilliseconds: Int = 0) async throws -> HTTPResponse {
        let fullPath = root ? path : "/\(configuration.apiVersion)\(path)"
        let timeout = configuration.requestTimeoutMilliseconds + extraMilliseconds
        return try await connections.withLease { connection in
            try await connection.perform(method: method, path: fullPath, body: body, timeoutMilliseconds: timeout)
        }
    }

    private func check(_ response: HTTPResponse, _ what: String) throws {
        if let error = PodmanError(response: response, what: what) { throw error }
    }

    private func decode<T: Decodable>(_ type: T.Type, _ response: HTTPResponse, _ what: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(response.body))
        } catch {
            throw PodmanError(code: .invalidResponse, message: "\(what): \(error)", status: response.status)
        }
    }

    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }
}
