/// How a supervisor identifies a child: unique among its children.
public typealias ChildID = String

/// When a child that has ended is started again (OTP's `restart` field).
public enum RestartType: String, Sendable, Hashable, CaseIterable {
    /// Always restarted, whether it returned or threw.
    case permanent
    /// Restarted only when it threw (failed); a normal return leaves it stopped.
    case transient
    /// Never restarted; it is removed from the supervisor when it ends.
    case temporary
}

/// How a supervisor stops a child (OTP's `shutdown` field).
///
/// Stopping a Swift task means cancelling it: the child must notice cancellation and return.
/// A child that does not is abandoned after its timeout and reported; Swift cannot kill a task.
public enum Shutdown: Sendable, Hashable {
    /// Cancel, then wait up to this long for the child to end; then abandon it with a report.
    case timeout(Duration)
    /// Cancel and do not wait: the child is considered stopped at once.
    case brutalKill
    /// Cancel and wait as long as it takes; meant for children that are supervisors.
    case infinity
}

/// What a child is, for ``Supervisor/countChildren()``.
public enum ChildKind: String, Sendable, Hashable {
    /// A child that does work.
    case worker
    /// A child that is itself a supervisor.
    case supervisor
}

/// Everything a supervisor needs to start, restart and stop one child.
///
/// A child is an async function that runs until its work is done (it returns: a normal exit)
/// or it cannot go on (it throws: a failure). Stopping it is cancellation.
///
/// ```swift
/// let spec = ChildSpec(id: "recorder-watch", restart: .permanent, shutdown: .timeout(.seconds(5))) {
///     try await watchRecorder()
/// }
/// ```
public struct ChildSpec: Sendable {
    /// Unique among the supervisor's children.
    public var id: ChildID
    /// Runs the child once. Called again for every restart.
    public var start: @Sendable () async throws -> Void
    /// When the child is started again after it ends.
    public var restart: RestartType
    /// How the child is stopped.
    public var shutdown: Shutdown
    /// A significant child that ends for good can shut its supervisor down (see ``AutoShutdown``).
    public var significant: Bool
    /// Worker or supervisor, for ``Supervisor/countChildren()``.
    public var kind: ChildKind
    /// Whether it was started with a handle (``Supervisor/startChild(_:handle:)``), released
    /// when the supervisor removes it.
    var hasHandle = false

    /// Creates a child spec.
    /// - Parameters:
    ///   - id: unique among the supervisor's children; not empty.
    ///   - restart: when the child is started again; `permanent` by default.
    ///   - shutdown: how it is stopped; 5 seconds' grace by default (OTP's default for workers).
    ///   - significant: whether its end can shut the supervisor down; must not be `permanent`.
    ///   - kind: `worker`, or `supervisor` for a nested supervisor.
    ///   - start: the child's body.
    public init(
        id: ChildID,
        restart: RestartType = .permanent,
        shutdown: Shutdown = .timeout(.seconds(5)),
        significant: Bool = false,
        kind: ChildKind = .worker,
        start: @escaping @Sendable () async throws -> Void
    ) {
        self.id = id
        self.start = start
        self.restart = restart
        self.shutdown = shutdown
        self.significant = significant
        self.kind = kind
    }
}
