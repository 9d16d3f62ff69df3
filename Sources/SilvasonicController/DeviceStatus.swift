public import ControllerCore
public import Supervision

/// One device's (or worker's) actor as `/status` shows it: its recorder's journal and its
/// supervisor's children.
public struct DeviceStatus: Sendable {
    /// The device id, or the worker's service name.
    public var key: String
    /// `recorder`, or the worker's service.
    public var service: String
    public var state: RecorderState
    /// Crashes since the actor was made (or since it last recovered from a crash loop).
    public var restarts: Int
    public var lastFailure: String?
    /// Since the last change of state or report.
    package var since: Duration
    /// How long until the next attempt, while waiting out a backoff or crash-looping.
    package var nextRetry: Duration?
    /// Why its container was last stopped, if it was.
    package var lastStop: String?
    /// Its supervisor's children (container, heartbeat, logs), from the supervisor itself.
    public var children: [ChildInfo]
    /// Why the device is left as it is (its row cannot be acted on), while it is.
    package var heldBecause: String?
    /// Why it records nothing, while it is idle because nothing is wanted.
    package var idleReason: IdleReason?
    /// Its container child waits out an unreachable engine (not a crash's backoff).
    package var engineUnreachable = false
    /// Its row's model, profile and workspace, as the last reconcile read them (devices only).
    public var description: DeviceDescription?
    /// When the recorder itself last wrote its heartbeat (its `timestamp`, epoch seconds).
    package var lastHeartbeat: Double?
    /// When a file in its workspace last changed (epoch seconds): its last segment.
    package var lastSegment: Double?

    /// The state an operator reads: `held` (its row cannot be acted on), why it is idle
    /// (`offline`, `disabled`, `pending_enrollment`, `ignored`, `no_profile`,
    /// `over_max_recorders`, `off`), `engine_unreachable`, else its recorder's state
    /// (`starting`, `running`, `backing_off`, `crash_looping`, …).
    package var stateName: String {
        if heldBecause != nil, !children.isEmpty { return "held" }
        switch state {
        case .idle: return idleReason?.statusName ?? state.name
        case .backingOff where engineUnreachable: return "engine_unreachable"
        default: return state.name
        }
    }

    public init(key: String, service: String, state: RecorderState, restarts: Int, lastFailure: String?, since: Duration,
                nextRetry: Duration?, lastStop: String?, children: [ChildInfo], heldBecause: String? = nil,
                idleReason: IdleReason? = nil, engineUnreachable: Bool = false, lastHeartbeat: Double? = nil) {
        self.key = key
        self.service = service
        self.state = state
        self.restarts = restarts
        self.lastFailure = lastFailure
        self.since = since
        self.nextRetry = nextRetry
        self.lastStop = lastStop
        self.children = children
        self.heldBecause = heldBecause
        self.idleReason = idleReason
        self.engineUnreachable = engineUnreachable
        self.lastHeartbeat = lastHeartbeat
    }
}
