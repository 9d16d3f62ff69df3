/// What a child is doing right now, for introspection.
public enum ChildState: String, Sendable, Hashable {
    /// Its task is running.
    case running
    /// It ended or was terminated and is not due to start again (its spec is kept).
    case stopped
    /// It is waiting out a backoff delay before it starts again.
    case restarting
}

/// One child as ``Supervisor/whichChildren()`` reports it.
public struct ChildInfo: Sendable, Hashable {
    /// The child's id.
    public var id: ChildID
    /// Worker or supervisor.
    public var kind: ChildKind
    /// Its restart type.
    public var restartType: RestartType
    /// What it is doing now.
    public var state: ChildState
    /// How often this child has been restarted since the supervisor started running.
    public var restarts: Int
    /// The last error it threw, described; `nil` when it never failed.
    public var lastFailure: String?
    /// How long it has run since it last started; `nil` when it is not running.
    public var uptime: Duration?
    /// How long until its pending restart, while it is ``ChildState/restarting``.
    public var nextRestart: Duration?
    /// Whether it is crash-looping (``IntensityPolicy/retryAtCap``, ``IntensityPolicy/markCrashLooping``):
    /// past the intensity, and not yet run stably since.
    public var crashLooping: Bool

    /// Creates a report; supervisors make these, tests compare them.
    public init(id: ChildID, kind: ChildKind, restartType: RestartType, state: ChildState, restarts: Int,
                lastFailure: String?, uptime: Duration? = nil, nextRestart: Duration? = nil, crashLooping: Bool = false) {
        self.uptime = uptime
        self.nextRestart = nextRestart
        self.crashLooping = crashLooping
        self.id = id
        self.kind = kind
        self.restartType = restartType
        self.state = state
        self.restarts = restarts
        self.lastFailure = lastFailure
    }
}

/// Counts as ``Supervisor/countChildren()`` reports them (OTP's `count_children`).
public struct ChildCounts: Sendable, Hashable {
    /// Every child spec the supervisor holds.
    public var specs: Int
    /// Children whose task is running.
    public var active: Int
    /// Children that are supervisors.
    public var supervisors: Int
    /// Children that are workers.
    public var workers: Int

    /// Creates counts; supervisors make these, tests compare them.
    public init(specs: Int, active: Int, supervisors: Int, workers: Int) {
        self.specs = specs
        self.active = active
        self.supervisors = supervisors
        self.workers = workers
    }
}
