package import SilvasonicIO

/// A Redis client that survives its server: it reconnects with backoff, forever.
///
/// A command while the connection is lost fails at once with a typed error (`connectionClosed`
/// or `timedOut` for the one in flight, `unavailable` while the backoff runs): a heartbeat is
/// simply skipped, never queued up. ``subscribe(to:)`` keeps a subscription alive across
/// reconnects on a connection of its own.
public final class RedisClient: RedisCommands {
    /// The server; safe to log.
    public let configuration: RedisConfiguration
    private let reconnector: Reconnector<RedisConnection>

    /// A client that connects on its first command.
    public init(configuration: RedisConfiguration) {
        self.configuration = configuration
        self.reconnector = Reconnector(backoff: configuration.reconnectBackoff) {
            try await RedisConnection.connect(configuration)
        }
    }

    /// How often this client connected, lost a connection and failed to connect.
    package var statistics: ConnectionStatistics {
        get async { await reconnector.statistics }
    }

    public func command(bytes arguments: [[UInt8]]) async throws -> RedisReply {
        let connection = try await connected()
        do {
            return try await connection.command(bytes: arguments)
        } catch let error as RedisError where error.code != .commandFailed {
            await reconnector.lost(connection, reason: error.message)
            throw error
        }
    }

    /// The open connection, connecting first when there is none and the backoff allows.
    /// - Throws: ``RedisError`` `connectionFailed`, or `unavailable` during the backoff.
    package func connected() async throws -> RedisConnection {
        do {
            return try await reconnector.connection()
        } catch .connectFailed(let error) {
            throw error as? RedisError ?? RedisError(code: .connectionFailed, message: "\(error)")
        } catch .backingOff(let retryIn, let lastFailure) {
            throw RedisError(code: .unavailable, message: """
                \(configuration): reconnecting, next attempt in \(retryIn.formattedSeconds); last failure: \(lastFailure)
                """)
        }
    }

    /// Closes the connection; the next command connects again.
    package func close() async {
        await reconnector.takeConnection()?.close()
    }
}
