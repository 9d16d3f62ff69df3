public import SilvasonicRedis
import Synchronization

/// How a running recorder is watched by its DeviceActor's `heartbeat` and `logs` children.
public struct CompanionSettings: Sendable {
    /// Where heartbeats are read and log lines published; `nil`: neither child exists.
    public var redis: (any RedisCommands)?
    /// How often the heartbeat is read (the recorder's `SILVASONIC_HEARTBEAT_INTERVAL_S`).
    package var heartbeatInterval: Duration = .seconds(10)
    package var startupGrace: Duration = .seconds(60)
    package var staleAfter: Duration = .seconds(30)
    package var missesToDie = 3
    /// A recorder whose heartbeat is lost is restarted only when its workspace also shows no
    /// progress for this many segment durations (its profile's `segment_duration_s`).
    var progressSegments = 3
    /// Log lines that may wait for Redis before new ones are dropped (and counted).
    var logBufferLimit = 1024

    public init(redis: (any RedisCommands)?) {
        self.redis = redis
    }
}

/// Counts of the log forwarding over every device, for metrics.
package final class LogCounters: Sendable {
    private let state = Mutex((forwarded: 0, dropped: 0))

    public init() {}

    package var forwarded: Int { state.withLock { $0.forwarded } }
    package var dropped: Int { state.withLock { $0.dropped } }

    func add(forwarded: Int = 0, dropped: Int = 0) {
        state.withLock { $0.forwarded += forwarded; $0.dropped += dropped }
    }
}
