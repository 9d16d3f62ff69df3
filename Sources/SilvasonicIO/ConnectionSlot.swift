package import Supervision

/// The one connection of a reconnecting client, and the decisions about it: a pure value.
///
/// The client (an actor) asks ``next(at:)`` before each call: use the open connection, connect
/// now, or tell the caller how long the backoff still runs. It reports back with
/// ``connected(_:)``, ``failed(reason:at:randomUnit:)`` and ``lost(_:reason:)``.
package struct ConnectionSlot<Connection: AnyObject & Sendable, Instant: InstantProtocol<Duration>>: Sendable {
    /// What the client does next.
    package enum Step {
        /// Use this open connection.
        case use(Connection)
        /// Open a new connection now.
        case connect
        /// Fail the call: the backoff runs until `until`; `lastFailure` says why.
        case wait(until: Instant, lastFailure: String)
    }

    /// The open connection, if any.
    public private(set) var connection: Connection?
    private var schedule: ReconnectSchedule<Instant>
    private var lastFailure = "none"
    /// How often the client connected, lost its connection and failed to connect.
    public private(set) var statistics = ConnectionStatistics()

    /// An empty slot: the first call connects.
    public init(backoff: BackoffPolicy) {
        schedule = ReconnectSchedule(backoff: backoff)
    }

    /// What the client does for a call at `now`.
    public func next(at now: Instant) -> Step {
        if let connection { return .use(connection) }
        if schedule.mayAttempt(at: now) { return .connect }
        return .wait(until: schedule.nextAttempt ?? now, lastFailure: lastFailure)
    }

    /// A connection attempt succeeded.
    package mutating func connected(_ connection: Connection) {
        self.connection = connection
        schedule.connected()
        statistics.connects += 1
    }

    /// A connection attempt failed; the next waits out the backoff.
    public mutating func failed(reason: String, at now: Instant, randomUnit: Double) {
        lastFailure = reason
        statistics.failedAttempts += 1
        schedule.attemptFailed(at: now, randomUnit: randomUnit)
    }

    /// `broken` failed while in use; the next call connects again at once.
    package mutating func lost(_ broken: Connection, reason: String) {
        guard connection === broken else { return }
        connection = nil
        lastFailure = reason
        statistics.losses += 1
    }

    /// Forgets the connection without counting a loss (the client closed it).
    package mutating func closed() {
        connection = nil
    }
}

/// Counters of a reconnecting client, for logs and metrics.
package struct ConnectionStatistics: Sendable, Equatable {
    /// Successful connections, the first included.
    package var connects = 0
    /// Connections found broken while in use.
    package var losses = 0
    /// Connection attempts that failed.
    package var failedAttempts = 0

    public init() {}
}

extension Duration {
    /// `1.25 s`, for messages.
    package var formattedSeconds: String {
        let milliseconds = components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
        return "\(Double(milliseconds) / 1000) s"
    }
}
