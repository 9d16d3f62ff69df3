import Foundation
import SilvasonicIO

/// A client for the libpod REST API over a Unix socket, through libcurl.
///
/// libcurl's easy interface blocks, so the actor runs on its own ``QueueExecutor``; its one
/// curl handle never leaves it.
public actor PodmanClient {
    private let executor = QueueExecutor(label: "silvasonic.podman")
    private var transport: CurlTransport?
    /// The socket this client talks to.
    public nonisolated let configuration: PodmanConfiguration

    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    public init(configuration: PodmanConfiguration) {
        self.configuration = configuration
    }

    /// `GET /_ping`: true when the service answers `OK`.
    public func ping() throws -> Bool {
        let response = try send("GET", "/_ping", root: true)
        return response.status == 200 && String(decoding: response.body, as: UTF8.self) == "OK"
    }

    /// Creates a container and returns its id.
    public func create(_ request: ContainerCreateRequest) throws -> String {
        let body = try JSONEncoder().encode(request)
        let response = try send("POST", "/libpod/containers/create", body: Array(body))
        try check(response, "create \(request.name)")
        struct Created: Decodable { var Id: String }
        return try decode(Created.self, response, "create \(request.name)").Id
    }

    /// Starts a created or stopped container.
    public func start(_ nameOrID: String) throws {
        let response = try send("POST", "/libpod/containers/\(Self.escape(nameOrID))/start")
        if response.status == 304 { return }
        try check(response, "start \(nameOrID)")
    }

    /// Stops a container: SIGTERM, then SIGKILL after `timeoutSeconds`.
    public func stop(_ nameOrID: String, timeoutSeconds: Int = 10) throws {
        let response = try send("POST", "/libpod/containers/\(Self.escape(nameOrID))/stop?timeout=\(timeoutSeconds)",
                                extraMilliseconds: timeoutSeconds * 1000)
        if response.status == 304 { return }
        try check(response, "stop \(nameOrID)")
    }

    /// Removes a container; `force` stops it first without waiting.
    public func remove(_ nameOrID: String, force: Bool = false) throws {
        let query = force ? "?force=true&timeout=0" : ""
        let response = try send("DELETE", "/libpod/containers/\(Self.escape(nameOrID))\(query)")
        try check(response, "remove \(nameOrID)")
    }

    /// Lists containers in every state that carry all of `labels` (`key=value`).
    public func list(labels: [String: String]) throws -> [ContainerSummary] {
        let filters = ["label": labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }]
        let json = String(decoding: try JSONEncoder().encode(filters), as: UTF8.self)
        let response = try send("GET", "/libpod/containers/json?all=true&filters=\(Self.escape(json))")
        try check(response, "list")
        return try decode([ContainerSummary].self, response, "list")
    }

    private func send(_ method: String, _ path: String, body: [UInt8]? = nil, root: Bool = false,
                      extraMilliseconds: Int = 0) throws -> HTTPResponse {
        let transport = try self.transport ?? CurlTransport(socketPath: configuration.socketPath)
        self.transport = transport
        let fullPath = root ? path : "/\(configuration.apiVersion)\(path)"
        return try transport.perform(method: method, path: fullPath, body: body,
                                     timeoutMilliseconds: configuration.requestTimeoutMilliseconds + extraMilliseconds)
    }

    private func check(_ response: HTTPResponse, _ what: String) throws {
        guard !(200..<300).contains(response.status) else { return }
        struct Failure: Decodable { var message: String? }
        let message = (try? JSONDecoder().decode(Failure.self, from: Data(response.body)))?.message
            ?? String(decoding: response.body.prefix(512), as: UTF8.self)
        let code: PodmanError.Code = switch response.status {
        case 404: .notFound
        case 409: .conflict
        default: .requestFailed
        }
        throw PodmanError(code: code, message: "\(what): \(message)", status: response.status)
    }

    private func decode<T: Decodable>(_ type: T.Type, _ response: HTTPResponse, _ what: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(response.body))
        } catch {
            throw PodmanError(code: .invalidResponse, message: "\(what): \(error)", status: response.status)
        }
    }

    private static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }
}
