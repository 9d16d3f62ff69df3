/// Why a supervisor refused a spec or an operation, or stopped with a failure.
///
/// `description` says which field or child is wrong and what would be accepted.
public struct SupervisorError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable, Hashable {
        /// A child spec has an empty id.
        case emptyChildID
        /// Two children have the same id.
        case duplicateChildID
        /// A `permanent` child was marked significant; only `transient` or `temporary` may be.
        case permanentSignificantChild
        /// A child is significant but the supervisor's auto-shutdown is `never`.
        case significantChildWithoutAutoShutdown
        /// A shutdown timeout is zero or negative.
        case invalidShutdownTimeout
        /// The restart intensity has a negative count or a non-positive period.
        case invalidIntensity
        /// The backoff policy is inconsistent (negative delays, multiplier below 1, jitter outside 0...1).
        case invalidBackoff
        /// No child has that id.
        case noSuchChild
        /// The child is running; it must be terminated first.
        case childRunning
        /// The child is already running (or about to be restarted).
        case childAlreadyRunning
        /// The supervisor is not running, or is shutting down.
        case notRunning
        /// `run()` was called while the supervisor was already running.
        case alreadyRunning
        /// More restarts than the intensity allows: the supervisor gave up.
        case restartIntensityExceeded
    }

    /// What went wrong, for code to switch on.
    public var code: Code
    /// The supervisor's path, such as `root/devices`.
    public var supervisor: String
    /// The child concerned, when there is one.
    public var child: ChildID?
    /// What went wrong and what would be accepted, for a person.
    public var message: String

    /// Creates an error; supervisors throw these.
    public init(code: Code, supervisor: String, child: ChildID? = nil, message: String) {
        self.code = code
        self.supervisor = supervisor
        self.child = child
        self.message = message
    }

    /// `supervisor PATH[, child ID]: message`.
    public var description: String {
        if let child { return "supervisor \(supervisor), child \(child): \(message)" }
        return "supervisor \(supervisor): \(message)"
    }
}
