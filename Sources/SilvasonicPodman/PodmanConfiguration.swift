/// Where the Podman REST API listens: a Unix socket (`SILVASONIC_CONTAINER_SOCKET`,
/// default `/var/run/container.sock`).
public struct PodmanConfiguration: Sendable, Equatable, CustomStringConvertible {
    public var socketPath: String
    /// The libpod API version in request paths.
    var apiVersion: String
    /// The longest any ordinary request may take, in milliseconds (stop and wait add their own).
    var requestTimeoutMilliseconds: Int
    /// How many requests run at once (`SILVASONIC_PODMAN_CONNECTIONS`, 8): one connection each;
    /// further requests wait for a free one.
    package var maximumConnections: Int

    public init(socketPath: String = "/var/run/container.sock", apiVersion: String = "v4.0.0",
                requestTimeoutMilliseconds: Int = 30_000, maximumConnections: Int = 8) {
        self.socketPath = socketPath
        self.apiVersion = apiVersion
        self.requestTimeoutMilliseconds = requestTimeoutMilliseconds
        self.maximumConnections = maximumConnections
    }

    /// Reads `SILVASONIC_CONTAINER_SOCKET`, or the default when unset.
    public init(environment: [String: String]) {
        self.init()
        if let path = environment["SILVASONIC_CONTAINER_SOCKET"], !path.isEmpty {
            socketPath = path.hasPrefix("unix://") ? String(path.dropFirst("unix://".count)) : path
        }
    }

    public var description: String { "podman at unix://\(socketPath)" }
}
