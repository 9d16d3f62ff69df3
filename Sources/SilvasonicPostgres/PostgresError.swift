/// A failure talking to PostgreSQL.
///
/// `description` is safe to log: it carries the server's or libpq's message and the target
/// (`user@host:port/db`), never the password.
public struct PostgresError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of failure this is.
    public enum Code: String, Sendable {
        /// The connection could not be established.
        case connectionFailed
        /// The connection was lost or is closed; a ``PostgresClient`` reconnects on the next call.
        case connectionClosed
        /// A ``PostgresClient`` is waiting out its backoff before the next connection attempt.
        case unavailable
        /// The server rejected a statement.
        case queryFailed
        /// A column's value does not decode into the requested type.
        case decodingFailed
        /// The API was used out of order (a savepoint outside a transaction, ...).
        case misuse
    }

    package var code: Code
    /// The message from libpq or the server, trimmed.
    public var message: String
    /// The five-character SQLSTATE, when the server sent one.
    package var sqlState: String?

    public init(code: Code, message: String, sqlState: String? = nil) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
    }

    /// Whether the failure is about the connection rather than the statement: worth a retry later.
    package var isConnectionFailure: Bool {
        code == .connectionFailed || code == .connectionClosed || code == .unavailable
    }

    public var description: String {
        if let sqlState { return "PostgreSQL \(code.rawValue) [\(sqlState)]: \(message)" }
        return "PostgreSQL \(code.rawValue): \(message)"
    }
}
