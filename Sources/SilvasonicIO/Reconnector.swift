package import Supervision

/// Keeps one connection of a client open: connects on demand, and after a failure lets the
/// next attempt start only when the backoff allows.
///
/// The decisions are the pure ``ConnectionSlot``'s; this actor only carries them out and makes
/// concurrent callers share one connection attempt. The clients of PostgreSQL and Redis wrap one
/// each and turn ``ReconnectFailure`` into their own typed errors.
package actor Reconnector<Connection: AnyObject & Sendable> {
    private var slot: ConnectionSlot<Connection, ContinuousClock.Instant>
    private var connecting: Task<Connection, any Error>?
    private var random = SystemRandomNumberGenerator()
    private let open: @Sendable () async throws -> Connection

    /// - Parameters:
    ///   - backoff: the waits between failed attempts.
    ///   - open: makes a new connection.
    public init(backoff: BackoffPolicy, open: @escaping @Sendable () async throws -> Connection) {
        self.slot = ConnectionSlot(backoff: backoff)
        self.open = open
    }

    /// How often the connection was made, lost and failed to be made.
    package var statistics: ConnectionStatistics { slot.statistics }

    /// The open connection, connecting first when there is none and the backoff allows.
    /// - Throws: ``ReconnectFailure``.
    public func connection() async throws(ReconnectFailure) -> Connection {
        if let connecting {
            do { return try await connecting.value } catch { throw .connectFailed(error) }
        }
        let now = ContinuousClock.now
        switch slot.next(at: now) {
        case .use(let connection):
            return connection
        case .wait(let until, let lastFailure):
            throw .backingOff(retryIn: now.duration(to: until), lastFailure: lastFailure)
        case .connect:
            let attempt = Task(operation: open)
            connecting = attempt
            defer { connecting = nil }
            do {
                let connection = try await attempt.value
                slot.connected(connection)
                return connection
            } catch {
                slot.failed(reason: "\(error)", at: .now, randomUnit: BackoffPolicy.randomUnit(using: &random))
                throw .connectFailed(error)
            }
        }
    }

    /// Reports that `broken` failed in use; the next call connects again.
    package func lost(_ broken: Connection, reason: String) {
        slot.lost(broken, reason: reason)
    }

    /// Forgets the connection (after the client closed it) and returns it.
    package func takeConnection() -> Connection? {
        defer { slot.closed() }
        return slot.connection
    }
}

/// Why ``Reconnector/connection()`` gave no connection.
package enum ReconnectFailure: Error {
    /// The attempt made for this call failed with `error`.
    case connectFailed(any Error)
    /// The backoff after earlier failures runs `retryIn` more; `lastFailure` said why.
    case backingOff(retryIn: Duration, lastFailure: String)
}
