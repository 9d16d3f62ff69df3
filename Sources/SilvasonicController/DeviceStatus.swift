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
    public var since: Duration
    /// How long until the next attempt, while waiting out a backoff or crash-looping.
    public var nextRetry: Duration?
    /// Why its container was last stopped, if it was.
    public var lastStop: String?
    /// Its supervisor's children (container, heartbeat, logs), from the supervisor itself.
    public var children: [ChildInfo]
    /// Why the device is left as it is (its row cannot be acted on), while it is.
    public var heldBecause: String?

    public init(key: String, service: String, state: RecorderState, restarts: Int, lastFailure: String?, since: Duration,
                nextRetry: Duration?, lastStop: String?, children: [ChildInfo], heldBecause: String? = nil) {
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
    }
}
