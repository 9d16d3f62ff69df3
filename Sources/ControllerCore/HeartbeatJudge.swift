/// Decides, check by check, whether a recorder is still alive from its heartbeat key
/// (`silvasonic:status:<device id>`): a pure value on the controller's monotonic clock.
///
/// The contract's "Do better" rules: a new container gets a start-up grace; only lost liveness —
/// the key missing, or its `timestamp` not moving for longer than `staleAfter`, on several
/// checks in a row — counts against it; a report of `"status": "error"` is degraded, not dead;
/// and when Redis cannot be read the verdict is unknown, never dead. Staleness is measured by
/// when this controller saw the timestamp change, so a recorder's wrong wall clock cannot kill it.
package struct HeartbeatJudge<Instant: InstantProtocol<Duration>>: Sendable {
    /// What one check read.
    public enum Reading: Sendable, Equatable {
        /// The key holds a heartbeat with this `timestamp` and `health.status`.
        case present(timestamp: Double, status: String)
        /// The key does not exist (expired, or never written).
        case missing
        /// Redis could not be read.
        case unreadable
    }

    /// The judgement after a check.
    package enum Verdict: Sendable, Equatable {
        /// Still in the start-up grace, or no heartbeat seen yet within it.
        case starting
        case alive
        /// Alive, but reporting an error.
        case degraded
        /// Redis is unreachable: nothing can be said.
        case unknown
        /// Missing or stale on this many checks in a row, below the limit.
        case suspect(misses: Int)
        /// Lost: missing or stale on at least `missesToDie` checks in a row; alive again as soon
        /// as a fresh heartbeat comes. Whether to restart is decided with the workspace's
        /// progress (``WorkspaceProgress``): a recorder that writes but does not beat is degraded.
        case dead
    }

    package let startupGrace: Duration
    package let staleAfter: Duration
    package let missesToDie: Int
    private let startedAt: Instant
    private var lastTimestamp: Double?
    private var lastChange: Instant?
    private var misses = 0

    /// A judge for a container that started at `startedAt`.
    public init(startedAt: Instant, startupGrace: Duration = .seconds(60), staleAfter: Duration = .seconds(30),
                missesToDie: Int = 3) {
        self.startedAt = startedAt
        self.startupGrace = startupGrace
        self.staleAfter = staleAfter
        self.missesToDie = missesToDie
    }

    /// Takes one check's reading at `now`.
    public mutating func check(_ reading: Reading, now: Instant) -> Verdict {
        let inGrace = startedAt.duration(to: now) < startupGrace
        var lost = false
        var degraded = false
        switch reading {
        case .unreadable:
            return inGrace ? .starting : .unknown
        case .missing:
            lost = true
        case .present(let timestamp, let status):
            if timestamp != lastTimestamp {
                lastTimestamp = timestamp
                lastChange = now
            }
            lost = lastChange.map { $0.duration(to: now) > staleAfter } ?? false
            degraded = status == "error"
        }
        if !lost {
            misses = 0
            return degraded ? .degraded : .alive
        }
        if inGrace { return .starting }
        misses += 1
        return misses >= missesToDie ? .dead : .suspect(misses: misses)
    }
}
