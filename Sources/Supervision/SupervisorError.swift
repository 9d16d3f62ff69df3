/// Why a supervisor refused a spec or an operation, or stopped with a failure.
///
/// `description` says which field or child is wrong and what would be accepted.
public struct SupervisorError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong: one of the codes below, compared with `==` or matched in a `switch`.
    ///
    /// A struct, not an enum, so that a new code in a later release breaks no one's code: a
    /// `switch` over it needs a `default:` (as swift-service-lifecycle and postgres-nio do).
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String, Sendable, Hashable {
            case emptyChildID, duplicateChildID, permanentSignificantChild, significantChildWithoutAutoShutdown
            case invalidShutdownTimeout, invalidIntensity, invalidBackoff
            case noSuchChild, childRunning, childAlreadyRunning, notRunning, alreadyRunning, restartIntensityExceeded
        }

        private let value: Value

        private init(_ value: Value) {
            self.value = value
        }

        /// The code's name, such as `noSuchChild`.
        public var description: String { value.rawValue }

        /// A child spec has an empty id.
        public static let emptyChildID = Code(.emptyChildID)
        /// Two children have the same id.
        public static let duplicateChildID = Code(.duplicateChildID)
        /// A `permanent` child was marked significant; only `transient` or `temporary` may be.
        public static let permanentSignificantChild = Code(.permanentSignificantChild)
        /// A child is significant but the supervisor's auto-shutdown is `never`.
        public static let significantChildWithoutAutoShutdown = Code(.significantChildWithoutAutoShutdown)
        /// A shutdown timeout is zero or negative.
        public static let invalidShutdownTimeout = Code(.invalidShutdownTimeout)
        /// The restart intensity has a negative count or a non-positive period.
        public static let invalidIntensity = Code(.invalidIntensity)
        /// The backoff policy is inconsistent (negative delays, multiplier below 1, jitter outside 0...1).
        public static let invalidBackoff = Code(.invalidBackoff)
        /// No child has that id.
        public static let noSuchChild = Code(.noSuchChild)
        /// The child is running; it must be terminated first.
        public static let childRunning = Code(.childRunning)
        /// The child is already running (or about to be restarted).
        public static let childAlreadyRunning = Code(.childAlreadyRunning)
        /// The supervisor is not running, or is shutting down.
        public static let notRunning = Code(.notRunning)
        /// `run()` was called while the supervisor was already running.
        public static let alreadyRunning = Code(.alreadyRunning)
        /// More restarts than the intensity allows: the supervisor gave up.
        public static let restartIntensityExceeded = Code(.restartIntensityExceeded)
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
