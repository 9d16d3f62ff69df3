import SilvasonicIO
import Supervision

/// A PostgreSQL client that survives its server: it reconnects with backoff, forever.
///
/// A call made while the connection is lost fails at once with a typed error
/// (``PostgresError/Code/connectionClosed`` for the call in flight, then
/// ``PostgresError/Code/unavailable`` while the backoff runs), so a caller such as a reconciler
/// can fail static and try again on its next tick. The first call after the backoff's wait
/// connects again. ``notifications(on:)`` keeps a LISTEN alive across reconnects.
public actor PostgresClient {
    /// The target; safe to log.
    public nonisolated let configuration: PostgresConfiguration
    private var connection: PostgresConnection?
    private var connecting: Task<PostgresConnection, any Error>?
    private var schedule: ReconnectSchedule<ContinuousClock.Instant>
    private var lastFailure: PostgresError?
    private var random = SystemRandomNumberGenerator()
    /// How often this client connected, lost a connection and failed to connect.
    public private(set) var statistics = ConnectionStatistics()

    /// A client that connects on its first call.
    public init(configuration: PostgresConfiguration) {
        self.configuration = configuration
        self.schedule = ReconnectSchedule(backoff: configuration.reconnectBackoff)
    }

    /// Runs one parameterised statement (see ``PostgresConnection/query(_:_:)``).
    @discardableResult
    public func query(_ sql: String, _ parameters: [PostgresValue] = []) async throws -> PostgresRows {
        let connection = try await connected()
        do {
            return try await connection.query(sql, parameters)
        } catch let error as PostgresError where error.code == .connectionClosed {
            lost(connection, error)
            throw error
        }
    }

    /// Runs `body` in a transaction (see ``PostgresConnection/transaction(_:)``).
    public func transaction<Result: Sendable>(
        _ body: @Sendable (isolated PostgresConnection) throws -> Result
    ) async throws -> Result {
        let connection = try await connected()
        do {
            return try await connection.transaction(body)
        } catch let error as PostgresError where error.code == .connectionClosed {
            lost(connection, error)
            throw error
        }
    }

    /// The open connection, connecting first when there is none and the backoff allows.
    /// - Throws: ``PostgresError`` `connectionFailed`, or `unavailable` during the backoff.
    public func connected() async throws -> PostgresConnection {
        if let connection { return connection }
        if let connecting { return try await connecting.value }
        let now = ContinuousClock.now
        guard schedule.mayAttempt(at: now) else {
            let wait = schedule.nextAttempt.map { now.duration(to: $0) } ?? .zero
            throw PostgresError(code: .unavailable, message: """
                \(configuration): reconnecting, next attempt in \(wait.formattedSeconds); \
                last failure: \(lastFailure?.message ?? "none")
                """)
        }
        let configuration = self.configuration
        let attempt = Task { try await PostgresConnection.connect(configuration) }
        connecting = attempt
        defer { connecting = nil }
        do {
            let connection = try await attempt.value
            self.connection = connection
            schedule.connected()
            statistics.connects += 1
            return connection
        } catch {
            let failure = error as? PostgresError ?? PostgresError(code: .connectionFailed, message: "\(error)")
            lastFailure = failure
            statistics.failedAttempts += 1
            schedule.attemptFailed(at: .now, randomUnit: BackoffPolicy.randomUnit(using: &random))
            throw failure
        }
    }

    /// Closes the connection; the next call connects again.
    public func close() async {
        await connection?.close()
        connection = nil
    }

    private func lost(_ broken: PostgresConnection, _ error: PostgresError) {
        guard connection === broken else { return }
        connection = nil
        lastFailure = error
        statistics.losses += 1
    }
}

/// Counters of a reconnecting client, for logs and metrics.
public struct ConnectionStatistics: Sendable, Equatable {
    /// Successful connections, the first included.
    public var connects = 0
    /// Connections found broken while in use.
    public var losses = 0
    /// Connection attempts that failed.
    public var failedAttempts = 0

    public init() {}
}

extension Duration {
    /// `1.25 s`, for messages.
    var formattedSeconds: String {
        let milliseconds = components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
        return "\(Double(milliseconds) / 1000) s"
    }
}
