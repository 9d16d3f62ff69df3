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
        /// A blocking read waited longer than its timeout.
        case timedOut
        /// The server answered with an error reply.
        case commandFailed
    }

    public var code: Code
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "Redis \(code.rawValue): \(message)" }
}
