/// A failure talking to Redis; `description` is safe to log.
public struct RedisError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of failure this is.
    public enum Code: String, Sendable {
        /// The URL could not be parsed.
        case invalidURL
        /// The connection could not be established.
        case connectionFailed
        /// The connection broke or timed out; it must be opened again.
        case connectionClosed
        /// A reply did not come within the command timeout; the connection is dropped.
        case timedOut
        /// A ``RedisClient`` is waiting out its backoff before the next connection attempt.
        case unavailable
        /// The server answered with an error reply.
        case commandFailed
    }

    package var code: Code
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// Whether the failure is about the connection rather than the command: worth a retry later.
    package var isConnectionFailure: Bool { code != .commandFailed && code != .invalidURL }

    public var description: String { "Redis \(code.rawValue): \(message)" }
}
