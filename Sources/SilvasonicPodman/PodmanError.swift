/// A failure talking to Podman; `description` is safe to log and says what to check.
public struct PodmanError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of failure this is.
    public enum Code: String, Sendable {
        /// The socket could not be reached (missing, refused, timed out).
        case unreachable
        /// Podman answered with an HTTP error status.
        case requestFailed
        /// No such container or image (HTTP 404).
        case notFound
        /// The name is taken or the container is in the wrong state (HTTP 409).
        case conflict
        /// The answer could not be decoded.
        case invalidResponse
    }

    public var code: Code
    public var message: String
    /// The HTTP status, when Podman answered.
    public var status: Int?

    public init(code: Code, message: String, status: Int? = nil) {
        self.code = code
        self.message = message
        self.status = status
    }

    public var description: String {
        if let status { return "Podman \(code.rawValue) (HTTP \(status)): \(message)" }
        return "Podman \(code.rawValue): \(message)"
    }
}
