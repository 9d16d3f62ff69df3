/// A failure talking to PostgreSQL.
///
/// `description` is safe to log: it carries the server's or libpq's message and the target
/// (`user@host:port/db`), never the password.
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is.
    public enum Code: String, Sendable {
        /// The connection could not be established.
        case connectionFailed
        /// The connection was lost or is closed.
        case connectionClosed
        /// The server rejected a statement.
        case queryFailed
    }

    public var code: Code
    /// The message from libpq or the server, trimmed.
    public var message: String
    /// The five-character SQLSTATE, when the server sent one.
    public var sqlState: String?

    public init(code: Code, message: String, sqlState: String? = nil) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
    }

    public var description: String {
        if let sqlState { return "PostgreSQL \(code.rawValue) [\(sqlState)]: \(message)" }
        return "PostgreSQL \(code.rawValue): \(message)"
    }
}
