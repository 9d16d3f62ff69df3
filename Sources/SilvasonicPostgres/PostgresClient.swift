package import SilvasonicIO

/// A PostgreSQL client that survives its server: it reconnects with backoff, forever.
///
/// A call made while the connection is lost fails at once with a typed error
/// (``PostgresError/Code/connectionClosed`` for the call in flight, then
/// ``PostgresError/Code/unavailable`` while the backoff runs), so a caller such as a reconciler
/// can fail static and try again on its next tick. The first call after the backoff's wait
/// connects again. ``notifications(on:)`` keeps a LISTEN alive across reconnects.
public final class PostgresClient: Sendable {
    /// The target; safe to log.
    public let configuration: PostgresConfiguration
    private let reconnector: Reconnector<PostgresConnection>

    /// A client that connects on its first call.
    public init(configuration: PostgresConfiguration) {
        self.configuration = configuration
        self.reconnector = Reconnector(backoff: configuration.reconnectBackoff) {
            try await PostgresConnection.connect(configuration)
        }
    }

    /// How often this client connected, lost a connection and failed to connect.
    package var statistics: ConnectionStatistics {
        get async { await reconnector.statistics }
    }

    /// Runs one parameterised statement (see ``PostgresConnection/query(_:_:)``).
    @discardableResult
    public func query(_ sql: String, _ parameters: [PostgresValue] = []) async throws -> PostgresRows {
        try await using { try await $0.query(sql, parameters) }
    }

    /// Runs `body` in a transaction (see ``PostgresConnection/transaction(_:)``).
    package func transaction<Result: Sendable>(
        _ body: @Sendable (isolated PostgresConnection) throws -> Result
    ) async throws -> Result {
        try await using { try await $0.transaction(body) }
    }

    /// The open connection, connecting first when there is none and the backoff allows.
    /// - Throws: ``PostgresError`` `connectionFailed`, or `unavailable` during the backoff.
    package func connected() async throws -> PostgresConnection {
        do {
            return try await reconnector.connection()
        } catch .connectFailed(let error) {
            throw error as? PostgresError ?? PostgresError(code: .connectionFailed, message: "\(error)")
        } catch .backingOff(let retryIn, let lastFailure) {
            throw PostgresError(code: .unavailable, message: """
                \(configuration): reconnecting, next attempt in \(retryIn.formattedSeconds); last failure: \(lastFailure)
                """)
        }
    }

    /// Closes the connection; the next call connects again.
    package func close() async {
        await reconnector.takeConnection()?.close()
    }

    private func using<Result: Sendable>(_ work: (PostgresConnection) async throws -> Result) async throws -> Result {
        let connection = try await connected()
        do {
            return try await work(connection)
        } catch let error as PostgresError where error.code == .connectionClosed {
            await reconnector.lost(connection, reason: error.message)
            throw error
        }
    }
}
